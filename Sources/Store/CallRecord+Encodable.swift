import Foundation

extension CallRecord: Encodable {
    private enum CodingKeys: String, CodingKey {
        case callID, contactID, contactName, step, dialNumber, startedAt, endedAt, asteriskUniqueID, asteriskLinkedID, variables, outcome
        case messageLeft, playedShare, voice, nextCallStart, nextCallEnd, promise, note, origin, trunk, plannedMessage
    }

    /// Encodes the record as the call log reads: steps as numbers, the outcome and origin as their names.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(callID, forKey: .callID)
        try c.encode(contactID, forKey: .contactID)
        try c.encode(contactName, forKey: .contactName)
        try c.encode(step.rawValue, forKey: .step)
        try c.encode(dialNumber, forKey: .dialNumber)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encodeIfPresent(endedAt, forKey: .endedAt)
        try c.encodeIfPresent(asteriskUniqueID, forKey: .asteriskUniqueID)
        try c.encodeIfPresent(asteriskLinkedID, forKey: .asteriskLinkedID)
        try c.encodeIfPresent(variables, forKey: .variables)
        try c.encodeIfPresent(outcome?.logValue, forKey: .outcome)
        try c.encodeIfPresent(messageLeft?.rawValue, forKey: .messageLeft)
        try c.encodeIfPresent(playedShare, forKey: .playedShare)
        try c.encodeIfPresent(voice, forKey: .voice)
        try c.encodeIfPresent(nextCallStart, forKey: .nextCallStart)
        try c.encodeIfPresent(nextCallEnd, forKey: .nextCallEnd)
        try c.encodeIfPresent(promise, forKey: .promise)
        try c.encodeIfPresent(note, forKey: .note)
        try c.encode(origin.rawValue, forKey: .origin)
        try c.encodeIfPresent(trunk, forKey: .trunk)
        try c.encodeIfPresent(plannedMessage, forKey: .plannedMessage)
    }
}

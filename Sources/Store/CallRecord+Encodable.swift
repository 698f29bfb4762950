import Foundation

extension CallRecord: Encodable {
    private enum CodingKeys: String, CodingKey {
        case callID, contactID, contactName, step, dialNumber, startedAt, endedAt, asteriskUniqueID, asteriskLinkedID
        case variables, outcome, messageLeft, playedShare, voice, nextCallStart, nextCallEnd, promise, note, origin, trunk
        case plannedMessage
    }

    /// Encodes the record as the call log reads: steps as numbers, the outcome and origin as their names.
    public func encode(to encoder: any Encoder) throws {
        let fields: [(CodingKeys, (any Encodable)?)] = [
            (.callID, callID), (.contactID, contactID), (.contactName, contactName), (.step, step.rawValue),
            (.dialNumber, dialNumber), (.startedAt, startedAt), (.endedAt, endedAt), (.asteriskUniqueID, asteriskUniqueID),
            (.asteriskLinkedID, asteriskLinkedID), (.variables, variables), (.outcome, outcome?.logValue),
            (.messageLeft, messageLeft?.rawValue),
            (.playedShare, playedShare), (.voice, voice), (.nextCallStart, nextCallStart), (.nextCallEnd, nextCallEnd),
            (.promise, promise), (.note, note), (.origin, origin.rawValue), (.trunk, trunk), (.plannedMessage, plannedMessage),
        ]
        var container = encoder.container(keyedBy: CodingKeys.self)
        for case let (key, value?) in fields { try container.encode(value, forKey: key) }
    }
}

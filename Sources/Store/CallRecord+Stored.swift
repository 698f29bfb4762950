import Cadence
import Foundation

extension CallRecord: Encodable {
    private enum CodingKeys: String, CodingKey {
        case callID, contactID, contactName, step, dialNumber, startedAt, endedAt, asteriskUniqueID, asteriskLinkedID
        case variables, outcome, messageLeft, playedShare, voice, nextCallStart, nextCallEnd, promise, note, origin, trunk
        case plannedMessage
        case audioSocketID, greeting
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
            (.audioSocketID, audioSocketID?.uuidString.lowercased()), (.greeting, greeting),
        ]
        var container = encoder.container(keyedBy: CodingKeys.self)
        for case let (key, value?) in fields { try container.encode(value, forKey: key) }
    }
}

extension MessageStep {
    /// A step read back from a store's column.
    ///
    /// - Parameters:
    ///   - value: the stored number.
    ///   - what: the row, for the error (`call tb-…`).
    /// - Throws: ``StoreError`` naming the row when the value is not 1, 2 or 3.
    public init(stored value: Int, of what: String) throws {
        guard let step = MessageStep(rawValue: value) else { throw StoreError("\(what) has step \(value), not 1, 2 or 3") }
        self = step
    }
}

extension CallOrigin {
    /// An origin read back from a store's column.
    ///
    /// - Throws: ``StoreError`` naming the row (`what`) when no release wrote the value.
    public init(stored value: String, of what: String) throws {
        guard let origin = CallOrigin(rawValue: value) else { throw StoreError("\(what) has an unknown origin \(value)") }
        self = origin
    }
}

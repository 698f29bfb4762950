/// Which of the three voicemail messages a follow-up is at.
///
/// Message 1 is the full introduction, message 2 the short second try, message 3 the last
/// message before the contact is parked in the pipeline.
public enum MessageStep: Int, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case first = 1
    case second = 2
    case last = 3

    public static func < (lhs: MessageStep, rhs: MessageStep) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The step after this one, or `nil` after the last message.
    public var next: MessageStep? { MessageStep(rawValue: rawValue + 1) }
}

/// An error from speech synthesis or audio conversion.
public struct SpeechError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in words an administrator can act on.
    public var description: String
    public init(_ description: String) { self.description = description }
}

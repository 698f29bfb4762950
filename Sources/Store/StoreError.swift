/// An error from the contact store, naming what failed and where.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in words an administrator can act on.
    public var description: String
    public init(_ description: String) { self.description = description }
}

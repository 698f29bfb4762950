import Logging
import NIOConcurrencyHelpers

/// The last warnings and errors the process logged, kept in memory for the web console's
/// System page. ``ConsoleLogHandler`` adds every line of level warning or worse.
public final class RecentProblems: Sendable {
    /// The process's own.
    public static let shared = RecentProblems(capacity: 50)

    private let lines = NIOLockedValueBox<[String]>([])
    private let capacity: Int

    /// Creates an empty list keeping at most `capacity` lines.
    public init(capacity: Int) { self.capacity = capacity }

    /// Keeps a line, dropping the oldest past the capacity.
    public func add(_ line: String) {
        lines.withLockedValue { lines in
            lines.append(line)
            if lines.count > capacity { lines.removeFirst(lines.count - capacity) }
        }
    }

    /// The lines kept, newest first.
    public var newestFirst: [String] { lines.withLockedValue { $0.reversed() } }
}

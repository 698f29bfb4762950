import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes log lines to standard error in the format of swift-log's `StreamLogHandler`
/// (`2026-12-03T18:04:05+0000 warning touchbase: agi.route=answered [AGI] message`), but renders
/// metadata when a line is written instead of each time metadata is set.
///
/// Every FastAGI call gets a logger with metadata of its own (peer, route, unique id), and at the
/// usual levels most calls write no line at all; `StreamLogHandler` renders its metadata string
/// on every set, which cost more CPU per call than parsing the call's whole dialog.
public struct ConsoleLogHandler: LogHandler {
    private let label: String
    private let output: @Sendable (String) -> Void
    /// The lowest level written.
    public var logLevel: Logger.Level
    /// Metadata added to every line at the moment it is written.
    public var metadataProvider: Logger.MetadataProvider?
    /// The logger's own metadata.
    public var metadata: Logger.Metadata = [:]

    /// Creates a handler.
    ///
    /// - Parameters:
    ///   - label: the logger's label, written on every line.
    ///   - logLevel: the lowest level written.
    ///   - metadataProvider: metadata added at write time; by default the logging system's.
    ///   - output: where lines go, each ending in a newline; by default standard error, one
    ///     `write` per line.
    public init(label: String, logLevel: Logger.Level,
                metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
                output: @escaping @Sendable (String) -> Void = ConsoleLogHandler.writeToStandardError) {
        self.label = label
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { merged.merge(provided) { $1 } }
        if let explicit = event.metadata, !explicit.isEmpty { merged.merge(explicit) { $1 } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        let rendered = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " ")
        let line = "\(Self.timestamp()) \(event.level) \(label):\(rendered) [\(event.source)] \(event.message)"
        if event.level >= .warning { RecentProblems.shared.add(line) }
        output(line + "\n")
    }

    /// Writes a line to standard error with one `write`, so lines from several threads do not
    /// interleave.
    public static func writeToStandardError(_ line: String) {
        var line = line
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }

    private static func timestamp() -> String {
        var now = time(nil)
        var local = tm()
        guard localtime_r(&now, &local) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

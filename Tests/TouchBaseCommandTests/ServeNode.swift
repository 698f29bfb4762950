import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One `touchbase serve` process of the several-nodes test, running until stopped.
final class ServeNode: @unchecked Sendable {
    let name: String
    let process = Process()
    let stderr: URL
    /// The FastAGI port it reported listening on.
    private(set) var agiPort = 0

    /// Starts `touchbase serve --config CONFIG` and waits (up to 30 s) for its FastAGI port.
    init(name: String, configuration: URL, folder: URL) throws {
        self.name = name
        stderr = folder.appendingPathComponent("\(name).stderr")
        try Data().write(to: stderr)
        process.executableURL = TouchBaseBinary.url
        process.arguments = ["serve", "--config", configuration.path]
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TOUCHBASE_") }
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        let started = Date()
        while agiPort == 0 {
            let text = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.contains("FastAGI listening") }),
               let range = line.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                agiPort = Int(line[range].split(separator: ":").last!)!
            } else if !process.isRunning || Date().timeIntervalSince(started) > 30 {
                process.terminate()
                throw ServeNodeFailure(description: "\(name) did not start listening: \(text)")
            } else {
                usleep(20_000)
            }
        }
    }

    /// Sends `signal` and waits for the process to end.
    func stop(_ signal: Int32 = SIGTERM) {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
    }

    /// What it logged.
    var log: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }
}

struct ServeNodeFailure: Error, CustomStringConvertible {
    var description: String
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass; whether it held.
func eventually(within seconds: TimeInterval, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

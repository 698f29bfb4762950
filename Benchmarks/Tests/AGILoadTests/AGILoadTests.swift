import Histogram
import NIOCore
import NIOEmbedded
import Testing

@testable import agi_load

@Suite("What the simulated Asterisk answers")
struct AsteriskRepliesTests {
    let replies = AsteriskReplies.answeringMachine(playbackDelay: .seconds(1))

    @Test("each command of the bench dialog gets Asterisk's answer from the recorded session")
    func benchDialog() {
        let expected: [(String, String, TimeAmount)] = [
            ("GET VARIABLE AMDSTATUS", "200 result=1 (MACHINE)", .zero),
            ("GET VARIABLE AMDCAUSE", "200 result=1 (MAXWORDS-3-2)", .zero),
            ("GET VARIABLE TOUCHBASE_CALL", "200 result=1 (call-bench)", .zero),
            ("EXEC WaitForSilence 1500,1,20", "200 result=0", .zero),
            ("STREAM FILE touchbase/bench \"\"", "200 result=0 endpos=107555", .seconds(1)),
            ("SET VARIABLE CDR(userfield) \"tb-bench\"", "200 result=1", .zero),
            ("VERBOSE \"touchbase bench done\" 1", "200 result=1", .zero),
            ("HANGUP", "200 result=1", .zero),
        ]
        for (command, line, delay) in expected {
            #expect(replies.reply(to: command) == .init(line: line, delay: delay), "\(command)")
        }
    }

    @Test("an unset variable is result=0, and a quoted name is found")
    func variables() {
        #expect(replies.reply(to: "GET VARIABLE NOPE").line == "200 result=0")
        #expect(replies.reply(to: "GET VARIABLE \"AMDSTATUS\"").line == "200 result=1 (MACHINE)")
        #expect(replies.reply(to: "get variable AMDSTATUS").line == "200 result=1 (MACHINE)")
    }

    @Test("anything else is 510, as Asterisk answers an unknown command")
    func unknown() {
        for command in ["", "FLY AWAY", "EXEC", "GET", "STREAM"] {
            #expect(replies.reply(to: command).line == "510 Invalid or unknown command", "\(command)")
        }
    }
}

@Suite("Turnaround figures")
struct TurnaroundFigureTests {
    @Test("percentiles of a known spread of turnarounds are within 0.1% of the truth")
    func percentiles() {
        var stats = LoadStats()
        for value in 1...100_000 { stats.turnaround.record(UInt64(value) * 1_000) }
        #expect(stats.turnaround.totalCount == 100_000)
        #expect(stats.turnaround.min == 1_000)
        for (percentile, truth) in [(50.0, 50_000_000.0), (99.0, 99_000_000.0), (99.9, 99_900_000.0)] {
            let value = Double(stats.turnaround.valueAtPercentile(percentile))
            #expect(abs(value - truth) <= truth * 0.001, "p\(percentile) = \(value)")
        }
    }

    @Test("merging two loops' figures adds their turnarounds, and no turnaround reads as zero")
    func merge() {
        var a = LoadStats(), b = LoadStats()
        a.turnaround.record(10)
        b.turnaround.record(5_000_000)
        a.merge(b)
        #expect(a.turnaround.totalCount == 2)
        #expect(a.turnaround.min == 10)
        #expect(a.turnaround.maxRecorded == 5_000_000)
        #expect(LoadStats().turnaround.valueAtPercentile(99) == 0)
    }
}

@Suite("One session, Asterisk's side")
struct AsteriskSideHandlerTests {
    private func plan(playback: TimeAmount) throws -> LoadPlan {
        LoadPlan(server: try SocketAddress(ipAddress: "127.0.0.1", port: 4573), route: "bench",
                 concurrency: 1, limit: .sessions(1), replies: .answeringMachine(playbackDelay: playback),
                 ramp: .zero, sessionTimeout: .seconds(30))
    }

    private func readLine(_ channel: EmbeddedChannel) throws -> String? {
        try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }
    }

    @Test("sends the environment, answers the dialog in order, holds STREAM FILE for the playback, counts the session when the server closes")
    func dialog() throws {
        let loop = EmbeddedEventLoop()
        let driver = LoopDriver(loop: loop, plan: try plan(playback: .seconds(1)), sessionBudget: 0,
                                stopStartingAt: nil, firstSessionNumber: 0)
        // No slots: the test plays one session by hand; the driver only keeps its figures.
        _ = driver.start(rampOffsets: [])
        let channel = EmbeddedChannel(handler: AsteriskSideHandler(
            driver: driver, environment: driver.plan.environment(sessionNumber: 7), sessionNumber: 7), loop: loop)
        try channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 4573)).wait()

        let environment = try #require(try readLine(channel))
        #expect(environment.hasPrefix("agi_network: yes\nagi_network_script: bench\nagi_request: agi://127.0.0.1:4573/bench\n"))
        #expect(environment.contains("agi_uniqueid: 1795353109.7\n"))
        #expect(environment.hasSuffix("agi_threadid: 140420409702080\n\n"))

        try channel.writeInbound(ByteBuffer(string: "GET VARIABLE AMDSTATUS\nGET VARIA"))
        #expect(try readLine(channel) == "200 result=1 (MACHINE)\n")
        try channel.writeInbound(ByteBuffer(string: "BLE AMDCAUSE\r\n"))
        #expect(try readLine(channel) == "200 result=1 (MAXWORDS-3-2)\n")

        try channel.writeInbound(ByteBuffer(string: "STREAM FILE touchbase/bench \"\"\nHANGUP\n"))
        #expect(try readLine(channel) == nil)
        loop.advanceTime(by: .milliseconds(999))
        #expect(try readLine(channel) == nil)
        loop.advanceTime(by: .milliseconds(1))
        #expect(try readLine(channel) == "200 result=0 endpos=107555\n")
        #expect(try readLine(channel) == "200 result=1\n")

        try channel.close().wait()
        loop.run()
        let stats = driver.stats
        #expect(stats.completed == 1)
        #expect(stats.reachedHangup == 1)
        #expect(stats.commands == 4)
        #expect(stats.errors == 0)
        #expect(stats.firstCommand.totalCount == 1)
        #expect(stats.turnaround.totalCount == 3)
    }

    @Test("a server that closes before any command is an error, not a session")
    func closedEarly() throws {
        let loop = EmbeddedEventLoop()
        let driver = LoopDriver(loop: loop, plan: try plan(playback: .zero), sessionBudget: 0,
                                stopStartingAt: nil, firstSessionNumber: 0)
        // No slots: the test plays one session by hand; the driver only keeps its figures.
        _ = driver.start(rampOffsets: [])
        let channel = EmbeddedChannel(handler: AsteriskSideHandler(
            driver: driver, environment: driver.plan.environment(sessionNumber: 1), sessionNumber: 1), loop: loop)
        try channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 4573)).wait()
        try channel.close().wait()
        let stats = driver.stats
        #expect(stats.completed == 0)
        #expect(stats.closedBeforeCommand == 1)
        #expect(stats.errors == 1)
    }

    @Test("an overlong line from the server closes the session as a protocol violation")
    func overlongLine() throws {
        let loop = EmbeddedEventLoop()
        let driver = LoopDriver(loop: loop, plan: try plan(playback: .zero), sessionBudget: 0,
                                stopStartingAt: nil, firstSessionNumber: 0)
        // No slots: the test plays one session by hand; the driver only keeps its figures.
        _ = driver.start(rampOffsets: [])
        let channel = EmbeddedChannel(handler: AsteriskSideHandler(
            driver: driver, environment: driver.plan.environment(sessionNumber: 1), sessionNumber: 1), loop: loop)
        try channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 4573)).wait()
        try channel.writeInbound(ByteBuffer(string: String(repeating: "A", count: 9000)))
        loop.run()
        let stats = driver.stats
        #expect(stats.protocolViolations == 1)
        #expect(!channel.isActive)
    }
}

@Suite("Command line")
struct AGILoadCommandTests {
    @Test("only loopback servers are accepted")
    func loopbackOnly() throws {
        #expect(AGILoad.isLoopback(try SocketAddress(ipAddress: "127.0.0.1", port: 1)))
        #expect(AGILoad.isLoopback(try SocketAddress(ipAddress: "127.5.6.7", port: 1)))
        #expect(AGILoad.isLoopback(try SocketAddress(ipAddress: "::1", port: 1)))
        #expect(!AGILoad.isLoopback(try SocketAddress(ipAddress: "10.0.0.1", port: 1)))
        #expect(!AGILoad.isLoopback(try SocketAddress(ipAddress: "192.168.1.1", port: 1)))
    }

    @Test("--sessions and --duration together are refused")
    func exclusiveLimits() {
        #expect(throws: (any Error).self) { try AGILoad.parse(["--sessions", "5", "--duration", "2"]) }
        #expect(throws: (any Error).self) { try AGILoad.parse(["--concurrency", "0"]) }
    }

    @Test("fixed prints decimals without Foundation")
    func fixedDecimals() {
        #expect(fixed(1.2345, 2) == "1.23")
        #expect(fixed(0.005, 3) == "0.005")
        #expect(fixed(1681.4, 0) == "1681")
        #expect(fixed(-2.5, 1) == "-2.5")
    }
}

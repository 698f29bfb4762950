import AGI
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("FastAGI server lifecycle")
struct FastAGIServerTests {
    @Test("graceful shutdown lets a session in flight finish its dialog")
    func gracefulShutdownLetsSessionFinish() async throws {
        let started = AsyncStream.makeStream(of: Void.self)
        var router = AGIRouter()
        router.on("answered") { session in
            started.continuation.yield()
            #expect(try await session.getVariable("AMDSTATUS") == "MACHINE")
            try await session.setVariable("CDR(userfield)", to: "tb-1")
        }
        let server = FastAGIServer(configuration: .init(port: 0), router: router, logger: testLogger) { address in
            Task {
                try await AsteriskPeer.withConnection(port: address.port!) { peer in
                    try await peer.send(Array("agi_network_script: answered\n\n".utf8))
                    #expect(try await peer.readLine() == "GET VARIABLE AMDSTATUS\n")
                    try await Task.sleep(for: .milliseconds(200))  // shutdown begins meanwhile
                    try await peer.send(Array("200 result=1 (MACHINE)\n".utf8))
                    #expect(try await peer.readLine() == "SET VARIABLE CDR(userfield) \"tb-1\"\n")
                    try await peer.send(Array("200 result=1\n".utf8))
                    #expect(try await peer.readToEnd().isEmpty)
                }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var iterator = started.stream.makeAsyncIterator()
            await iterator.next()
            server.beginShutdown()
            #expect(server.sessionsInFlight == 1)
            try await group.waitForAll()
        }
        #expect(server.sessionsInFlight == 0)
    }

    @Test("a handler runs on its connection's event loop, and the documented way off it leaves the loop")
    func handlersRunOnTheEventLoop() async throws {
        let seen = NIOLockedValueBox<[Bool]>([])
        var router = AGIRouter()
        router.on("where") { _ in
            seen.withLockedValue { $0.append(MultiThreadedEventLoopGroup.currentEventLoop != nil) }
            await withTaskExecutorPreference(globalConcurrentExecutor) {
                seen.withLockedValue { $0.append(MultiThreadedEventLoopGroup.currentEventLoop != nil) }
            }
        }
        let done = AsyncStream.makeStream(of: Void.self)
        let server = FastAGIServer(configuration: .init(port: 0), router: router, logger: testLogger) { address in
            Task {
                try await AsteriskPeer.withConnection(port: address.port!) { peer in
                    try await peer.send(Array("agi_network_script: where\n\n".utf8))
                    _ = try await peer.readToEnd()
                }
                done.continuation.yield()
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var iterator = done.stream.makeAsyncIterator()
            await iterator.next()
            server.beginShutdown()
            try await group.waitForAll()
        }
        #expect(seen.withLockedValue { $0 } == [true, false])
    }

    @Test("sessions still open when the grace period ends are closed, and run() returns")
    func graceDeadlineClosesStuckSessions() async throws {
        var router = AGIRouter()
        router.on("stuck") { session in _ = try await session.getVariable("NEVER_ANSWERED") }
        let configuration = FastAGIServer.Configuration(port: 0, shutdownGracePeriod: .milliseconds(200))
        let server = FastAGIServer(configuration: configuration, router: router, logger: testLogger) { address in
            Task {
                try await AsteriskPeer.withConnection(port: address.port!) { peer in
                    try await peer.send(Array("agi_network_script: stuck\n\n".utf8))
                    _ = try await peer.readLine()
                    _ = try await peer.readToEnd()
                }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            while server.sessionsInFlight == 0 { try await Task.sleep(for: .milliseconds(10)) }
            server.beginShutdown()
            try await group.waitForAll()
        }
        #expect(server.sessionsInFlight == 0)
    }

    @Test("cancelling the task that runs the server closes its sessions at once, without the grace period")
    func cancellationClosesSessions() async throws {
        var router = AGIRouter()
        router.on("stuck") { session in _ = try await session.getVariable("NEVER_ANSWERED") }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let configuration = FastAGIServer.Configuration(port: 0, shutdownGracePeriod: .seconds(60))
        let server = FastAGIServer(configuration: configuration, router: router, logger: testLogger) { address in
            continuation.yield(address.port ?? 0)
        }
        let running = Task { try await server.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try await AsteriskPeer.withConnection(port: port) { peer in
            try await peer.send(Array("agi_network_script: stuck\n\n".utf8))
            #expect(try await peer.readLine() == "GET VARIABLE NEVER_ANSWERED\n")
            running.cancel()
            #expect(try await peer.readToEnd().isEmpty, "closed by the server, long before the 60 s grace period")
        }
        try await running.value
        #expect(server.sessionsInFlight == 0)
    }

    @Test("a session that runs past its deadline is closed by the server")
    func sessionDeadline() async throws {
        var router = AGIRouter()
        router.on("slow") { session in _ = try await session.getVariable("X") }
        let configuration = FastAGIServer.Configuration(sessionTimeout: .milliseconds(1500))
        try await withRunningServer(router: router, configuration: configuration) { port in
            try await AsteriskPeer.withConnection(port: port) { peer in
                try await peer.send(Array("agi_network_script: slow\n\n".utf8))
                #expect(try await peer.readLine() == "GET VARIABLE X\n")
                #expect(try await peer.readToEnd().isEmpty, "closed by the deadline, with no answer sent")
            }
        }
    }

    @Test("lines split across reads, and several frames in one read, reach the session whole and in order")
    func framesAcrossReads() async throws {
        let seen = NIOLockedValueBox<[String]>([])
        var router = AGIRouter()
        router.on("answered") { session in
            let status = try await session.getVariable("AMDSTATUS") ?? "-"
            let playback = try await session.streamFile("touchbase/msg1")
            seen.withLockedValue { $0 = [status, "\(playback.endpos)", "\(session.isHungUp)"] }
        }
        try await withRunningServer(router: router) { port in
            try await AsteriskPeer.withConnection(port: port) { peer in
                // The environment one byte at a time, as a slow network may deliver it.
                for byte in "agi_network: yes\nagi_network_script: answered\n\n".utf8 {
                    try await peer.send([byte])
                }
                #expect(try await peer.readLine() == "GET VARIABLE AMDSTATUS\n")
                try await peer.send(Array("200 resu".utf8))
                try await Task.sleep(for: .milliseconds(20))
                try await peer.send(Array("lt=1 (MACHINE)\r\n".utf8))
                #expect(try await peer.readLine() == "STREAM FILE touchbase/msg1 \"\"\n")
                // A hangup and the answer it precedes in one segment.
                try await peer.send(Array("HANGUP\n200 result=-1 endpos=4000\n".utf8))
                #expect(try await peer.readToEnd().isEmpty)
            }
        }
        #expect(seen.withLockedValue { $0 } == ["MACHINE", "4000", "true"])
    }

    @Test("a port already in use is a clear start-up error naming the address")
    func portInUse() async throws {
        try await withRunningServer(router: AGIRouter()) { port in
            let second = FastAGIServer(configuration: .init(port: port), router: AGIRouter(), logger: testLogger)
            do {
                try await second.run()
                Issue.record("a second server bound the same port")
            } catch let error as FastAGIServerError {
                #expect(error.description == "cannot listen for FastAGI on 127.0.0.1:\(port): address already in use")
            }
        }
    }

    @Test("peers outside loopback need an allow-list entry", arguments: [
        ([String](), "192.0.2.10", false), (["192.0.2.10"], "192.0.2.10", true), (["192.0.2.0/24"], "192.0.2.99", true),
        (["192.0.2.0/24"], "192.0.3.1", false), ([], "127.0.0.1", true), ([], "::1", true),
        (["2001:db8::/32"], "2001:db8::5", true), (["2001:db8::/32"], "2001:db9::5", false), (["10.0.0.0/8"], "::ffff:10.1.2.3", true),
    ])
    func peerFilter(entries: [String], peer: String, allowed: Bool) throws {
        #expect(try AGIPeerFilter(allowing: entries).allows(ipAddress: peer) == allowed)
        // The server checks the accepted socket's address; both ways must agree.
        #expect(try AGIPeerFilter(allowing: entries).allows(SocketAddress(ipAddress: peer, port: 4573)) == allowed)
    }

    @Test("an allow-list entry that is not an address is refused with the entry named", arguments: ["pbx.example.com", "10.0.0.0/33", "1.2.3"])
    func peerFilterRejectsNonsense(entry: String) {
        #expect(throws: AGIPeerFilterError.notAnAddress(entry)) { try AGIPeerFilter(allowing: [entry]) }
    }
}

@Suite("Process AGI", .serialized)
struct ProcessAGITests {
    @Test("a route runs over stdin and stdout; SIGHUP marks the session hung up and the dialog goes on")
    func processAGIWithSighup() async throws {
        var toProgram: [Int32] = [0, 0], fromProgram: [Int32] = [0, 0]
        #expect(pipe(&toProgram) == 0 && pipe(&fromProgram) == 0)
        let hungUpAfterPlayback = NIOLockedValueBox<Bool?>(nil)
        var router = AGIRouter()
        router.on("answered") { session in
            #expect(session.arguments == ["a b", "c"])
            let playback = try await session.streamFile("/var/lib/asterisk/sounds/lab/greeting")
            #expect(playback.failed && playback.endpos == 10720)
            hungUpAfterPlayback.withLockedValue { $0 = session.isHungUp }
            try await session.verbose("x")
        }
        let (programInput, programOutput, routes) = (toProgram[0], fromProgram[1], router)
        let writeEnd = FileHandle(fileDescriptor: toProgram[1], closeOnDealloc: true)
        let readEnd = FileHandle(fileDescriptor: fromProgram[0], closeOnDealloc: true)
        try await withThrowingTaskGroup(of: AGISessionEnd?.self) { group in
            group.addTask {
                try await ProcessAGI.run(route: "answered", router: routes, input: programInput,
                                         output: programOutput, logger: testLogger)
            }
            group.addTask {
                try writeEnd.write(contentsOf: Data("agi_request: /usr/local/bin/touchbase\nagi_arg_1: a b\nagi_arg_2: c\n\n".utf8))
                #expect(Self.readLine(readEnd) == "STREAM FILE /var/lib/asterisk/sounds/lab/greeting \"\"")
                kill(getpid(), SIGHUP)
                try await Task.sleep(for: .milliseconds(100))
                try writeEnd.write(contentsOf: Data("200 result=-1 endpos=10720\n".utf8))
                #expect(Self.readLine(readEnd) == "VERBOSE \"x\" 1")
                try writeEnd.write(contentsOf: Data("200 result=1\n".utf8))
                try writeEnd.close()
                return nil
            }
            var ends: [AGISessionEnd] = []
            for try await end in group { if let end { ends.append(end) } }
            #expect(ends == [.completed])
        }
        close(programInput)
        close(programOutput)
        #expect(hungUpAfterPlayback.withLockedValue { $0 } == true)
    }

    static func readLine(_ handle: FileHandle) -> String {
        var bytes: [UInt8] = []
        while let byte = try? handle.read(upToCount: 1), let first = byte.first, first != 0x0A { bytes.append(first) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

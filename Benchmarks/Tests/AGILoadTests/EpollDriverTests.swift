#if os(Linux)
import AGI
import Foundation
import Logging
import NIOCore
import Testing

@testable import agi_load

@Suite("The epoll engine against a real FastAGI server")
struct EpollDriverTests {
    /// A FastAGI server with the eight-command voicemail-drop dialog.
    private func withBenchServer(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        var router = AGIRouter()
        router.on("bench") { session in
            for command in try [AGICommand.getVariable("AMDSTATUS"), .getVariable("AMDCAUSE"), .getVariable("TOUCHBASE_CALL"),
                                .exec("WaitForSilence", ["1500", "1", "20"]), .streamFile("touchbase/bench"),
                                .setVariable("CDR(userfield)", to: "tb-bench"), .verbose("done", level: 1), .hangup()] {
                try await session.send(command)
            }
        }
        let ports = AsyncStream.makeStream(of: Int.self)
        let server = FastAGIServer(configuration: .init(port: 0), router: router,
                                   logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })) {
            ports.continuation.yield($0.port!)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var iterator = ports.stream.makeAsyncIterator()
            let port = await iterator.next()!
            try await body(port)
            server.beginShutdown()
            try await group.waitForAll()
        }
    }

    /// Runs the blocking engine on a thread of its own, off Swift's cooperative pool, which the
    /// server under test and the other tests need.
    private func runEpoll(_ plan: LoadPlan, threads: Int) async throws -> LoadStats {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try AGILoad.runEpoll(plan, threads: threads) }) }.start()
        }
    }

    @Test("every session plays the whole dialog, with the playback held, and is counted once")
    func sessionsComplete() async throws {
        try await withBenchServer { port in
            let plan = LoadPlan(server: try SocketAddress(ipAddress: "127.0.0.1", port: port), route: "bench", concurrency: 8,
                                limit: .sessions(60), replies: .answeringMachine(playbackDelay: .milliseconds(20)),
                                ramp: .milliseconds(40), sessionTimeout: .seconds(20))
            let stats = try await runEpoll(plan, threads: 2)
            #expect(stats.completed == 60 && stats.reachedHangup == 60)
            #expect(stats.commands == 480 && stats.unknownCommands == 0)
            #expect(stats.errors == 0)
            #expect(stats.turnaround.totalCount == 60 * 7)
            #expect(stats.turnaround.valueAtPercentile(50) < 1_000_000_000)
        }
    }

    @Test("a refused connection is counted as a connect failure, not a session")
    func refused() async throws {
        let plan = LoadPlan(server: try SocketAddress(ipAddress: "127.0.0.1", port: 9), route: "bench", concurrency: 1,
                            limit: .sessions(3), replies: .answeringMachine(playbackDelay: .zero), ramp: .zero,
                            sessionTimeout: .seconds(5))
        let stats = try await runEpoll(plan, threads: 1)
        #expect(stats.connectFailures == 3 && stats.completed == 0)
    }
}
#endif

import ArgumentParser
import NIOCore
import NIOPosix

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `agi-load`: plays Asterisk's side of a voicemail-drop FastAGI dialog against any FastAGI
/// server, many sessions at once from one SwiftNIO event loop group, and prints sessions per
/// second, command turnaround percentiles, errors, and the server's peak resident memory.
@main
struct AGILoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agi-load",
        abstract: "Load a FastAGI server the way a busy Asterisk does.",
        discussion: """
            Each session connects, sends an agi_* environment for the route, answers every \
            command as Asterisk would (AMDSTATUS is MACHINE, STREAM FILE plays for \
            --playback-delay-ms), and waits for the server to close. Turnaround is the time from \
            an answer written to the server's next command received. Loopback servers only.
            """)

    @Option(help: "The server's address (a loopback address).")
    var host = "127.0.0.1"

    @Option(help: "The server's FastAGI port.")
    var port = 4573

    @Option(help: "The route (agi_network_script).")
    var route = "bench"

    @Option(help: "Sessions in progress at once.")
    var concurrency = 100

    @Option(help: "Stop after this many sessions in all.")
    var sessions: Int?

    @Option(help: "Stop starting sessions after this many seconds (default 10 unless --sessions).")
    var duration: Double?

    @Option(name: .customLong("playback-delay-ms"), help: "How long STREAM FILE plays before Asterisk answers.")
    var playbackDelayMs = 0

    @Option(name: .customLong("ramp-ms"), help: "Spread the first sessions' starts over this many milliseconds.")
    var rampMs = 0

    @Option(name: .customLong("session-timeout-ms"), help: "Close a session still open after this long (counted as an error).")
    var sessionTimeoutMs = 30_000

    @Option(help: "Event loop threads of the generator.")
    var threads = 1

    @Option(name: .customLong("server-pid"), help: "The server's process id, to sample its resident memory and CPU time.")
    var serverPID: Int32?

    @Option(name: .customLong("call-id-prefix"),
            help: "Answer GET VARIABLE TOUCHBASE_CALL with this prefix and the session's number (1, 2, ...), for a store seeded by `touchbase bench-seed`.")
    var callIDPrefix: String?

    @Option(help: "epoll (raw non-blocking sockets, the lean default on Linux) or nio (SwiftNIO channels).")
    var engine = Self.defaultEngine

    #if os(Linux)
    static let defaultEngine = "epoll"
    #else
    static let defaultEngine = "nio"
    #endif

    @Flag(help: "Print the figures as one JSON object.")
    var json = false

    func validate() throws {
        if sessions != nil && duration != nil { throw ValidationError("give --sessions or --duration, not both") }
        if let sessions, sessions < 1 { throw ValidationError("--sessions must be at least 1") }
        if let duration, !(duration > 0 && duration <= 3600) { throw ValidationError("--duration must be over 0 and at most 3600 seconds") }
        guard (1...100_000).contains(concurrency) else { throw ValidationError("--concurrency must be 1 to 100000") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1 to 64") }
        guard (0...600_000).contains(playbackDelayMs) else { throw ValidationError("--playback-delay-ms must be 0 to 600000") }
        guard (0...600_000).contains(rampMs) else { throw ValidationError("--ramp-ms must be 0 to 600000") }
        guard (1...3_600_000).contains(sessionTimeoutMs) else { throw ValidationError("--session-timeout-ms must be 1 to 3600000") }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1 to 65535") }
        guard engine == "nio" || (engine == "epoll" && Self.defaultEngine == "epoll") else {
            throw ValidationError("--engine must be nio\(Self.defaultEngine == "epoll" ? " or epoll" : " on this system")")
        }
        if let callIDPrefix, !callIDPrefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) }) {
            throw ValidationError("--call-id-prefix may hold only letters, digits, '-' and '_'")
        }
        guard !route.isEmpty, route.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "\n" }) else {
            throw ValidationError("--route must be a non-empty word without spaces")
        }
    }

    func run() throws {
        let server = try SocketAddress(ipAddress: host, port: port)
        guard Self.isLoopback(server) else {
            throw ValidationError("--host \(host) is not a loopback address; agi-load loads only servers on this machine")
        }
        let limit: LoadPlan.Limit = sessions.map { .sessions($0) }
            ?? .duration(.nanoseconds(Int64((duration ?? 10) * 1_000_000_000)))
        let plan = LoadPlan(server: server, route: route, concurrency: concurrency, limit: limit,
                            replies: .answeringMachine(playbackDelay: .milliseconds(Int64(playbackDelayMs))),
                            ramp: .milliseconds(Int64(rampMs)), sessionTimeout: .milliseconds(Int64(sessionTimeoutMs)),
                            callIDPrefix: callIDPrefix)

        let serverProcess = serverPID.map(ServerProcess.init(pid:))
        let sampler = serverProcess.map { MemorySampler(process: $0) }
        let serverCPUBefore = serverProcess?.cpuSeconds()
        let ownCPUBefore = ownCPUSeconds()
        let startMemory = serverProcess?.memory()

        let started = NIODeadline.now()
        let stats: LoadStats
        if engine == "epoll" {
            stats = try Self.runEpoll(plan, threads: threads)
        } else {
            let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
            defer { try? group.syncShutdownGracefully() }
            stats = try Self.run(plan, on: group, startedAt: started).wait()
        }
        let elapsed = NIODeadline.now() - started

        let peakSampled = sampler?.stop() ?? 0
        let endMemory = serverProcess?.memory()
        let report = LoadReport(
            plan: plan, threads: threads, elapsed: elapsed, stats: stats,
            serverPID: serverPID,
            serverStartRSSKiB: startMemory?.residentKiB,
            serverPeakRSSKiB: serverProcess.map { _ in max(peakSampled, endMemory?.peakResidentKiB ?? 0) },
            serverCPUSeconds: serverCPUBefore.flatMap { before in serverProcess?.cpuSeconds().map { $0 - before } },
            generatorCPUSeconds: ownCPUSeconds() - ownCPUBefore)
        print(json ? report.json() : report.text())
    }

    /// Spreads the plan over the group's loops and returns the merged figures once all are done.
    static func run(_ plan: LoadPlan, on group: MultiThreadedEventLoopGroup,
                    startedAt: NIODeadline) -> EventLoopFuture<LoadStats> {
        let loops = Array(group.makeIterator())
        let stopStartingAt: NIODeadline? = if case .duration(let span) = plan.limit { startedAt + span } else { nil }
        let rampStep = plan.concurrency > 1 ? plan.ramp.nanoseconds / Int64(plan.concurrency) : 0
        var futures: [EventLoopFuture<LoadStats>] = []
        for (index, loop) in loops.enumerated() {
            let share = { (total: Int) in total / loops.count + (index < total % loops.count ? 1 : 0) }
            let slots = Array(stride(from: index, to: plan.concurrency, by: loops.count))
            let offsets = slots.map { TimeAmount.nanoseconds(rampStep * Int64($0)) }
            let budget: Int? = if case .sessions(let total) = plan.limit { share(total) } else { nil }
            let firstNumber = index * 1_000_000_000
            futures.append(loop.flatSubmit {
                LoopDriver(loop: loop, plan: plan, sessionBudget: budget, stopStartingAt: stopStartingAt,
                           firstSessionNumber: firstNumber).start(rampOffsets: offsets)
            })
        }
        return EventLoopFuture.reduce(into: LoadStats(), futures, on: loops[0]) { $0.merge($1) }
    }

    /// Spreads the plan over `threads` epoll drivers, one thread each, and merges their figures.
    static func runEpoll(_ plan: LoadPlan, threads: Int) throws -> LoadStats {
        #if os(Linux)
        let start = EpollDriver.now()
        let stopStartingAt: UInt64? = if case .duration(let span) = plan.limit { start + UInt64(span.nanoseconds) } else { nil }
        let rampStep = plan.concurrency > 1 ? UInt64(plan.ramp.nanoseconds) / UInt64(plan.concurrency) : 0
        var drivers: [(EpollDriver, [UInt64])] = []
        for index in 0..<threads {
            let slots = Array(stride(from: index, to: plan.concurrency, by: threads))
            let budget: Int? = if case .sessions(let total) = plan.limit { total / threads + (index < total % threads ? 1 : 0) } else { nil }
            let driver = try EpollDriver(plan: plan, slots: slots.count, sessionBudget: budget, stopStartingAt: stopStartingAt,
                                         firstSessionNumber: index * 1_000_000_000)
            drivers.append((driver, slots.map { UInt64($0) * rampStep }))
        }
        return EpollDriver.runAll(drivers)
        #else
        throw ValidationError("the epoll engine needs Linux")
        #endif
    }

    static func isLoopback(_ address: SocketAddress) -> Bool {
        switch address {
        case .v4: return address.ipAddress?.hasPrefix("127.") ?? false
        case .v6: return address.ipAddress == "::1"
        default: return false
        }
    }
}

/// Samples the server's resident memory every 20 ms on a thread of its own, so that a short
/// peak between two reads of VmHWM is not missed and the load's loops are not disturbed.
final class MemorySampler: Sendable {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let task: RepeatedTask
    private let peak: NIOLoopBound<Box>

    private final class Box { var kib = 0 }

    init(process: ServerProcess) {
        let loop = group.next()
        // A loop-bound value must be made on its loop.
        let peak = try! loop.submit { NIOLoopBound(Box(), eventLoop: loop) }.wait()
        self.peak = peak
        task = loop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(20)) { _ in
            if let memory = process.memory() {
                peak.value.kib = max(peak.value.kib, memory.residentKiB, memory.peakResidentKiB)
            }
        }
    }

    /// Stops sampling and returns the highest resident size seen, in KiB.
    func stop() -> Int {
        let loop = peak.eventLoop
        let peak = self.peak
        let result = (try? loop.submit { () -> Int in
            self.task.cancel()
            return peak.value.kib
        }.wait()) ?? 0
        try? group.syncShutdownGracefully()
        return result
    }
}


import NIOCore
import NIOPosix

/// Runs one event loop's share of the sessions: a number of slots, each of which starts a new
/// session as soon as its previous one ends, until the plan's limit.
///
/// Every method runs on ``loop``; figures are kept per loop so that no lock sits on the
/// measured path, and merged once all loops are done.
final class LoopDriver {
    /// The event loop every session of this driver runs on.
    let loop: any EventLoop
    /// The run's plan.
    let plan: LoadPlan
    /// This loop's figures so far.
    var stats = LoadStats()

    private var sessionsLeft: Int?
    private let stopStartingAt: NIODeadline?
    private var slotsRunning = 0
    private var nextSessionNumber: Int
    private let finished: EventLoopPromise<LoadStats>

    /// - Parameters:
    ///   - loop: the loop to run on.
    ///   - plan: the run's plan.
    ///   - sessionBudget: this loop's share of the sessions, or nil for a timed run.
    ///   - stopStartingAt: when a timed run stops starting sessions.
    ///   - firstSessionNumber: makes unique ids differ across loops.
    init(loop: any EventLoop, plan: LoadPlan, sessionBudget: Int?, stopStartingAt: NIODeadline?,
         firstSessionNumber: Int) {
        self.loop = loop
        self.plan = plan
        self.sessionsLeft = sessionBudget
        self.stopStartingAt = stopStartingAt
        self.nextSessionNumber = firstSessionNumber
        self.finished = loop.makePromise()
    }

    /// Starts the slots; the future completes with this loop's figures once the last slot stops.
    ///
    /// - Parameters:
    ///   - slots: how many sessions this loop keeps in progress.
    ///   - rampOffsets: when each slot starts its first session, relative to now.
    func start(rampOffsets: [TimeAmount]) -> EventLoopFuture<LoadStats> {
        loop.preconditionInEventLoop()
        slotsRunning = rampOffsets.count
        if rampOffsets.isEmpty {
            finished.succeed(stats)
        } else {
            probeLag(at: .now() + Self.lagProbeInterval)
        }
        for offset in rampOffsets {
            if offset > .zero {
                loop.assumeIsolated().scheduleTask(in: offset) { self.runSlot() }
            } else {
                runSlot()
            }
        }
        return finished.futureResult
    }

    /// An answer ready to write, remembered per command line: a session repeats the same few
    /// lines, and the generator's own work is kept small so that the server's shows.
    struct PreparedReply {
        var bytes: ByteBuffer
        var delay: TimeAmount
        var isUnknown: Bool
        var isHangup: Bool
    }
    private var preparedReplies: [String: PreparedReply] = [:]

    /// The answer to a command line, from the plan's ``AsteriskReplies``.
    func reply(to line: String) -> PreparedReply {
        if let prepared = preparedReplies[line] { return prepared }
        let reply = plan.replies.reply(to: line)
        let prepared = PreparedReply(
            bytes: ByteBuffer(string: reply.line + "\n"), delay: reply.delay,
            isUnknown: reply.line.hasPrefix("510"),
            isHangup: line.split(separator: " ", maxSplits: 1).first?.uppercased() == "HANGUP")
        // Bounded: a server that sends ever-new lines gets answers, not a growing table.
        if preparedReplies.count < 256 { preparedReplies[line] = prepared }
        return prepared
    }

    private static let lagProbeInterval = TimeAmount.milliseconds(10)

    /// Measures how late this loop runs a task due at `deadline`: the generator's own share of
    /// any turnaround, which a busy generator would add to the server's.
    private func probeLag(at deadline: NIODeadline) {
        loop.assumeIsolated().scheduleTask(deadline: deadline) {
            let now = NIODeadline.now()
            self.stats.loopLag.record(UInt64(max(0, (now - deadline).nanoseconds)))
            if self.slotsRunning > 0 { self.probeLag(at: now + Self.lagProbeInterval) }
        }
    }

    /// Records how a session ended and starts the slot's next one.
    func sessionEnded(_ end: SessionEnd) {
        stats.record(end)
        runSlot()
    }

    private func runSlot() {
        let mayStart: Bool
        if let left = sessionsLeft {
            mayStart = left > 0
            if mayStart { sessionsLeft = left - 1 }
        } else {
            mayStart = NIODeadline.now() < (stopStartingAt ?? .distantPast)
        }
        guard mayStart else {
            slotsRunning -= 1
            if slotsRunning == 0 { finished.succeed(stats) }
            return
        }
        nextSessionNumber += 1
        let sessionNumber = nextSessionNumber
        let environment = plan.environment(sessionNumber: sessionNumber)
        let driver = NIOLoopBound(self, eventLoop: loop)
        ClientBootstrap(group: loop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        AsteriskSideHandler(driver: driver.value, environment: environment, sessionNumber: sessionNumber))
                }
            }
            .connect(to: plan.server)
            .assumeIsolated()
            .whenFailure { _ in
                self.stats.connectFailures += 1
                // A pause, so a server that refuses does not turn the run into a busy loop.
                self.loop.assumeIsolated().scheduleTask(in: .milliseconds(10)) { self.runSlot() }
            }
    }
}

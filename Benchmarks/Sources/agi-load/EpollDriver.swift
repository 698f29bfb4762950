#if os(Linux)
import CEpoll
import Foundation
import Glibc
import NIOConcurrencyHelpers
import NIOCore

/// Plays Asterisk's side of many FastAGI sessions from one thread with raw non-blocking sockets
/// and epoll: the leanest generator this machine can run, so that the server's cost shows and
/// not the generator's. The same plan, replies and figures as the SwiftNIO engine
/// (``LoopDriver``), which stays for its EmbeddedChannel tests and for other platforms.
///
/// Each slot runs one session at a time: connect, write the environment, answer each command
/// line as ``AsteriskReplies`` says (a STREAM FILE answer waits for the playback delay, and the
/// next line is read only then, as Asterisk does), and wait for the server to close.
final class EpollDriver {
    let plan: LoadPlan
    private(set) var stats = LoadStats()

    private struct Slot {
        var fd: Int32 = -1
        var connecting = false
        var inbound: [UInt8] = []
        var outbound: [UInt8] = []
        var answeredAt: UInt64?
        var commands = 0
        var sawHangup = false
        var sessionNumber = 0
        var deadline: UInt64 = 0
        var inPlayback = false
    }

    private enum TimerKind {
        case startSession
        case playbackDone([UInt8], session: Int)
        case probeLag
    }

    private struct Timer {
        var deadline: UInt64
        var sequence: UInt64
        var slot: Int
        var kind: TimerKind
    }

    private let epfd: Int32
    private var slots: [Slot]
    private var timers: [Timer] = []
    private var timerSequence: UInt64 = 0
    private var sessionsLeft: Int?
    private let stopStartingAt: UInt64?
    private var nextSessionNumber: Int
    private var activeSlots: Int
    private var replies: [String: (bytes: [UInt8], delay: UInt64, isUnknown: Bool, isHangup: Bool)] = [:]
    private var address = sockaddr_in()
    private var nextTimeoutScan: UInt64 = 0

    /// - Parameters:
    ///   - plan: the run's plan (IPv4 loopback servers).
    ///   - slots: how many sessions this driver keeps in progress.
    ///   - firstSlot: this driver's first slot among all drivers (for the ramp).
    ///   - sessionBudget: this driver's share of the sessions, or nil for a timed run.
    ///   - stopStartingAt: when a timed run stops starting sessions (monotonic ns).
    ///   - firstSessionNumber: makes unique ids differ across drivers.
    init(plan: LoadPlan, slots: Int, sessionBudget: Int?, stopStartingAt: UInt64?, firstSessionNumber: Int) throws {
        self.plan = plan
        self.slots = Array(repeating: Slot(), count: slots)
        self.sessionsLeft = sessionBudget
        self.stopStartingAt = stopStartingAt
        self.nextSessionNumber = firstSessionNumber
        self.activeSlots = slots
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epfd >= 0 else { throw EpollError("epoll_create1", errno) }
        guard case .v4(let v4) = plan.server else { throw EpollError("the epoll engine takes IPv4 addresses", 0) }
        address = v4.address
    }

    deinit { close(epfd) }

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Runs every slot's sessions to the plan's limit and returns the figures.
    ///
    /// - Parameter rampOffsets: when each slot starts its first session, in ns from now.
    func run(rampOffsets: [UInt64]) -> LoadStats {
        let start = Self.now()
        for (slot, offset) in rampOffsets.enumerated() {
            if offset == 0 { startSession(slot) } else { schedule(start + offset, slot: slot, .startSession) }
        }
        schedule(start + 10_000_000, slot: -1, .probeLag)
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while activeSlots > 0 {
            let now = Self.now()
            var timeout: Int32 = 100
            if let first = timers.first {
                timeout = first.deadline <= now ? 0 : Int32(min(100, (first.deadline - now + 999_999) / 1_000_000))
            }
            let count = epoll_wait(epfd, &events, Int32(events.count), timeout)
            if count < 0 && errno != EINTR { break }
            for index in 0..<max(0, Int(count)) {
                let slot = Int(events[index].data.u64)
                let flags = events[index].events
                handle(slot: slot, flags: flags)
            }
            runDueTimers()
            scanTimeouts()
        }
        return stats
    }

    // MARK: sessions

    private func startSession(_ slot: Int) {
        let mayStart: Bool
        if let left = sessionsLeft {
            mayStart = left > 0
            if mayStart { sessionsLeft = left - 1 }
        } else {
            mayStart = Self.now() < (stopStartingAt ?? 0)
        }
        guard mayStart else {
            activeSlots -= 1
            return
        }
        nextSessionNumber += 1
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            stats.connectFailures += 1
            schedule(Self.now() + 10_000_000, slot: slot, .startSession)
            return
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        slots[slot] = Slot(fd: fd, connecting: true, sessionNumber: nextSessionNumber,
                           deadline: Self.now() + UInt64(plan.sessionTimeout.nanoseconds))
        var target = address
        let result = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 && errno != EINPROGRESS {
            close(fd)
            slots[slot].fd = -1
            stats.connectFailures += 1
            schedule(Self.now() + 10_000_000, slot: slot, .startSession)
            return
        }
        var event = epoll_event(events: EPOLLOUT.rawValue, data: epoll_data_t(u64: UInt64(slot)))
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event)
    }

    private func endSession(_ slot: Int, _ end: SessionEnd) {
        close(slots[slot].fd)
        slots[slot].fd = -1
        stats.record(end)
        if case .failed = end, slots[slot].commands == 0, slots[slot].connecting {
            stats.failures -= 1
            stats.connectFailures += 1
            schedule(Self.now() + 10_000_000, slot: slot, .startSession)
            return
        }
        startSession(slot)
    }

    private func handle(slot: Int, flags: UInt32) {
        guard slots[slot].fd >= 0 else { return }
        if slots[slot].connecting {
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(slots[slot].fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0, flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) == 0 else {
                endSession(slot, .failed)
                return
            }
            slots[slot].connecting = false
            var event = epoll_event(events: EPOLLIN.rawValue | EPOLLRDHUP.rawValue, data: epoll_data_t(u64: UInt64(slot)))
            epoll_ctl(epfd, EPOLL_CTL_MOD, slots[slot].fd, &event)
            send(slot, Array(plan.environment(sessionNumber: slots[slot].sessionNumber).utf8))
            return
        }
        if flags & EPOLLOUT.rawValue != 0 { flush(slot) }
        if flags & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 { receive(slot) }
    }

    private func receive(_ slot: Int) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while slots[slot].fd >= 0 {
            let count = buffer.withUnsafeMutableBytes { recv(slots[slot].fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                slots[slot].inbound += buffer[0..<count]
                continue
            }
            if count == 0 {
                answerLines(slot)
                guard slots[slot].fd >= 0 else { return }
                let commands = slots[slot].commands
                endSession(slot, commands == 0 ? .closedBeforeCommand : .closedByServer(sawHangup: slots[slot].sawHangup))
                return
            }
            if errno == EAGAIN || errno == EWOULDBLOCK { break }
            if errno == EINTR { continue }
            endSession(slot, .failed)
            return
        }
        answerLines(slot)
    }

    /// Answers the complete lines received, one at a time, stopping during a playback.
    private func answerLines(_ slot: Int) {
        while slots[slot].fd >= 0, !slots[slot].inPlayback {
            guard let newline = slots[slot].inbound.firstIndex(of: UInt8(ascii: "\n")) else {
                if slots[slot].inbound.count > plan.maximumLineLength { endSession(slot, .protocolViolation) }
                return
            }
            var end = newline
            if end > 0 && slots[slot].inbound[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = String(decoding: slots[slot].inbound[0..<end], as: UTF8.self)
            slots[slot].inbound.removeSubrange(0...newline)
            answer(slot, line)
        }
    }

    private func answer(_ slot: Int, _ line: String) {
        let now = Self.now()
        if let answeredAt = slots[slot].answeredAt {
            let waited = now > answeredAt ? now - answeredAt : 0
            if slots[slot].commands == 0 { stats.firstCommand.record(waited) } else { stats.turnaround.record(waited) }
            slots[slot].answeredAt = nil
        }
        slots[slot].commands += 1
        stats.commands += 1
        if let prefix = plan.callIDPrefix, line == "GET VARIABLE TOUCHBASE_CALL" {
            send(slot, Array("200 result=1 (\(prefix)\(slots[slot].sessionNumber))\n".utf8))
            return
        }
        let reply = self.reply(to: line)
        if reply.isUnknown { stats.unknownCommands += 1 }
        if reply.isHangup { slots[slot].sawHangup = true }
        if reply.delay == 0 {
            send(slot, reply.bytes)
        } else {
            slots[slot].inPlayback = true
            schedule(now + reply.delay, slot: slot, .playbackDone(reply.bytes, session: slots[slot].sessionNumber))
        }
    }

    private func reply(to line: String) -> (bytes: [UInt8], delay: UInt64, isUnknown: Bool, isHangup: Bool) {
        if let known = replies[line] { return known }
        let reply = plan.replies.reply(to: line)
        let prepared = (Array((reply.line + "\n").utf8), UInt64(max(0, reply.delay.nanoseconds)), reply.line.hasPrefix("510"),
                        line.split(separator: " ", maxSplits: 1).first?.uppercased() == "HANGUP")
        if replies.count < 256 { replies[line] = prepared }
        return prepared
    }

    /// Writes the environment or an answer; marks when it left, for the turnaround.
    private func send(_ slot: Int, _ bytes: [UInt8]) {
        slots[slot].outbound += bytes
        flush(slot)
        slots[slot].answeredAt = Self.now()
    }

    private func flush(_ slot: Int) {
        while slots[slot].fd >= 0, !slots[slot].outbound.isEmpty {
            let count = slots[slot].outbound.withUnsafeBytes { Glibc.send(slots[slot].fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                slots[slot].outbound.removeFirst(count)
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                var event = epoll_event(events: EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue, data: epoll_data_t(u64: UInt64(slot)))
                epoll_ctl(epfd, EPOLL_CTL_MOD, slots[slot].fd, &event)
                return
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                endSession(slot, .failed)
                return
            }
        }
    }

    // MARK: timers

    private func schedule(_ deadline: UInt64, slot: Int, _ kind: TimerKind) {
        timerSequence += 1
        timers.append(Timer(deadline: deadline, sequence: timerSequence, slot: slot, kind: kind))
        var child = timers.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(timers[child], timers[parent]) else { break }
            timers.swapAt(child, parent)
            child = parent
        }
    }

    private static func before(_ a: Timer, _ b: Timer) -> Bool {
        a.deadline < b.deadline || (a.deadline == b.deadline && a.sequence < b.sequence)
    }

    private func popTimer() -> Timer {
        let first = timers[0]
        let last = timers.removeLast()
        if !timers.isEmpty {
            timers[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < timers.count && Self.before(timers[left], timers[smallest]) { smallest = left }
                if right < timers.count && Self.before(timers[right], timers[smallest]) { smallest = right }
                guard smallest != parent else { break }
                timers.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }

    private func runDueTimers() {
        let now = Self.now()
        while let first = timers.first, first.deadline <= now {
            let timer = popTimer()
            switch timer.kind {
            case .startSession:
                startSession(timer.slot)
            case .playbackDone(let bytes, let session):
                // The session may have ended meanwhile and the slot moved on to the next.
                guard slots[timer.slot].fd >= 0, slots[timer.slot].sessionNumber == session else { continue }
                slots[timer.slot].inPlayback = false
                send(timer.slot, bytes)
                answerLines(timer.slot)
            case .probeLag:
                stats.loopLag.record(now - timer.deadline)
                if activeSlots > 0 { schedule(now + 10_000_000, slot: -1, .probeLag) }
            }
        }
    }

    private func scanTimeouts() {
        let now = Self.now()
        guard now >= nextTimeoutScan else { return }
        nextTimeoutScan = now + 100_000_000
        for slot in slots.indices where slots[slot].fd >= 0 && slots[slot].deadline <= now {
            endSession(slot, .timedOut)
        }
    }
}

extension EpollDriver {
    /// Runs each driver on a thread of its own and merges their figures.
    static func runAll(_ drivers: [(EpollDriver, [UInt64])]) -> LoadStats {
        let results = NIOLockedValueBox<[LoadStats]>([])
        let done = DispatchGroup()
        for (driver, offsets) in drivers {
            let box = UncheckedBox(driver)
            done.enter()
            Thread {
                let stats = box.value.run(rampOffsets: offsets)
                results.withLockedValue { $0.append(stats) }
                done.leave()
            }.start()
        }
        done.wait()
        return results.withLockedValue { $0 }.reduce(into: LoadStats()) { $0.merge($1) }
    }
}

/// Hands a value to the one thread that uses it from then on.
final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A system call of the epoll engine failed.
struct EpollError: Error, CustomStringConvertible {
    var call: String
    var code: Int32
    init(_ call: String, _ code: Int32) {
        self.call = call
        self.code = code
    }
    var description: String { code == 0 ? call : "\(call): \(String(cString: strerror(code)))" }
}
#endif

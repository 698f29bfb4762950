import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The figures of one run, as text for people or JSON for `Benchmarks/run`.
struct LoadReport {
    let plan: LoadPlan
    let threads: Int
    let elapsed: TimeAmount
    let stats: LoadStats
    let serverPID: Int32?
    let serverStartRSSKiB: Int?
    let serverPeakRSSKiB: Int?
    let serverCPUSeconds: Double?
    let generatorCPUSeconds: Double

    private var seconds: Double { Double(elapsed.nanoseconds) / 1e9 }
    private var sessionsPerSecond: Double { seconds > 0 ? Double(stats.completed) / seconds : 0 }
    private func milliseconds(atPercentile p: Double) -> Double {
        Double(stats.turnaround.valueAtPercentile(p)) / 1e6
    }
    private func firstCommandMilliseconds(atPercentile p: Double) -> Double {
        Double(stats.firstCommand.valueAtPercentile(p)) / 1e6
    }
    private var maximumMilliseconds: Double { Double(stats.turnaround.maxRecorded) / 1e6 }

    /// Several lines for a terminal.
    func text() -> String {
        let limit = switch plan.limit {
        case .sessions(let count): "\(count) sessions"
        case .duration(let span): "\(fixed(Double(span.nanoseconds) / 1e9, 1)) s"
        }
        var lines = [
            "agi-load → \(plan.server.ipAddress ?? "?"):\(plan.server.port ?? 0)/\(plan.route): "
                + "\(plan.concurrency) at once, \(limit), STREAM FILE plays "
                + "\(plan.replies.playbackDelay.nanoseconds / 1_000_000) ms, \(threads) event loop thread(s)",
            "sessions     \(stats.completed) in \(fixed(seconds, 2)) s = \(fixed(sessionsPerSecond, 1))/s"
                + " (\(stats.reachedHangup) reached HANGUP)",
            "commands     \(stats.commands) (\(fixed(stats.completed > 0 ? Double(stats.commands) / Double(stats.completed) : 0, 2)) per session),"
                + " \(stats.unknownCommands) answered 510",
            "turnaround   p50 \(fixed(milliseconds(atPercentile: 50), 3)) ms   p90 \(fixed(milliseconds(atPercentile: 90), 3)) ms"
                + "   p99 \(fixed(milliseconds(atPercentile: 99), 3)) ms   p99.9 \(fixed(milliseconds(atPercentile: 99.9), 3)) ms"
                + "   max \(fixed(maximumMilliseconds, 3)) ms   (\(stats.turnaround.totalCount) samples)",
            "first cmd    p50 \(fixed(firstCommandMilliseconds(atPercentile: 50), 3)) ms"
                + "   p99 \(fixed(firstCommandMilliseconds(atPercentile: 99), 3)) ms"
                + "   max \(fixed(Double(stats.firstCommand.maxRecorded) / 1e6, 3)) ms   (environment to first command)",
            "errors       \(stats.errors) (connect \(stats.connectFailures), closed before a command \(stats.closedBeforeCommand),"
                + " reset \(stats.failures), timed out \(stats.timeouts), overlong line \(stats.protocolViolations))",
        ]
        if let serverPID {
            lines.append("server       pid \(serverPID): peak RSS \(mebibytes(serverPeakRSSKiB)) MiB"
                + " (at start \(mebibytes(serverStartRSSKiB)) MiB), CPU \(fixed(serverCPUSeconds ?? 0, 2)) s")
        }
        lines.append("generator    CPU \(fixed(generatorCPUSeconds, 2)) s, event loop lag p99 "
            + "\(fixed(Double(stats.loopLag.valueAtPercentile(99)) / 1e6, 3)) ms, max \(fixed(Double(stats.loopLag.maxRecorded) / 1e6, 3)) ms")
        return lines.joined(separator: "\n")
    }

    /// One JSON object.
    func json() -> String {
        struct Figures: Encodable {
            var route: String
            var concurrency: Int
            var playback_delay_ms: Int64
            var threads: Int
            var elapsed_s: Double
            var sessions: Int
            var sessions_reached_hangup: Int
            var sessions_per_s: Double
            var commands: Int
            var unknown_commands: Int
            var turnaround_samples: UInt64
            var turnaround_p50_ms: Double
            var turnaround_p90_ms: Double
            var turnaround_p99_ms: Double
            var turnaround_p999_ms: Double
            var turnaround_max_ms: Double
            var first_command_p50_ms: Double
            var first_command_p99_ms: Double
            var first_command_max_ms: Double
            var errors: Int
            var connect_failures: Int
            var closed_before_command: Int
            var resets: Int
            var timeouts: Int
            var overlong_lines: Int
            var server_pid: Int32?
            var server_start_rss_kib: Int?
            var server_peak_rss_kib: Int?
            var server_cpu_s: Double?
            var generator_cpu_s: Double
            var generator_loop_lag_p99_ms: Double
            var generator_loop_lag_max_ms: Double
        }
        let figures = Figures(
            route: plan.route, concurrency: plan.concurrency,
            playback_delay_ms: plan.replies.playbackDelay.nanoseconds / 1_000_000, threads: threads,
            elapsed_s: seconds, sessions: stats.completed, sessions_reached_hangup: stats.reachedHangup,
            sessions_per_s: sessionsPerSecond, commands: stats.commands, unknown_commands: stats.unknownCommands,
            turnaround_samples: stats.turnaround.totalCount,
            turnaround_p50_ms: milliseconds(atPercentile: 50), turnaround_p90_ms: milliseconds(atPercentile: 90),
            turnaround_p99_ms: milliseconds(atPercentile: 99), turnaround_p999_ms: milliseconds(atPercentile: 99.9),
            turnaround_max_ms: maximumMilliseconds,
            first_command_p50_ms: firstCommandMilliseconds(atPercentile: 50),
            first_command_p99_ms: firstCommandMilliseconds(atPercentile: 99),
            first_command_max_ms: Double(stats.firstCommand.maxRecorded) / 1e6, errors: stats.errors,
            connect_failures: stats.connectFailures, closed_before_command: stats.closedBeforeCommand,
            resets: stats.failures, timeouts: stats.timeouts, overlong_lines: stats.protocolViolations,
            server_pid: serverPID, server_start_rss_kib: serverStartRSSKiB, server_peak_rss_kib: serverPeakRSSKiB,
            server_cpu_s: serverCPUSeconds, generator_cpu_s: generatorCPUSeconds,
            generator_loop_lag_p99_ms: Double(stats.loopLag.valueAtPercentile(99)) / 1e6,
            generator_loop_lag_max_ms: Double(stats.loopLag.maxRecorded) / 1e6)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(figures)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private func mebibytes(_ kib: Int?) -> String {
        kib.map { fixed(Double($0) / 1024, 1) } ?? "?"
    }
}

/// `value` with `digits` decimals, without Foundation's formatters.
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int64((abs(value) * scale).rounded())
    let whole = scaled / Int64(scale)
    var fraction = String(scaled % Int64(scale))
    while fraction.count < digits { fraction = "0" + fraction }
    let sign = value < 0 && scaled != 0 ? "-" : ""
    return digits == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
}

import Foundation
import NIOConcurrencyHelpers

/// The figures `touchbase serve` exposes to Prometheus: calls by outcome, messages by step,
/// text-to-speech latency and failures, AGI sessions in flight, dialer calls under way.
///
/// Counters live in memory and start at zero with each process, as Prometheus expects; the call
/// log in the store is the durable record.
public final class TouchBaseMetrics: Sendable {
    private struct State {
        var calls: [String: Int] = [:]
        var messages: [Int: Int] = [:]
        var ttsSeconds: [String: (count: Int, sum: Double, buckets: [Int])] = [:]
        var ttsFailures: [String: Int] = [:]
        var ttsFallbacks = 0
        var reconciled = 0
        var notPlaced = 0
        var agiSessions: (@Sendable () -> Int)?
        var dialerOpenCalls = 0
    }

    /// Upper bounds of the TTS latency histogram, in seconds.
    static let ttsBuckets: [Double] = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30]

    private let state = NIOLockedValueBox(State())

    /// Creates empty metrics.
    public init() {}

    /// Counts a call's outcome (`voicemail`, `busy`, ...).
    public func callFinished(outcome: String) { state.withLockedValue { $0.calls[outcome, default: 0] += 1 } }
    /// Counts a message left.
    public func messageLeft(step: Int) { state.withLockedValue { $0.messages[step, default: 0] += 1 } }
    /// Records one synthesis by a voice and how long it took.
    public func synthesized(voice: String, seconds: Double) {
        state.withLockedValue { state in
            var entry = state.ttsSeconds[voice] ?? (0, 0, Array(repeating: 0, count: Self.ttsBuckets.count))
            entry.count += 1
            entry.sum += seconds
            for (index, bound) in Self.ttsBuckets.enumerated() where seconds <= bound { entry.buckets[index] += 1 }
            state.ttsSeconds[voice] = entry
        }
    }
    /// Counts a message no voice could speak.
    public func synthesisFailed(voice: String) { state.withLockedValue { $0.ttsFailures[voice, default: 0] += 1 } }
    /// Counts a message spoken by a fallback voice because the first choice failed.
    public func fallbackSpoke() { state.withLockedValue { $0.ttsFallbacks += 1 } }
    /// Counts a call settled by reconciliation (no report from Asterisk in time).
    public func reconciled() { state.withLockedValue { $0.reconciled += 1 } }
    /// Counts a call Asterisk did not take.
    public func notPlaced() { state.withLockedValue { $0.notPlaced += 1 } }
    /// Sets the dialer's calls under way.
    public func dialerOpenCalls(_ count: Int) { state.withLockedValue { $0.dialerOpenCalls = count } }
    /// Where the AGI sessions in flight are read from.
    public func readAGISessions(_ read: @escaping @Sendable () -> Int) { state.withLockedValue { $0.agiSessions = read } }

    /// The calls counted for an outcome.
    public func calls(outcome: String) -> Int { state.withLockedValue { $0.calls[outcome] ?? 0 } }

    /// The figures in Prometheus' text exposition format (version 0.0.4).
    public func exposition() -> String {
        let state = state.withLockedValue { $0 }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) { out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n" }
        func label(_ value: String) -> String {
            value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
        family("touchbase_calls_total", "counter", "Calls by outcome.")
        for (outcome, count) in state.calls.sorted(by: { $0.key < $1.key }) {
            out += "touchbase_calls_total{outcome=\"\(label(outcome))\"} \(count)\n"
        }
        family("touchbase_messages_left_total", "counter", "Voicemail messages left, by step.")
        for (step, count) in state.messages.sorted(by: { $0.key < $1.key }) { out += "touchbase_messages_left_total{step=\"\(step)\"} \(count)\n" }
        family("touchbase_tts_seconds", "histogram", "Text-to-speech synthesis time by voice, cache hits excluded.")
        for (voice, entry) in state.ttsSeconds.sorted(by: { $0.key < $1.key }) {
            for (index, bound) in Self.ttsBuckets.enumerated() {
                out += "touchbase_tts_seconds_bucket{voice=\"\(label(voice))\",le=\"\(bound)\"} \(entry.buckets[index])\n"
            }
            out += "touchbase_tts_seconds_bucket{voice=\"\(label(voice))\",le=\"+Inf\"} \(entry.count)\n"
            out += "touchbase_tts_seconds_sum{voice=\"\(label(voice))\"} \(entry.sum)\n"
            out += "touchbase_tts_seconds_count{voice=\"\(label(voice))\"} \(entry.count)\n"
        }
        family("touchbase_tts_failures_total", "counter", "Messages no voice could speak, by first-choice voice.")
        for (voice, count) in state.ttsFailures.sorted(by: { $0.key < $1.key }) { out += "touchbase_tts_failures_total{voice=\"\(label(voice))\"} \(count)\n" }
        family("touchbase_tts_fallbacks_total", "counter", "Messages spoken by a fallback voice.")
        out += "touchbase_tts_fallbacks_total \(state.ttsFallbacks)\n"
        family("touchbase_agi_sessions_in_flight", "gauge", "FastAGI sessions in progress.")
        out += "touchbase_agi_sessions_in_flight \(state.agiSessions?() ?? 0)\n"
        family("touchbase_dialer_calls_open", "gauge", "Originated calls without an outcome yet.")
        out += "touchbase_dialer_calls_open \(state.dialerOpenCalls)\n"
        family("touchbase_dialer_reconciled_total", "counter", "Calls with no report from Asterisk in time, logged as unknown and rescheduled.")
        out += "touchbase_dialer_reconciled_total \(state.reconciled)\n"
        family("touchbase_dialer_not_placed_total", "counter", "Calls Asterisk did not take (spool or AMI refused).")
        out += "touchbase_dialer_not_placed_total \(state.notPlaced)\n"
        return out
    }
}

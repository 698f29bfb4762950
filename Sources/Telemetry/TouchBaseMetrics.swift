import CoreMetrics
import Metrics
import NIOConcurrencyHelpers
import struct Prometheus.PrometheusMetricsFactory
import class Prometheus.PrometheusCollectorRegistry

/// The figures `touchbase serve` exposes to Prometheus: calls by outcome, messages by step,
/// text-to-speech latency and failures, AGI sessions in flight, dialer calls under way.
///
/// Each figure is a swift-metrics `Counter`, `Gauge` or `Timer` made by a Prometheus factory
/// over this instance's registry, so tests can hold several apart. `touchbase serve` calls
/// ``bootstrapMetricsSystem()`` once, after which any module may record figures of its own
/// through swift-metrics directly (`Gauge(label: "touchbase_…")`) and they are served beside
/// these. Counters live in memory and start at zero with each process, as Prometheus expects;
/// the call log in the store is the durable record.
public final class TouchBaseMetrics: Sendable {
    /// The registry the figures are kept in; ``exposition()`` writes it out.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory over ``registry``.
    public let factory: PrometheusMetricsFactory

    /// Upper bounds of the TTS latency histogram.
    static let ttsBuckets: [Duration] = [.milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                         .seconds(2), .seconds(5), .seconds(10), .seconds(30)]

    private let fallbacks: Counter
    private let reconciledCalls: Counter
    private let notPlacedCalls: Counter
    private let openCalls: Gauge
    private let agiSessions: Gauge
    private let agiSessionsRead = NIOLockedValueBox<(@Sendable () -> Int)?>(nil)

    /// Creates metrics in a registry of their own (by default a new one).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["touchbase_tts_seconds"] = Self.ttsBuckets
        self.factory = factory
        fallbacks = Counter(label: "touchbase_tts_fallbacks_total", factory: factory)
        reconciledCalls = Counter(label: "touchbase_dialer_reconciled_total", factory: factory)
        notPlacedCalls = Counter(label: "touchbase_dialer_not_placed_total", factory: factory)
        openCalls = Gauge(label: "touchbase_dialer_calls_open", factory: factory)
        agiSessions = Gauge(label: "touchbase_agi_sessions_in_flight", factory: factory)
        openCalls.record(0)
        agiSessions.record(0)
    }

    /// Makes this instance's registry the one swift-metrics records into process-wide, so that
    /// figures other modules record with `Counter(label:)`, `Gauge(label:)` or `Timer(label:)`
    /// are served too. Call it once per process (swift-metrics allows one bootstrap).
    /// Later calls in the same process are ignored.
    public func bootstrapMetricsSystem() {
        let first = Self.bootstrapped.withLockedValue { done in
            defer { done = true }
            return !done
        }
        if first { MetricsSystem.bootstrap(factory) }
    }

    private static let bootstrapped = NIOLockedValueBox(false)

    /// Counts a call's outcome (`voicemail`, `busy`, ...).
    public func callFinished(outcome: String) {
        Counter(label: "touchbase_calls_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }
    /// Counts a message left.
    public func messageLeft(step: Int) {
        Counter(label: "touchbase_messages_left_total", dimensions: [("step", String(step))], factory: factory).increment()
    }
    /// Records one synthesis by a voice and how long it took.
    public func synthesized(voice: String, seconds: Double) {
        Timer(label: "touchbase_tts_seconds", dimensions: [("voice", voice)], factory: factory)
            .recordNanoseconds(Int64((seconds * 1_000_000_000).rounded()))
    }
    /// Counts a message no voice could speak.
    public func synthesisFailed(voice: String) {
        Counter(label: "touchbase_tts_failures_total", dimensions: [("voice", voice)], factory: factory).increment()
    }
    /// Counts a message spoken by a fallback voice because the first choice failed.
    public func fallbackSpoke() { fallbacks.increment() }
    /// Counts a call settled by reconciliation (no report from Asterisk in time).
    public func reconciled() { reconciledCalls.increment() }
    /// Counts a call Asterisk did not take.
    public func notPlaced() { notPlacedCalls.increment() }
    /// Sets the dialer's calls under way.
    public func dialerOpenCalls(_ count: Int) { openCalls.record(count) }
    /// Where the AGI sessions in flight are read from, at each scrape.
    public func readAGISessions(_ read: @escaping @Sendable () -> Int) { agiSessionsRead.withLockedValue { $0 = read } }

    /// The calls counted for an outcome, as the exposition shows them.
    public func calls(outcome: String) -> Int {
        let prefix = "touchbase_calls_total{outcome=\"\(outcome)\"} "
        let line = exposition().split(separator: "\n").first { $0.hasPrefix(prefix) }
        return line.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
    }

    /// Each voice's figures in words, from the exposition: its circuit breaker (0 closed, 1 open,
    /// 2 probing) and the messages it failed, one line a figure (the console's System page).
    public func voiceHealth() -> [String] {
        let words = ["touchbase_tts_voice_circuit": "circuit (0 closed, 1 open, 2 probing)",
                     "touchbase_tts_failures_total": "messages it could not speak", "touchbase_tts_seconds_count": "messages spoken"]
        return exposition().split(separator: "\n").compactMap { line -> String? in
            guard let brace = line.firstIndex(of: "{"), let what = words[String(line[..<brace])],
                  let close = line.firstIndex(of: "}") else { return nil }
            var labels = String(line[line.index(after: brace)..<close].filter { $0 != "\"" })
            if labels.hasPrefix("voice=") { labels.removeFirst("voice=".count) }
            return "\(labels): \(what)\(line[line.index(after: close)...])"
        }
    }

    /// The figures in Prometheus' text exposition format (version 0.0.4).
    public func exposition() -> String {
        if let read = agiSessionsRead.withLockedValue({ $0 }) { agiSessions.record(read()) }
        return registry.emitToString()
    }
}

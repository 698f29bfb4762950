import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Telemetry
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

let testLogger: Logger = {
    var logger = Logger(label: "touchbase.test")
    logger.logLevel = .critical
    return logger
}()

@Suite("Metrics server")
struct MetricsServerTests {
    @Test("GET /metrics answers the figures in Prometheus' text format; other paths are 404")
    func servesMetrics() async throws {
        let metrics = TouchBaseMetrics()
        metrics.callFinished(outcome: "busy")
        let ports = AsyncStream.makeStream(of: Int.self)
        let server = MetricsServer(host: "127.0.0.1", port: 0, metrics: metrics, logger: testLogger) { ports.continuation.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: testLogger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.stream.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
            let http = try #require(response as? HTTPURLResponse)
            #expect(http.statusCode == 200)
            #expect(http.value(forHTTPHeaderField: "Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            #expect(String(decoding: body, as: UTF8.self).contains("touchbase_calls_total{outcome=\"busy\"} 1\n"))
            let (_, missing) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/other")!)
            #expect((missing as? HTTPURLResponse)?.statusCode == 404)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("the figures are written by swift-prometheus under the names the README lists")
    func metricsExposition() async throws {
        let metrics = TouchBaseMetrics()
        metrics.callFinished(outcome: "voicemail")
        metrics.messageLeft(step: 1)
        metrics.synthesized(voice: "piper:default", seconds: 0.3)
        let text = metrics.exposition()
        #expect(text.contains("touchbase_calls_total{outcome=\"voicemail\"} 1\n"))
        #expect(text.contains("touchbase_messages_left_total{step=\"1\"} 1\n"))
        #expect(text.contains("touchbase_tts_seconds_bucket{voice=\"piper:default\",le=\"0.5\"} 1\n"))
        #expect(text.contains("touchbase_tts_seconds_bucket{voice=\"piper:default\",le=\"0.25\"} 0\n"))
        #expect(text.contains("# TYPE touchbase_agi_sessions_in_flight gauge\n"))
    }

    @Test("a figure another module records through swift-metrics with this factory is served beside TouchBase's")
    func otherModulesRecord() {
        let metrics = TouchBaseMetrics()
        Gauge(label: "touchbase_voice_circuit_open", dimensions: [("voice", "piper:default")], factory: metrics.factory).record(1)
        #expect(metrics.exposition().contains("touchbase_voice_circuit_open{voice=\"piper:default\"} 1"))
        #expect(metrics.calls(outcome: "busy") == 0)
        metrics.callFinished(outcome: "busy")
        #expect(metrics.calls(outcome: "busy") == 1)
    }

    @Test("a port in use is an error naming the address")
    func portInUse() async throws {
        let ports = AsyncStream.makeStream(of: Int.self)
        let first = MetricsServer(host: "127.0.0.1", port: 0, metrics: TouchBaseMetrics(), logger: testLogger) { ports.continuation.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [.init(service: first)], logger: testLogger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.stream.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let second = MetricsServer(host: "127.0.0.1", port: port, metrics: TouchBaseMetrics(), logger: testLogger)
            await #expect {
                try await second.run()
            } throws: { error in
                String(describing: error) == "cannot serve metrics on 127.0.0.1:\(port): address already in use"
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

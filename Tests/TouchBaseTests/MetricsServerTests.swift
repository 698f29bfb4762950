import Foundation
import Logging
import ServiceLifecycle
import Testing
import TouchBase
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
}

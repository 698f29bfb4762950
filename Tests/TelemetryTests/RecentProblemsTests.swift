import Logging
import Testing
import Telemetry

@Suite("The last warnings and errors, for the console's System page")
struct RecentProblemsTests {
    @Test("only the newest lines up to the capacity are kept, newest first")
    func capacity() {
        let problems = RecentProblems(capacity: 2)
        for line in ["a", "b", "c"] { problems.add(line) }
        #expect(problems.newestFirst == ["c", "b"])
    }

    @Test("a warning the log handler writes is kept; an info line is not")
    func fromHandler() {
        let marker = "recent-problems-test-\(Int.random(in: 0..<1_000_000))"
        let handler = ConsoleLogHandler(label: "test", logLevel: .info, metadataProvider: nil, output: { _ in })
        var logger = Logger(label: "test") { _ in handler }
        logger.logLevel = .info
        logger.info("\(marker) info")
        logger.warning("\(marker) warning")
        let kept = RecentProblems.shared.newestFirst.filter { $0.contains(marker) }
        #expect(kept.count == 1 && kept[0].hasSuffix("\(marker) warning"))
    }
}

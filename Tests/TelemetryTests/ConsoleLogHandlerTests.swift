import Logging
import NIOConcurrencyHelpers
import Testing
import Telemetry

@Suite("Console log lines")
struct ConsoleLogHandlerTests {
    private final class Lines: Sendable {
        let box = NIOLockedValueBox<[String]>([])
        var all: [String] { box.withLockedValue { $0 } }
        func append(_ line: String) { box.withLockedValue { $0.append(line) } }
    }

    @Test("a line carries the logger's metadata as set last, the call's own and the error, sorted by key, in StreamLogHandler's layout")
    func lineLayout() throws {
        let lines = Lines()
        var logger = Logger(label: "touchbase") { label in
            ConsoleLogHandler(label: label, logLevel: .info, metadataProvider: nil, output: lines.append)
        }
        logger[metadataKey: "agi.route"] = "answered"
        logger[metadataKey: "agi.peer"] = "127.0.0.1"
        logger[metadataKey: "agi.route"] = "drop"
        logger.warning("No message to drop", metadata: ["contact": "42"], source: "TouchBase")
        logger.debug("below the level: not written")

        let line = try #require(lines.all.first)
        #expect(lines.all.count == 1)
        #expect(line.hasSuffix(" warning touchbase: agi.peer=127.0.0.1 agi.route=drop contact=42 [TouchBase] No message to drop\n"))
        // The timestamp StreamLogHandler writes: 2026-12-03T18:04:05+0000.
        let stamp = line.prefix { $0 != " " }
        #expect(stamp.count == 24 && stamp.dropFirst(10).first == "T")
    }

    @Test("a line with no metadata has none written, and an error is written as metadata")
    func noMetadataAndError() throws {
        struct Refused: Error, CustomStringConvertible { var description: String { "refused" } }
        let lines = Lines()
        let logger = Logger(label: "touchbase") { label in
            ConsoleLogHandler(label: label, logLevel: .trace, metadataProvider: nil, output: lines.append)
        }
        logger.info("plain", source: "X")
        logger.warning("Voice failed", error: Refused(), source: "Speech")
        #expect(lines.all.count == 2)
        #expect(lines.all.first?.hasSuffix(" info touchbase: [X] plain\n") == true)
        #expect(lines.all.last?.hasSuffix(" warning touchbase: error.message=refused error.type=\(String(reflecting: Refused.self)) [Speech] Voice failed\n") == true)
    }
}

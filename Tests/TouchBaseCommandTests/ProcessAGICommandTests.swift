import Foundation
import Testing

/// `touchbase agi ROUTE` as Asterisk and a shell run it: any stdin, any stdout, and a non-zero
/// exit with one line on stderr when stdin is not an AGI session.
@Suite("touchbase agi, the built executable")
struct ProcessAGICommandTests {
    /// A `failed` session for a call TouchBase does not know: four variables read, one VERBOSE.
    static let failedSession = Array(("agi_request: /usr/local/bin/touchbase\nagi_channel: Local/s@x-0000;2\n\n"
        + "200 result=1 (5)\n200 result=0\n200 result=0\n200 result=0\n200 result=1\n").utf8)

    static func expectCommandsOfFailedRoute(_ stdout: String) {
        let lines = stdout.split(separator: "\n").map(String.init)
        #expect(lines.prefix(4) == ["GET VARIABLE REASON", "GET VARIABLE TOUCHBASE_CALL", "GET VARIABLE DIALSTATUS",
                                    "GET VARIABLE HANGUPCAUSE"])
        #expect(lines.last?.hasPrefix("VERBOSE") == true)
    }

    @Test("stdin from a regular file and stdout to a regular file run the route to its end")
    func regularFiles() throws {
        let touchbase = try TouchBaseBinary()
        let input = try touchbase.write(Self.failedSession, to: "session.txt")
        let run = try touchbase.run(["agi", "failed"], stdin: .file(input))
        #expect(run.status == 0, "\(run.stderr)")
        Self.expectCommandsOfFailedRoute(run.stdout)
    }

    @Test("stdin from a pipe runs the route to its end")
    func pipe() throws {
        let run = try TouchBaseBinary().run(["agi", "failed"], stdin: .pipe(Self.failedSession))
        #expect(run.status == 0, "\(run.stderr)")
        Self.expectCommandsOfFailedRoute(run.stdout)
    }

    @Test("stdin from /dev/null exits 1 with one line saying no environment came")
    func devNull() throws {
        let run = try TouchBaseBinary().run(["agi", "answered"], stdin: .devNull)
        #expect(run.status == 1)
        #expect(run.stderrLines.count == 1, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("touchbase agi: stdin ended before an AGI environment"), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    static func randomBytes(count: Int) -> [UInt8] {
        var generator = SeededBytes(seed: 0x5eed)
        return (0..<count).map { _ in generator.next() }
    }

    @Test("input that is not AGI on a pipe exits 1 with one line on stderr, never a crash",
          arguments: [
            ("empty", [UInt8]()),
            ("random bytes", ProcessAGICommandTests.randomBytes(count: 4096)),
            ("a 1 MB line", [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20) + [0x0A]),
          ])
    func refusedInput(name: String, bytes: [UInt8]) throws {
        let run = try TouchBaseBinary().run(["agi", "answered"], stdin: .pipe(bytes))
        #expect(run.status == 1, "\(name): \(run.stderr)")
        #expect(run.stderrLines.count == 1, "\(name): \(run.stderr)")
        #expect(run.stderr.hasPrefix("touchbase agi: "), "\(name): \(run.stderr)")
        #expect(run.stdout.isEmpty, "\(name)")
    }

    @Test("a 1 MB line is refused for its length")
    func longLineNamesTheLimit() throws {
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20) + [0x0A]
        let run = try TouchBaseBinary().run(["agi", "answered"], stdin: .pipe(bytes))
        #expect(run.stderr.contains("8192"), "\(run.stderr)")
    }
}

/// A small deterministic byte source (xorshift), so a failure can be reproduced.
struct SeededBytes {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt8 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

import AGITestSupport
import AGI
import NIOCore

/// Plays Asterisk's side of a recorded session to an ``AGISession``, one byte at a time through
/// the real decoder, and checks every line the program writes against the recording.
struct FixtureTransport: AGITransport {
    private var entries: ArraySlice<RecordedSession.Entry>
    private var decoder = AGIInboundDecoder()
    private var buffer = ByteBufferAllocator().buffer(capacity: 256)
    private let hangupSignal: AGIHangupSignal?
    let name: String

    init(_ session: RecordedSession, hangupSignal: AGIHangupSignal? = nil) {
        entries = session.entries[...]
        self.hangupSignal = hangupSignal
        name = session.name
    }

    /// The lines the recording still expects from the program.
    var unsentProgramLines: [String] {
        entries.filter { $0.direction == .fromProgram }.map(\.text)
    }

    mutating func write(line: String) async throws {
        skipEvents()
        guard let entry = entries.first, entry.direction == .fromProgram else {
            throw FixtureError("\(name): program wrote \(line) where the recording has Asterisk speaking next")
        }
        guard entry.text == line + "\n" else {
            throw FixtureError("\(name): program wrote \(line.debugDescription), recording has \(entry.text.debugDescription)")
        }
        entries.removeFirst()
    }

    mutating func next() async throws -> AGIInbound? {
        while true {
            if let frame = try decoder.decode(buffer: &buffer) { return frame }
            skipEvents()
            guard let entry = entries.first else { return nil }
            guard entry.direction == .fromAsterisk else {
                throw FixtureError("\(name): program waits to read where the recording has it write \(entry.text.debugDescription)")
            }
            // Feed one byte at a time: framing must not depend on how TCP splits the stream.
            let byte = entry.bytes.first!
            buffer.writeInteger(byte)
            if entry.bytes.count == 1 {
                entries.removeFirst()
            } else {
                entries[entries.startIndex].bytes.removeFirst()
            }
        }
    }

    private mutating func skipEvents() {
        while let entry = entries.first, entry.direction == .event {
            if entry.text == "SIGHUP" { hangupSignal?.raise() }
            entries.removeFirst()
        }
    }
}

import AGITestSupport
import AGI
import NIOCore
import Synchronization

/// Plays Asterisk's side of a recorded session to an ``AGISession``, one byte at a time through
/// the real decoder, and checks every line the program writes against the recording.
///
/// Copies share what is left of the recording, so the test that hands the transport to a session
/// can still ask ``verifyConsumed()`` once the session is over.
struct FixtureTransport: AGITransport {
    /// What of the recording is still to be played; shared by the copies of one transport.
    private final class Cursor: Sendable {
        let entries: Mutex<ArraySlice<RecordedSession.Entry>>
        init(_ entries: ArraySlice<RecordedSession.Entry>) { self.entries = Mutex(entries) }
    }

    private let cursor: Cursor
    private var entries: ArraySlice<RecordedSession.Entry> {
        get { cursor.entries.withLock { $0 } }
        nonmutating set { cursor.entries.withLock { $0 = newValue } }
    }
    private var decoder = AGIInboundDecoder()
    private var buffer = ByteBufferAllocator().buffer(capacity: 256)
    private let hangupSignal: AGIHangupSignal?
    let name: String

    init(_ session: RecordedSession, hangupSignal: AGIHangupSignal? = nil) {
        cursor = Cursor(session.entries[...])
        self.hangupSignal = hangupSignal
        name = session.name
    }

    /// The lines the recording still expects from the program.
    var unsentProgramLines: [String] {
        entries.filter { $0.direction == .fromProgram }.map(\.text)
    }

    /// Throws unless the session played the whole recording: a route that stops early, before
    /// Asterisk's last answer was read, fails the replay.
    func verifyConsumed() throws {
        let unplayed = entries.filter { $0.direction != .event }
        guard let next = unplayed.first else { return }
        throw FixtureError("\(name): the session ended with \(unplayed.count) recorded lines unplayed, "
                           + "next \(next.direction == .fromProgram ? "the program's" : "Asterisk's") \(next.text.debugDescription)")
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

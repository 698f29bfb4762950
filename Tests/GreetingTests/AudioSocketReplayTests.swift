import Foundation
import Greeting
import GreetingCorpusSupport
import Testing

/// The callee's audio of a session recorded from a real Asterisk 22 (a lab mailbox: greeting,
/// then a 0.6 s 1 kHz beep), replayed frame by frame as it arrived. Counted in samples, the beep
/// runs from sample 62,589 to 67,366 (7.82–8.42 s; the fixture's README gives "about 7.6–8.3 s"
/// from the wall clock).
@Suite struct AudioSocketReplayTests {
    /// The audio frames' samples of `Tests/Fixtures/audiosocket/NAME.bin`: kind (1 byte), length (2 bytes, big
    /// endian), payload; kind 0x10 is 8 kHz signed linear, little endian.
    static func audioFrames(_ name: String) throws -> [[Int16]] {
        let url = packageRoot.appendingPathComponent("Tests/Fixtures/audiosocket/\(name).bin")
        let bytes = [UInt8](try Data(contentsOf: url))
        var frames: [[Int16]] = []
        var offset = 0
        while offset + 3 <= bytes.count {
            let kind = bytes[offset], length = Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            let payload = offset + 3
            guard payload + length <= bytes.count else { break }
            if kind == 0x10 {
                frames.append(stride(from: payload, to: payload + length - 1, by: 2).map {
                    Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8)
                })
            }
            offset = payload + length
        }
        return frames
    }

    @Test func recordedMailboxIsAMachineWhoseGreetingEndsWithTheBeep() throws {
        let frames = try Self.audioFrames("mailbox-greeting-beep")
        #expect(frames.count > 500)
        var detector = GreetingDetector()
        var decision = GreetingDecision.listening
        for frame in frames where !decision.isFinal {
            decision = detector.consume(frame)
        }
        guard case .machine(let end, let beep?) = decision else {
            Issue.record("expected a machine with a beep, got \(decision)")
            return
        }
        let beepEnd = 67367
        #expect(end >= beepEnd && end <= beepEnd + 2400, "greeting ended at \(Double(end) / 8000) s")
        #expect(abs(beep.frequency - 1000) < 20)
        #expect(beep.endSample == end)
    }
}

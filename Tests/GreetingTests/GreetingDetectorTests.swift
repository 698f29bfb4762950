import Foundation
import Greeting
import Testing

/// Synthetic answers: noise bursts stand in for speech (voice without a tone), sines for beeps.
enum Signal {
    static let rate = 8000.0

    static func silence(_ seconds: Double) -> [Int16] {
        [Int16](repeating: 0, count: Int(seconds * rate))
    }

    /// Noise shaped into syllables of about 200 ms: loud, never tonal. `seed` makes it repeatable.
    static func speech(_ seconds: Double, seed: UInt32 = 1) -> [Int16] {
        var state = seed
        return (0..<Int(seconds * rate)).map { n in
            state = state &* 1_664_525 &+ 1_013_904_223
            let noise = Double(Int32(bitPattern: state)) / Double(Int32.max)
            let syllable = 0.55 + 0.45 * sin(2 * .pi * 5 * Double(n) / rate)
            return Int16(noise * syllable * 9000)
        }
    }

    static func tone(_ hertz: [Double], _ seconds: Double, amplitude: Double = 10000) -> [Int16] {
        (0..<Int(seconds * rate)).map { n in
            let sum = hertz.reduce(0.0) { $0 + sin(2 * .pi * $1 * Double(n) / rate) }
            return Int16(amplitude * sum / Double(hertz.count))
        }
    }

    static func decide(_ samples: [Int16], frame: Int = 160,
                       configuration: GreetingDetector.Configuration = .init()) -> GreetingDecision {
        var detector = GreetingDetector(configuration: configuration)
        var start = 0
        while start < samples.count {
            _ = detector.consume(Array(samples[start..<min(start + frame, samples.count)]))
            start += frame
        }
        return detector.decision
    }
}

@Suite struct GreetingDetectorTests {
    @Test func silenceAloneKeepsListening() {
        var detector = GreetingDetector()
        #expect(detector.consume(Signal.silence(10)) == .listening)
        #expect(detector.samplesConsumed == 80000)
    }

    @Test(arguments: [300.0, 440, 850, 1000, 1400, 2000, 2500])
    func steadyToneAfterAGreetingIsABeepWhoseEndIsTheGreetingsEnd(hertz: Double) throws {
        let greeting = Signal.silence(0.3) + Signal.speech(4) + Signal.silence(0.3)
        let beepEnd = greeting.count + 1600
        let decision = Signal.decide(greeting + Signal.tone([hertz], 0.2) + Signal.silence(2))
        guard case .machine(let end, let beep?) = decision else {
            Issue.record("expected a machine with a beep, got \(decision)")
            return
        }
        #expect(end >= beepEnd && end <= beepEnd + 2400, "ended \(end - beepEnd) samples after the beep")
        #expect(abs(beep.frequency - hertz) < max(hertz * 0.02, 15))
        #expect(abs(beep.startSample - greeting.count) <= 160)
    }

    @Test func eightyMillisecondBeepCounts() {
        let audio = Signal.speech(3) + Signal.tone([1000], 0.08) + Signal.silence(2)
        guard case .machine(_, let beep?) = Signal.decide(audio) else {
            Issue.record("an 80 ms beep was missed")
            return
        }
        #expect(abs(beep.frequency - 1000) < 30)
    }

    @Test func doubleBeepEndsTheGreetingAfterTheSecond() {
        let first = Signal.speech(3) + Signal.tone([850], 0.15) + Signal.silence(0.15)
        let secondEnd = first.count + 1200
        let decision = Signal.decide(first + Signal.tone([850], 0.15) + Signal.silence(2))
        guard case .machine(let end, _) = decision else {
            Issue.record("expected a machine, got \(decision)")
            return
        }
        #expect(end >= secondEnd && end <= secondEnd + 2400)
    }

    @Test func ringbackIsNeitherABeepNorAPerson() {
        let ringing = Signal.tone([440, 480], 2) + Signal.silence(4)
        #expect(Signal.decide(ringing + ringing) == .listening)
    }

    @Test func ringbackThenAGreetingAndBeepIsAMachineWithTheBeepsEnd() {
        let before = Signal.tone([440, 480], 2) + Signal.silence(4) + Signal.speech(4)
        let audio = before + Signal.tone([440], 0.5) + Signal.silence(2)
        guard case .machine(let end, let beep?) = Signal.decide(audio) else {
            Issue.record("expected a machine with a beep")
            return
        }
        #expect(abs(beep.frequency - 440) < 15)
        #expect(end >= before.count + 4000 && end <= before.count + 4000 + 2400)
    }

    @Test func threeRisingSpecialInformationTonesAreAnInvalidNumber() {
        let sit = Signal.tone([913.8], 0.274) + Signal.tone([1370.6], 0.274) + Signal.tone([1776.7], 0.380)
        let decision = Signal.decide(Signal.silence(0.3) + sit + Signal.speech(3) + Signal.silence(4))
        guard case .invalidNumber(let at) = decision else {
            Issue.record("expected an invalid number, got \(decision)")
            return
        }
        #expect(at < 2400 + sit.count)
    }

    @Test func interceptWhoseFirstToneIsCutOffIsStillAnInvalidNumber() {
        let cut = Signal.tone([913.8], 0.05) + Signal.tone([1370.6], 0.274) + Signal.tone([1776.7], 0.380)
        guard case .invalidNumber = Signal.decide(cut + Signal.speech(3) + Signal.silence(4)) else {
            Issue.record("expected an invalid number")
            return
        }
    }

    @Test func risingTonesLaterInAGreetingAreNoIntercept() {
        let tones = Signal.tone([1370.6], 0.274) + Signal.tone([1776.7], 0.380)
        let decision = Signal.decide(Signal.speech(4) + Signal.silence(0.3) + tones + Signal.silence(3))
        guard case .machine = decision else {
            Issue.record("expected a machine, got \(decision)")
            return
        }
    }

    @Test func shortAnswerThenSilenceIsAPersonWithinTheConfiguredSilence() {
        let answer = Signal.silence(0.4) + Signal.speech(0.6)
        let decision = Signal.decide(answer + Signal.silence(4))
        guard case .person(let at) = decision else {
            Issue.record("expected a person, got \(decision)")
            return
        }
        let heard = Double(at - answer.count) / Signal.rate
        #expect(heard >= 1.8 && heard <= 2.0)
    }

    @Test func sentenceThenSilenceIsAPersonAfterTheConfiguredPersonSilence() {
        let audio = Signal.speech(1.5) + Signal.silence(4)
        let patient = GreetingDetector.Configuration(personSilence: .milliseconds(3000))
        guard case .person(let at) = Signal.decide(audio, configuration: patient) else {
            Issue.record("expected a person")
            return
        }
        #expect(at - 12000 >= 24000 && at - 12000 <= 25600)
    }

    @Test func longGreetingWithAPauseIsNoPersonAndEndsWhereItsSilenceBegins() {
        let greeting = Signal.speech(4, seed: 3) + Signal.silence(2.5) + Signal.speech(2, seed: 4)
        let decision = Signal.decide(greeting + Signal.silence(5))
        guard case .machine(let end, nil) = decision else {
            Issue.record("expected a beep-less machine, got \(decision)")
            return
        }
        #expect(abs(end - greeting.count) <= 160)
    }

    @Test func toneHeardInsideAnAnswerMakesItAMachine() {
        let audio = Signal.speech(0.5) + Signal.tone([1000], 0.3) + Signal.speech(0.5) + Signal.silence(5)
        guard case .machine = Signal.decide(audio) else {
            Issue.record("a beep is always a machine's")
            return
        }
    }

    @Test func toneRunningStraightIntoLoudSpeechIsNoBeepButMakesAMachine() {
        let loud = (0..<16000).map { n in Int16(truncatingIfNeeded: (n &* 7919 &+ n / 3 &* 104_729) % 24000 - 12000) }
        let answer = Signal.speech(0.5) + Signal.tone([1000], 0.3) + loud
        guard case .machine(let end, nil) = Signal.decide(answer + Signal.silence(5)) else {
            Issue.record("expected a beep-less machine: a tone was heard, then speech")
            return
        }
        #expect(abs(end - answer.count) <= 160)
    }

    @Test func offsetOnTheLineIsNeitherVoiceNorTone() {
        let offset = [Int16](repeating: 3000, count: 80000)
        #expect(Signal.decide(offset) == .listening)
        let answer = zip(Signal.speech(0.6) + Signal.silence(4), offset).map { $0 &+ $1 }
        guard case .person = Signal.decide(answer) else {
            Issue.record("\"Hello?\" on a line with an offset is still a person")
            return
        }
    }

    @Test func fullScaleGarbageNeverCrashesAndEveryIndexIsInTheAudio() {
        let garbage = (0..<80000).map { n -> Int16 in n % 3 == 0 ? .min : (n % 7 == 0 ? .max : Int16(truncatingIfNeeded: n &* 40503)) }
        var detector = GreetingDetector()
        let decision = detector.consume(garbage)
        switch decision {
        case .machine(let end, let beep):
            #expect((0...garbage.count).contains(end))
            #expect(beep.map { $0.startSample <= $0.endSample } ?? true)
        case .person(let at), .invalidNumber(let at):
            #expect((0...garbage.count).contains(at))
        case .listening:
            break
        }
    }

    @Test(arguments: [1, 7, 80, 160, 333, 4096])
    func decisionDoesNotDependOnFrameSize(frame: Int) {
        let audio = Signal.speech(3) + Signal.tone([1400], 0.3) + Signal.silence(2)
        #expect(Signal.decide(audio, frame: frame) == Signal.decide(audio, frame: audio.count))
    }

    @Test func finalDecisionStaysWhateverFollows() {
        var detector = GreetingDetector()
        let decided = detector.consume(Signal.speech(0.6) + Signal.silence(3))
        #expect(decided.isFinal)
        #expect(detector.consume(Signal.speech(4) + Signal.tone([1000], 0.5) + Signal.silence(1)) == decided)
        #expect(detector.samplesConsumed == 4800 + 24000 + 32000 + 4000 + 8000)
    }
}

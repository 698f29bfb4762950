// greeting-bench: the greeting detector's figures on the corpus scripts/greeting-corpus builds.
// Run from the package root: `swift run -c release greeting-bench`. Prints the share judged right
// per class, the timing of the decisions, a sweep of the person/greeting-pause trade-off, and the
// CPU one 20 ms frame costs. Figures only: nothing here fails on a number.
import Foundation
import Greeting
import GreetingCorpusSupport

let cases: [CorpusCase]
switch greetingCorpus {
case .success(let built): cases = built
case .failure(let error):
    FileHandle.standardError.write(Data("greeting-bench: \(error)\n".utf8))
    exit(1)
}

func seconds(_ samples: Int) -> String { String(format: "%.3f s", Double(samples) / 8000) }

func spread(_ values: [Int]) -> String {
    let sorted = values.sorted()
    guard let last = sorted.last else { return "none" }
    return "p50 \(seconds(percentile(sorted, 0.5))), p95 \(seconds(percentile(sorted, 0.95))), max \(seconds(last))"
}

let results = cases.map { CaseResult($0) }
print("Greeting corpus: \(cases.count) answers, default configuration")
for truth in CorpusCase.Truth.allCases {
    let ofClass = results.filter { $0.corpusCase.truth == truth }
    let right = ofClass.filter(\.isRight)
    print("  \(truth): \(right.count) of \(ofClass.count) right"
        + String(format: " (%.1f%%)", 100 * Double(right.count) / Double(max(1, ofClass.count))))
}
let right = results.filter(\.isRight).count
print(String(format: "  overall: %d of %d right (%.1f%%)", right, results.count, 100 * Double(right) / Double(results.count)))
let beeps = results.filter { $0.corpusCase.hasBeep }
print("  beep greetings judged machine with the right end: \(beeps.filter(\.isRight).count) of \(beeps.count)")
for wrong in results where !wrong.isRight {
    print("  wrong: \(wrong.corpusCase.name) (\(wrong.corpusCase.summary)) -> \(wrong.decision)")
}
print("Timing")
print("  greetingEndedAt after the beep's real end: \(spread(results.compactMap(\.beepEndGap)))")
let latency = results.compactMap { result in result.beepEndGap.map { _ in result.decidedAfter - result.corpusCase.greetingEnd } }
print("  decision after the beep's real end (when the message can start): \(spread(latency))")
print("  silence a person hears before the decision: \(spread(results.compactMap(\.personWait)))")

print("Trade-off: personSilence x personMaximumSpeech -> right, person wait p95")
for silence in [1800, 2000, 2200, 2400, 2600, 2800, 3000, 3200] {
    var row = String(format: "  personSilence %.1f s:", Double(silence) / 1000)
    for speech in [3000, 3200, 3500, 4000] {
        let configuration = GreetingDetector.Configuration(personSilence: .milliseconds(silence),
                                                           personMaximumSpeech: .milliseconds(speech))
        let swept = cases.map { CaseResult($0, configuration: configuration) }
        let waits = swept.compactMap(\.personWait).sorted()
        row += String(format: "  max speech %.1f s: %d/%d, %.2f s", Double(speech) / 1000,
                      swept.filter(\.isRight).count, swept.count, Double(percentile(waits, 0.95)) / 8000)
    }
    print(row)
}

/// CPU time of this thread, in nanoseconds.
func threadCPU() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) * 1e9 + Double(now.tv_nsec)
}

// Every frame of the corpus, five times over; a detector that has decided is replaced so every
// frame is analysed.
let audio = cases.flatMap(\.samples)
var frames = 0
var decisions = 0
let started = threadCPU()
for _ in 0..<5 {
    var detector = GreetingDetector()
    audio.withUnsafeBufferPointer { all in
        var start = 0
        while start + 160 <= all.count {
            if detector.consume(UnsafeBufferPointer(rebasing: all[start..<start + 160])).isFinal {
                detector = GreetingDetector()
                decisions += 1
            }
            start += 160
            frames += 1
        }
    }
}
let perFrame = (threadCPU() - started) / Double(frames) / 1000
print("CPU")
print(String(format: "  %.2f µs per 20 ms frame (%d frames, %d decisions); %.0f calls per core in real time",
             perFrame, frames, decisions, 20_000 / perFrame))

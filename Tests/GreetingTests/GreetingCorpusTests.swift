import Greeting
import GreetingCorpusSupport
import Testing

/// Every case of the corpus `scripts/greeting-corpus` builds, through the detector with its
/// default configuration.
@Suite struct GreetingCorpusTests {
    @Test func corpusIsBuiltWithAtLeastThirtyAnswers() throws {
        let cases = try greetingCorpus.get()
        #expect(cases.count >= 30)
        for truth in [CorpusCase.Truth.machine, .person, .invalid] {
            #expect(cases.contains { $0.truth == truth }, "no \(truth) case")
        }
    }

    @Test(arguments: corpusCases)
    func everyCaseIsJudgedAsItsTruthSays(_ corpusCase: CorpusCase) {
        let result = CaseResult(corpusCase)
        let isRightKind = result.isRightKind
        #expect(isRightKind, "\(corpusCase.summary): \(result.decision)")
        if let gap = result.beepEndGap {
            #expect(gap >= 0, "the greeting ended \(gap) samples before the beep's end")
            #expect(gap <= 2400, "the greeting ended \(gap) samples after the beep's end")
        }
        if let wait = result.personWait {
            // personSilence's default trades a person's wait for greetings with pauses (2.8 s).
            #expect(wait <= 24000, "the person heard \(wait) samples of silence")
        }
    }

    @Test func corpusIsJudgedNinetyFivePercentRightAndEveryBeepIsHeard() throws {
        let results = try greetingCorpus.get().map { CaseResult($0) }
        let right = results.filter(\.isRight).count
        #expect(Double(right) >= 0.95 * Double(results.count), "\(right) of \(results.count) right")
        let missedBeeps = results.filter { $0.corpusCase.hasBeep && !$0.isRight }.map(\.corpusCase.name)
        #expect(missedBeeps.isEmpty)
        let gaps = results.compactMap(\.beepEndGap).sorted()
        #expect(percentile(gaps, 0.95) <= 2400)
        let waits = results.compactMap(\.personWait).sorted()
        #expect(percentile(waits, 0.5) <= 16000, "half the people wait 2 s at most")
        #expect(percentile(waits, 0.95) <= 24000)
    }
}

import Greeting
import Testing

@Suite struct GreetingDetectorTests {
    @Test func silenceAloneKeepsListening() {
        var detector = GreetingDetector()
        let decision = detector.consume([Int16](repeating: 0, count: 160))
        #expect(decision == .listening)
        #expect(detector.samplesConsumed == 160)
    }
}

extension GreetingDetector {
    /// Measures the window that ends at `samplesConsumed` and updates the decision.
    mutating func analyseWindow() {
        let end = samplesConsumed
        let features = window.withUnsafeBufferPointer { WindowFeatures(window: $0) }
        let chunkPowers = window.withUnsafeBufferPointer { newest in
            (Self.meanPower(newest[80..<120]), Self.meanPower(newest[120..<160]))
        }
        let finishedBefore = tones.finishedCount
        if tones.note(features, end: end, chunkPowers: chunkPowers) == .specialInformation {
            decision = .invalidNumber(decidedAt: end)
            return
        }
        if tones.finishedCount != finishedBefore { voiceAfterTone = 0 }
        noteRingback(features.isRingback)
        let loud = voice.isVoice(power: (chunkPowers.0 + chunkPowers.1) / 2)
        if loud && !features.isRingback && !tones.isSounding && !isToneTail(end) {
            speech.noteVoice(end: end, length: 80)
            voiceAfterTone += 1
        }
        decide(at: end)
    }

    /// Blocks within 30 ms after a tone's last tonal window hold the tone's fading edge, not voice.
    private func isToneTail(_ end: Int) -> Bool {
        guard let last = tones.tones.last else { return false }
        return end - last.lastWindowEnd <= 240
    }

    private mutating func noteRingback(_ isRingback: Bool) {
        ringbackWindows = isRingback ? ringbackWindows + 1 : 0
        // A tenth of a second of ringback: the network is still ringing, nobody has spoken yet.
        if ringbackWindows >= 10 { speech.reset() }
    }

    private mutating func decide(at end: Int) {
        if tonesJudged < tones.finishedCount, let beep = tones.tones.last {
            guard let beepEnd = beep.end else { return }
            if voiceAfterTone >= 3 {
                // A tone inside speech was no beep; it still marks a machine.
                toneHeard = true
                tonesJudged = tones.finishedCount
            } else if !tones.isSounding, end - beepEnd >= limits.beepSettle {
                let tone = DetectedTone(frequency: Double(beep.frequency), startSample: beep.start, endSample: beepEnd)
                decision = .machine(greetingEndedAt: beepEnd, beep: tone)
                return
            } else {
                return
            }
        }
        guard !tones.isSounding, let lastVoice = speech.lastVoiceEnd, speech.total >= Limits.minimumSpeech else {
            return
        }
        let silence = end - lastVoice
        let personSilence = speech.total <= limits.shortSpeech ? limits.shortSilence : limits.personSilence
        if !toneHeard && speech.total <= limits.personSpeech && silence >= personSilence {
            decision = .person(decidedAt: end)
        } else if silence >= limits.machineSilence {
            decision = .machine(greetingEndedAt: lastVoice, beep: nil)
        }
    }

    private static func meanPower(_ samples: Slice<UnsafeBufferPointer<Float>>) -> Float {
        var sum: Float = 0
        for x in samples { sum += x * x }
        return sum / Float(samples.count)
    }
}

import Foundation

/// Voice activity against an adaptive noise floor, one 10 ms block at a time.
///
/// The floor drops at once to a quieter block, follows blocks near it within a fifth of a second,
/// and creeps up by 1 dB a second under louder blocks, so a line whose noise rises is followed
/// without speech dragging the floor up with it.
struct VoiceActivity: Sendable {
    private var floor: Float = -1
    private let ratio: Float
    private let minimum: Float
    private static let creep: Float = 1.0023
    private static let lowest: Float = 1e-8
    /// The highest a floor starts at, so a call that opens with speech still hears it.
    private static let highestStart: Float = 1e-4

    init(overFloorDecibels: Double, minimumDecibels: Double) {
        ratio = Float(pow(10, overFloorDecibels / 10))
        minimum = Float(pow(10, minimumDecibels / 10))
    }

    /// Takes a block's mean power (full scale squared) and says whether the block is voice.
    mutating func isVoice(power: Float) -> Bool {
        if floor < 0 { floor = max(min(power, Self.highestStart), Self.lowest) }
        let threshold = floor * ratio
        if power < floor {
            floor = max(power, Self.lowest)
        } else if power < floor * 2 {
            floor += (power - floor) * 0.05
        } else {
            floor *= Self.creep
        }
        return power >= threshold && power >= minimum
    }
}

/// The answer's speech so far: how much, and where the last of it ended.
struct SpeechTimeline: Sendable {
    /// Voice summed over utterances (gaps shorter than a word gap count as speech), in samples.
    private(set) var total = 0
    /// The sample just past the last voiced block, if any.
    private(set) var lastVoiceEnd: Int?
    private let wordGap: Int

    init(wordGap: Int) {
        self.wordGap = wordGap
    }

    /// Notes a voiced block ending at `end`, `length` samples long.
    mutating func noteVoice(end: Int, length: Int) {
        if let last = lastVoiceEnd, end - length - last <= wordGap {
            total += end - last
        } else {
            total += length
        }
        lastVoiceEnd = end
    }

    /// Forgets everything heard (after a ringback: that was the network, not the callee).
    mutating func reset() {
        total = 0
        lastVoiceEnd = nil
    }
}

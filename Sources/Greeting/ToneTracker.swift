/// Follows steady tones window by window: beeps (with the exact end of the last one) and the
/// three rising SIT tones of a carrier's intercept.
///
/// A window is tonal when one sinusoid between 280 and 2,600 Hz holds most of its power and
/// the longer lags agree. Consecutive tonal windows at the same frequency (within 2%) and level
/// (within a factor of two) make a run; a run that lasts the configured minimum is a tone. A
/// tone's end is taken from 5 ms chunks of power: the end of the first chunk after the tone
/// whose power is under a quarter of the tone's, so the reported end is never before the real one.
struct ToneTracker: Sendable {
    /// What the tracker concluded after a window.
    enum Event: Equatable, Sendable {
        /// Nothing final.
        case none
        /// The three SIT tones were heard.
        case specialInformation
    }

    struct Run {
        var firstWindowStart: Int
        var lastWindowEnd: Int
        var windows = 1
        var frequencySum: Float
        var powerSum: Float
        var frequency: Float { frequencySum / Float(windows) }
        var power: Float { powerSum / Float(windows) }
    }

    /// A finished tone whose end may still be waiting for quieter chunks.
    struct Tone: Sendable, Equatable {
        var frequency: Float
        var start: Int
        var lastWindowEnd: Int
        var power: Float
        /// The sample just past the tone, once a quiet chunk has shown it.
        var end: Int?
    }

    private var run: Run?
    /// Finished tones, the latest last (at most three kept).
    private(set) var tones: [Tone] = []
    /// How many tones have finished since the start.
    private(set) var finishedCount = 0
    private var chunks = ChunkHistory()
    private let minimumWindows: Int
    private static let hop = 80

    init(beepMinimum: Int) {
        minimumWindows = max(1, (beepMinimum - WindowFeatures.length) / Self.hop + 1)
    }

    /// Whether a tone is sounding now (a run of tonal windows is open).
    var isSounding: Bool { run != nil }

    /// Takes the features of the window ending at `end` and the power of the newest samples'
    /// two 5 ms chunks.
    mutating func note(_ features: WindowFeatures, end: Int, chunkPowers: (Float, Float)) -> Event {
        chunks.append(end: end - 40, power: chunkPowers.0)
        chunks.append(end: end, power: chunkPowers.1)
        if Self.isTonal(features) {
            if var current = run, current.accepts(features) {
                current.windows += 1
                current.frequencySum += features.frequency
                current.powerSum += features.power
                current.lastWindowEnd = end
                run = current
            } else {
                finishRun()
                run = Run(firstWindowStart: end - WindowFeatures.length, lastWindowEnd: end,
                          frequencySum: features.frequency, powerSum: features.power)
            }
        } else {
            finishRun()
        }
        settleEnds(now: end)
        return isSpecialInformation() ? .specialInformation : .none
    }

    private static func isTonal(_ features: WindowFeatures) -> Bool {
        !features.isRingback && features.toneShare >= 0.8 && features.misfit <= 0.07
            && features.power >= 3e-5 && (280...2600).contains(features.frequency)
    }

    private mutating func finishRun() {
        guard let finished = run else { return }
        run = nil
        guard finished.windows >= minimumWindows else { return }
        tones.append(Tone(frequency: finished.frequency, start: finished.firstWindowStart,
                          lastWindowEnd: finished.lastWindowEnd, power: finished.power))
        if tones.count > 3 { tones.removeFirst() }
        finishedCount += 1
    }

    private mutating func settleEnds(now: Int) {
        guard var latest = tones.last, latest.end == nil else { return }
        latest.end = chunks.firstQuiet(after: latest.lastWindowEnd - WindowFeatures.length, below: latest.power / 4)
        // Sound went on at the tone's level (speech straight after it): the tone ended, at the
        // latest, where the first window that was not tonal ended.
        if latest.end == nil, now - latest.lastWindowEnd >= 1600 { latest.end = latest.lastWindowEnd + Self.hop }
        tones[tones.count - 1] = latest
    }

    /// SIT: 913.8 or 985.2 Hz, then 1,370.6 or 1,428.5 Hz, then 1,776.7 Hz, each 274 or 380 ms,
    /// back to back. Decided once the third has sounded for 150 ms. When the audio starts in the
    /// middle of the intercept (the first tone cut off, or too short to count), the second and
    /// third tones at the very start are enough.
    private func isSpecialInformation() -> Bool {
        guard let third = run, third.lastWindowEnd - third.firstWindowStart >= 1200,
              (1720...1830).contains(third.frequency), let second = tones.last,
              (1330...1470).contains(second.frequency), third.firstWindowStart - second.lastWindowEnd < 800
        else { return false }
        guard tones.count >= 2 else { return second.start < 4000 }
        let first = tones[tones.count - 2]
        return (880...1020).contains(first.frequency) && second.start - first.lastWindowEnd < 800
    }
}

extension ToneTracker.Run {
    func accepts(_ features: WindowFeatures) -> Bool {
        abs(features.frequency - frequency) <= max(frequency * 0.02, 8)
            && features.power >= power / 2 && features.power <= power * 2
    }
}

/// The power of the last 64 chunks of 5 ms, with where each ended.
struct ChunkHistory: Sendable {
    private var ends = [Int](repeating: -1, count: 64)
    private var powers = [Float](repeating: 0, count: 64)
    private var next = 0

    mutating func append(end: Int, power: Float) {
        ends[next] = end
        powers[next] = power
        next = (next + 1) % ends.count
    }

    /// The end of the first chunk that starts at or after `start` with power under `below`.
    func firstQuiet(after start: Int, below: Float) -> Int? {
        var best: Int?
        for i in 0..<ends.count where ends[i] - 40 >= start && powers[i] < below {
            if best == nil || ends[i] < best! { best = ends[i] }
        }
        return best
    }
}

import Foundation

/// Renders many messages through a ``MessageSpeaker``, a bounded number at once.
///
/// Each message is a child task of one task group: the first ``maximumInFlight`` start together
/// and each one that finishes starts the next, so a slow voice is never asked for more than that
/// many messages at once. A message that fails does not stop the others; its error is its result.
/// When the calling task is cancelled no further message starts, and those not started fail with
/// `CancellationError`.
///
/// Identical requests rendered at the same moment are each synthesized (the cache is checked
/// before synthesis, not locked); give distinct requests, as rendering a contact list does.
public struct RenderBatch: Sendable {
    /// What a batch came to.
    public struct Outcome: Sendable {
        /// One result per request, in the order given: the message's audio, or why it failed.
        public var results: [Result<MessageAudio, any Error>]
        /// Messages found in the cache, with no synthesis.
        public var fromCache: Int
        /// Messages synthesized by this batch.
        public var synthesized: Int
        /// Messages that failed.
        public var failed: Int
        /// How many messages each voice spoke, e.g. `["piper:default": 998, "espeak-ng:en-us": 2]`:
        /// anything but the first voice means a fallback spoke.
        public var byVoice: [String: Int]
    }

    /// The speaker that renders each message.
    public var speaker: MessageSpeaker
    /// Messages rendered at once; at least 1.
    public var maximumInFlight: Int

    /// Creates a batch renderer.
    ///
    /// - Parameters:
    ///   - speaker: renders each message, from its cache when it can.
    ///   - maximumInFlight: messages rendered at once. A local Piper gains little past the number
    ///     of cores; a cloud voice's rate limit is the bound there (see BENCHMARKS.md).
    public init(speaker: MessageSpeaker, maximumInFlight: Int = 4) {
        self.speaker = speaker
        self.maximumInFlight = max(1, maximumInFlight)
    }

    /// Renders every request.
    ///
    /// - Parameters:
    ///   - requests: the messages; results come back in the same order.
    ///   - progress: called on the calling task as each message finishes, with the number done so
    ///     far and the total, e.g. to draw a ``ProgressBar``.
    /// - Returns: each request's result, and the counts.
    public func render(_ requests: [SpeechRequest], progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) async -> Outcome {
        let speaker = self.speaker
        let total = requests.count
        let first = min(maximumInFlight, total)
        let results = await withTaskGroup(of: Finished.self, returning: [Result<MessageAudio, any Error>?].self) { group in
            var results = [Result<MessageAudio, any Error>?](repeating: nil, count: total)
            var next = 0
            var done = 0
            while next < first, !Task.isCancelled {
                Self.start(requests[next], at: next, speaker: speaker, in: &group)
                next += 1
            }
            while let finished = await group.next() {
                results[finished.index] = finished.result
                done += 1
                progress(done, total)
                if next < total, !Task.isCancelled {
                    Self.start(requests[next], at: next, speaker: speaker, in: &group)
                    next += 1
                }
            }
            return results
        }
        var outcome = Outcome(results: [], fromCache: 0, synthesized: 0, failed: 0, byVoice: [:])
        outcome.results = results.map { $0 ?? .failure(CancellationError()) }
        for result in outcome.results {
            switch result {
            case .success(let audio):
                if audio.fromCache { outcome.fromCache += 1 } else { outcome.synthesized += 1 }
                outcome.byVoice[audio.voice, default: 0] += 1
            case .failure:
                outcome.failed += 1
            }
        }
        return outcome
    }

    private static func start(_ request: SpeechRequest, at index: Int, speaker: MessageSpeaker,
                              in group: inout TaskGroup<Finished>) {
        group.addTask {
            do { return Finished(index: index, result: .success(try await speaker.render(request))) } catch {
                return Finished(index: index, result: .failure(error))
            }
        }
    }

    /// A child task's answer: which request, and how it went. A struct, not a tuple: built with
    /// Swift 6.3.1 -O, a task group of `(Int, Result<MessageAudio, any Error>)` read back a
    /// garbage index (speech-bench trapped on its first result; debug builds were fine).
    private struct Finished: Sendable {
        var index: Int
        var result: Result<MessageAudio, any Error>
    }
}

/// A one-line text progress bar, e.g. `[########............]   412/1000   41%  20.6/s  eta 29s`.
///
/// Pure: the caller passes the count done and the time since the start, and writes the line
/// where it likes (on a terminal, after a carriage return so that it redraws in place).
public struct ProgressBar: Sendable, Hashable {
    /// The count that fills the bar.
    public var total: Int
    /// The bar's width in characters, brackets not counted.
    public var width: Int

    /// Creates a bar for `total` items.
    public init(total: Int, width: Int = 30) {
        self.total = max(0, total)
        self.width = max(1, width)
    }

    /// The line for `done` items after `elapsed`: the bar, `done/total`, the percentage, the rate
    /// so far and the time left at that rate (`eta --` before the rate is known).
    public func line(done: Int, elapsed: Duration) -> String {
        let done = min(max(0, done), total)
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let filled = min(width, Int(fraction * Double(width)))
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
        let digits = String(total).count
        let count = String(repeating: " ", count: max(0, digits - String(done).count)) + "\(done)/\(total)"
        let percent = String(Int(fraction * 100))
        let seconds = elapsed / .seconds(1)
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let eta: String
        if done == total {
            eta = "0s"
        } else if rate > 0 {
            eta = Self.clock(Int((Double(total - done) / rate).rounded(.up)))
        } else {
            eta = "--"
        }
        return "\(bar)  \(count)  \(String(repeating: " ", count: 3 - percent.count))\(percent)%  \(String(format: "%.1f", rate))/s  eta \(eta)"
    }

    /// `45s`, `4m05s` or `2h07m`.
    static func clock(_ seconds: Int) -> String {
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" + String(format: "%02d", seconds % 60) + "s" }
        return "\(seconds / 3600)h" + String(format: "%02d", seconds % 3600 / 60) + "m"
    }
}

/// Judges an answered call's first seconds: a person, a machine's greeting (and when it ended),
/// or a carrier's intercept.
///
/// Pure: it holds no clock and does no I/O. Feed it the callee's audio, 16-bit signed linear mono
/// at 8,000 Hz, in chunks of any size; every sample index it reports counts samples consumed.
public struct GreetingDetector: Sendable {
    /// The detector's thresholds, with documented defaults.
    public struct Configuration: Sendable, Equatable {
        /// Creates a configuration; every field has its default.
        public init() {}
    }

    /// The thresholds in use.
    public let configuration: Configuration
    /// The decision so far.
    public private(set) var decision: GreetingDecision = .listening
    /// Samples consumed so far (the time base of every sample index in a decision).
    public private(set) var samplesConsumed: Int = 0

    /// Creates a detector that has heard nothing yet.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// Feeds the next samples (any count, any frame size) and returns the decision so far.
    ///
    /// Once the decision is final (anything but ``GreetingDecision/listening``), further samples
    /// do not change it.
    public mutating func consume(_ samples: UnsafeBufferPointer<Int16>) -> GreetingDecision {
        samplesConsumed += samples.count
        return decision
    }

    /// Feeds the next samples (any count, any frame size) and returns the decision so far.
    public mutating func consume(_ samples: [Int16]) -> GreetingDecision {
        samples.withUnsafeBufferPointer { consume($0) }
    }
}

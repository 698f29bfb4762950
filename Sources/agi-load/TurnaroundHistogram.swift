/// Command turnarounds in nanoseconds, counted in log-linear buckets as HdrHistogram does, so a
/// run of any length holds in a fixed 60 KB with under 0.8% error on any percentile.
///
/// Values below 256 ns have a bucket each; above that, each power of two is split into 128
/// buckets. The minimum and maximum are kept exactly.
struct TurnaroundHistogram: Sendable {
    private static let subBuckets: UInt64 = 128
    private static let bucketCount = 256 + 56 * 128

    private var counts = [UInt64](repeating: 0, count: TurnaroundHistogram.bucketCount)

    /// How many turnarounds were recorded.
    private(set) var count: UInt64 = 0
    /// The longest turnaround, exactly.
    private(set) var maximum: UInt64 = 0
    /// The shortest turnaround, exactly; `UInt64.max` while empty.
    private(set) var minimum: UInt64 = .max

    /// Counts one turnaround.
    mutating func record(nanoseconds value: UInt64) {
        counts[Self.index(of: value)] &+= 1
        count &+= 1
        if value > maximum { maximum = value }
        if value < minimum { minimum = value }
    }

    /// Adds another histogram's counts, e.g. another event loop's.
    mutating func merge(_ other: TurnaroundHistogram) {
        for index in counts.indices { counts[index] &+= other.counts[index] }
        count &+= other.count
        maximum = Swift.max(maximum, other.maximum)
        minimum = Swift.min(minimum, other.minimum)
    }

    /// The value at or below which `percentile` per cent of the turnarounds fall, in nanoseconds:
    /// the top of its bucket, capped at the exact maximum. 0 when nothing was recorded.
    func value(atPercentile percentile: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let rank = Swift.max(1, UInt64((percentile / 100 * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, bucket) in counts.enumerated() where bucket > 0 {
            seen += bucket
            if seen >= rank { return Swift.min(Self.highestValue(inBucket: index), maximum) }
        }
        return maximum
    }

    /// The bucket a value falls in.
    static func index(of value: UInt64) -> Int {
        if value < 2 * subBuckets { return Int(value) }
        let highestBit = 63 - value.leadingZeroBitCount
        let shift = highestBit - 7
        return 256 + (shift - 1) * 128 + Int((value >> UInt64(shift)) - subBuckets)
    }

    /// The largest value that falls in a bucket.
    static func highestValue(inBucket index: Int) -> UInt64 {
        if index < 256 { return UInt64(index) }
        let shift = UInt64((index - 256) / 128 + 1)
        let mantissa = UInt64((index - 256) % 128) + subBuckets
        return ((mantissa + 1) << shift) &- 1
    }
}

import Foundation

/// A time of day on the wall clock, to the minute.
public struct ClockTime: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// Minutes since midnight, 0...1440.
    public var minutes: Int

    /// Creates a time of day; 24:00 is the end of the day.
    public init(_ hour: Int, _ minute: Int = 0) {
        minutes = max(0, min(24 * 60, hour * 60 + minute))
    }

    /// Parses `HH:MM`.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0..<60).contains(m),
              h * 60 + m <= 24 * 60 else { return nil }
        self.init(h, m)
    }

    public var hour: Int { minutes / 60 }
    public var minute: Int { minutes % 60 }
    public static func < (a: ClockTime, b: ClockTime) -> Bool { a.minutes < b.minutes }
    public var description: String { String(format: "%02d:%02d", hour, minute) }
}

/// A named part of the day used to vary when calls happen ("morning", "midday", "afternoon").
public struct DayBand: Sendable, Hashable, Codable {
    /// The band's name, as spoken in promises ("tomorrow afternoon").
    public var name: String
    /// Where the band starts.
    public var start: ClockTime
    /// Where the band ends.
    public var end: ClockTime

    /// Creates a band.
    public init(_ name: String, _ start: ClockTime, _ end: ClockTime) {
        self.name = name
        self.start = start
        self.end = end
    }

    /// Whether a time of day falls in the band.
    public func contains(_ time: ClockTime) -> Bool { time >= start && time < end }
}

/// How much time to leave after message 2 before the last message.
public enum SecondMessageGap: String, Sendable, Hashable, Codable {
    /// "in a day or two": two business days later.
    case dayOrTwo = "day-or-two"
    /// "next week": the following week.
    case nextWeek = "next-week"
}

/// The rules of the follow-up cadence, with documented defaults.
///
/// Everything is read in the contact's own time zone. Calling hours can be narrowed but never
/// widened past the hard bounds of 08:00–21:00 local time.
public struct CallingPolicy: Sendable, Hashable, Codable {
    /// No call ever starts before this local time.
    public static let earliestAllowed = ClockTime(8, 0)
    /// No call ever starts at or after this local time.
    public static let latestAllowed = ClockTime(21, 0)

    /// Calling hours per weekday (1 = Sunday ... 7 = Saturday, as Foundation counts); a day with
    /// no hours is not a business day. Default: Monday to Friday, 09:00–17:30.
    public var callingHours: [Int: ClosedRange<ClockTime>]
    /// Dates with no calls, as `YYYY-MM-DD` in the contact's time zone.
    public var holidays: Set<String>
    /// The parts of the day that calls rotate through.
    public var bands: [DayBand]
    /// When message 1 says the next call comes: the next business day around this time.
    public var firstPromiseTime: ClockTime
    /// How wide "around noon" is, either side, in minutes.
    public var promiseToleranceMinutes: Int
    /// The gap after message 2.
    public var secondMessageGap: SecondMessageGap
    /// How long a contact stays parked in the pipeline after message 3 before a revisit.
    public var revisitDays: Int
    /// How many calls one step may take (the message's own call included) before giving up on it.
    public var dialsPerStep: Int
    /// How long to wait before trying again after a call that reached no voicemail, in minutes.
    public var retryGapMinutes: Int
    /// The share of a message that must play for it to count as left (0...1).
    public var completeShare: Double
    /// Whether a message cut short (below ``completeShare``) still counts as left.
    public var cutShortMessagesCount: Bool

    /// The defaults of DESIGN.md's follow-up rules.
    public init(
        callingHours: [Int: ClosedRange<ClockTime>] = Dictionary(uniqueKeysWithValues: (2...6).map { ($0, ClockTime(9, 0)...ClockTime(17, 30)) }),
        holidays: Set<String> = [],
        bands: [DayBand] = [DayBand("morning", ClockTime(9, 0), ClockTime(11, 30)),
                            DayBand("midday", ClockTime(11, 30), ClockTime(13, 30)),
                            DayBand("afternoon", ClockTime(13, 30), ClockTime(21, 0))],
        firstPromiseTime: ClockTime = ClockTime(12, 0),
        promiseToleranceMinutes: Int = 30,
        secondMessageGap: SecondMessageGap = .dayOrTwo,
        revisitDays: Int = 90,
        dialsPerStep: Int = 4,
        retryGapMinutes: Int = 180,
        completeShare: Double = 0.95,
        cutShortMessagesCount: Bool = false
    ) {
        self.callingHours = callingHours
        self.holidays = holidays
        self.bands = bands
        self.firstPromiseTime = firstPromiseTime
        self.promiseToleranceMinutes = promiseToleranceMinutes
        self.secondMessageGap = secondMessageGap
        self.revisitDays = revisitDays
        self.dialsPerStep = dialsPerStep
        self.retryGapMinutes = retryGapMinutes
        self.completeShare = completeShare
        self.cutShortMessagesCount = cutShortMessagesCount
    }

    /// The calling hours of a weekday, narrowed to the hard bounds; `nil` when no calls are made.
    public func hours(onWeekday weekday: Int) -> ClosedRange<ClockTime>? {
        guard let hours = callingHours[weekday] else { return nil }
        let start = max(hours.lowerBound, Self.earliestAllowed)
        let end = min(hours.upperBound, Self.latestAllowed)
        return start < end ? start...end : nil
    }

    /// Problems with the policy that make it unusable, in words an administrator can act on.
    public var problems: [String] {
        var problems: [String] = []
        if callingHours.isEmpty { problems.append("calling hours name no day: no call could ever be made") }
        for (day, hours) in callingHours where hours.lowerBound < Self.earliestAllowed || hours.upperBound > Self.latestAllowed {
            problems.append("calling hours on weekday \(day) (\(hours.lowerBound)–\(hours.upperBound)) reach outside 08:00–21:00; they are cut to it")
        }
        if bands.isEmpty { problems.append("no bands of the day are set") }
        if dialsPerStep < 1 { problems.append("dials per step must be at least 1") }
        if !(0...1).contains(completeShare) { problems.append("complete share must be between 0 and 1") }
        return problems
    }

    /// The band a time of day falls in (the first band for times before every band).
    public func band(at time: ClockTime) -> DayBand {
        bands.first { $0.contains(time) } ?? (time < (bands.first?.start ?? ClockTime(0)) ? bands.first! : bands.last!)
    }
}

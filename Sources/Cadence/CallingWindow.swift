import Foundation

/// A span of time in which a call is to be made: the slot a message promised, or the band a
/// retry aims for. A due contact is dialled inside its window.
public struct CallingWindow: Sendable, Hashable, Codable {
    /// The window's start.
    public var start: Date
    /// The window's end.
    public var end: Date

    /// Creates a window.
    public init(start: Date, end: Date) {
        self.start = start
        self.end = max(start, end)
    }

    /// Whether a moment falls in the window.
    public func contains(_ date: Date) -> Bool { date >= start && date < end }

    /// The window's middle, which promises name ("around noon").
    public var center: Date { start.addingTimeInterval(end.timeIntervalSince(start) / 2) }
}

/// A Gregorian calendar in one time zone, with the local-time arithmetic the cadence needs.
///
/// Building `Calendar` values is costly; keep one per time zone (``ZonedCalendar/cached(_:)``).
public struct ZonedCalendar: Sendable {
    /// The underlying calendar, with its time zone set.
    public let calendar: Calendar

    /// A calendar for an IANA time zone, or `nil` for an unknown zone.
    public init?(timeZone identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        calendar.locale = Locale(identifier: "en_US_POSIX")
        self.calendar = calendar
    }

    private static let cache = ZoneCache()

    /// A shared calendar for the zone, or `nil` for an unknown zone.
    public static func cached(_ identifier: String) -> ZonedCalendar? { cache.calendar(for: identifier) }

    /// The local date (`YYYY-MM-DD`) of a moment.
    public func dayKey(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        return "\(c.year!)-\(two(c.month!))-\(two(c.day!))"
    }

    /// The local time of day of a moment.
    public func clockTime(_ date: Date) -> ClockTime {
        let c = calendar.dateComponents([.hour, .minute], from: date)
        return ClockTime(c.hour!, c.minute!)
    }

    /// The weekday of a moment, 1 = Sunday ... 7 = Saturday.
    public func weekday(_ date: Date) -> Int { calendar.component(.weekday, from: date) }

    /// The start of the local day holding a moment.
    public func startOfDay(_ date: Date) -> Date { calendar.startOfDay(for: date) }

    /// The moment a local day (given by any moment in it) reaches a time of day. In a DST gap the
    /// next valid time is used.
    public func date(onDayOf day: Date, at time: ClockTime) -> Date {
        let start = calendar.startOfDay(for: day)
        var c = calendar.dateComponents([.year, .month, .day], from: start)
        c.hour = time.minutes == 24 * 60 ? 23 : time.hour
        c.minute = time.minutes == 24 * 60 ? 59 : time.minute
        return calendar.date(from: c) ?? start
    }

    /// A moment some whole local days later (same time of day where DST allows).
    public func adding(days: Int, to date: Date) -> Date {
        calendar.date(byAdding: .day, value: days, to: date) ?? date.addingTimeInterval(Double(days) * 86_400)
    }

    /// Whole local calendar days from one moment's day to another's.
    public func daysBetween(_ a: Date, _ b: Date) -> Int {
        calendar.dateComponents([.day], from: startOfDay(a), to: startOfDay(b)).day ?? 0
    }
}

private final class ZoneCache: @unchecked Sendable {
    private let lock = NSLock()
    private var calendars: [String: ZonedCalendar] = [:]

    func calendar(for identifier: String) -> ZonedCalendar? {
        lock.lock()
        defer { lock.unlock() }
        if let cached = calendars[identifier] { return cached }
        guard let made = ZonedCalendar(timeZone: identifier) else { return nil }
        calendars[identifier] = made
        return made
    }
}

extension CallingPolicy {
    /// Whether calls may be made on the local day holding a moment.
    public func isBusinessDay(_ date: Date, in zone: ZonedCalendar) -> Bool {
        hours(onWeekday: zone.weekday(date)) != nil && (holidays.isEmpty || !holidays.contains(zone.dayKey(date)))
    }

    /// The business day on or after the local day of `date`, at most a year ahead.
    public func businessDay(onOrAfter date: Date, in zone: ZonedCalendar) -> Date {
        var day = date
        for _ in 0..<366 where !isBusinessDay(day, in: zone) { day = zone.adding(days: 1, to: day) }
        return day
    }

    /// The `count`-th business day after the local day of `date`.
    public func businessDay(after date: Date, count: Int, in zone: ZonedCalendar) -> Date {
        var day = date
        for _ in 0..<max(1, count) { day = businessDay(onOrAfter: zone.adding(days: 1, to: day), in: zone) }
        return day
    }

    /// A band on a given local day, cut to that day's calling hours; `nil` when they do not meet.
    public func window(for band: DayBand, onDayOf day: Date, in zone: ZonedCalendar) -> CallingWindow? {
        guard isBusinessDay(day, in: zone), let hours = hours(onWeekday: zone.weekday(day)) else { return nil }
        let start = max(band.start, hours.lowerBound), end = min(band.end, hours.upperBound)
        guard start < end else { return nil }
        return CallingWindow(start: zone.date(onDayOf: day, at: start), end: zone.date(onDayOf: day, at: end))
    }

    /// The earliest window at or after `date` that lies in one of `bands` (in their order of the
    /// day), searching up to a year ahead. A window already under way starts at `date`.
    public func nextWindow(from date: Date, in zone: ZonedCalendar, bands allowed: [DayBand]) -> CallingWindow? {
        var day = date
        for _ in 0..<366 {
            for band in bands where allowed.contains(band) {
                guard var window = window(for: band, onDayOf: day, in: zone), window.end > date else { continue }
                if window.start < date { window.start = date }
                if window.end.timeIntervalSince(window.start) >= 60 { return window }
            }
            day = zone.startOfDay(zone.adding(days: 1, to: zone.startOfDay(day)))
        }
        return nil
    }
}

import Settings

extension CallingPolicy {
    /// Reads the `[cadence]` section; settings it leaves out keep their defaults.
    ///
    /// Calling hours that reach outside 08:00–21:00 are kept and cut when used, with a warning.
    ///
    /// - Throws: ``SettingsProblem`` naming the key: a day that is not a weekday, hours that are
    ///   not `HH:MM-HH:MM` or end before they start, a holiday that is not a date of the calendar,
    ///   a number out of range.
    public init(reading settings: inout SettingsReader) throws {
        self.init()
        if let hours = try settings.stringTable("calling_hours", example: "{ mon = \"09:00-17:30\" }") {
            callingHours = try Self.callingHours(hours, settings: &settings)
        }
        if let holidays = try settings.strings("holidays") {
            for day in holidays where !Self.isCalendarDate(day) {
                throw settings.error("holidays", "entry \"\(day)\" is not a date of the calendar written YYYY-MM-DD")
            }
            self.holidays = Set(holidays)
        }
        if let time = try settings.string("first_promise_time") {
            guard let parsed = ClockTime(parsing: time) else { throw settings.error("first_promise_time", "must be HH:MM, not \"\(time)\"") }
            firstPromiseTime = parsed
        }
        if let gap = try settings.string("second_message_gap", oneOf: ["day-or-two", "next-week"]) {
            secondMessageGap = SecondMessageGap(rawValue: gap) ?? secondMessageGap
        }
        if let days = try settings.int("revisit_days") {
            guard days > 0 else { throw settings.error("revisit_days", "must be above 0") }
            revisitDays = days
        }
        if let dials = try settings.int("dials_per_step", in: 1...20) { dialsPerStep = dials }
        if let minutes = try settings.int("retry_gap_minutes", atLeast: 30) { retryGapMinutes = minutes }
        if let share = try settings.double("complete_share") {
            guard (0...1).contains(share) else { throw settings.error("complete_share", "must be between 0 and 1") }
            completeShare = share
        }
        if let counts = try settings.bool("cut_short_messages_count") { cutShortMessagesCount = counts }
    }

    private static let weekdays = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]

    private static func callingHours(_ hours: [(key: String, value: String)],
                                     settings: inout SettingsReader) throws -> [Int: ClosedRange<ClockTime>] {
        var parsed: [Int: ClosedRange<ClockTime>] = [:]
        for (day, value) in hours {
            guard let weekday = weekdays[day.lowercased()] else {
                throw settings.error("calling_hours", "names '\(day)'; use mon, tue, wed, thu, fri, sat, sun")
            }
            let parts = value.split(separator: "-", omittingEmptySubsequences: false)
                .map { ClockTime(parsing: $0.trimmingWhitespace) }
            guard parts.count == 2, let start = parts[0], let end = parts[1] else {
                throw settings.error("calling_hours", "for \(day) must be \"HH:MM-HH:MM\", not \"\(value)\"")
            }
            guard start < end else {
                throw settings.error("calling_hours", "for \(day) end at \(end), not after they start at \(start): the end must be after the start (hours cannot run past midnight)")
            }
            if start < earliestAllowed || end > latestAllowed {
                settings.warn("calling_hours", "for \(day) (\(start)–\(end)) reach outside 08:00–21:00; they are cut to it")
                if end <= earliestAllowed || start >= latestAllowed {
                    throw settings.error("calling_hours", "for \(day) (\(start)–\(end)) lie wholly outside 08:00–21:00: no call could be made")
                }
            }
            parsed[weekday] = start...end
        }
        guard !parsed.isEmpty else { throw settings.error("calling_hours", "names no day: no call could ever be made") }
        return parsed
    }

    /// Whether `text` is `YYYY-MM-DD` naming a day the Gregorian calendar has (no 2026-02-30).
    static func isCalendarDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month) else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...lengths[month - 1]).contains(day)
    }
}

extension Substring {
    fileprivate var trimmingWhitespace: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

import Foundation

/// What a message says about the next call, and the window that call will be made in.
///
/// The phrase is computed from the window, as the contact will hear it in their own time zone
/// at the moment the message plays, so the words and the schedule cannot disagree:
///
/// | window, heard on a Friday morning | phrase |
/// | --- | --- |
/// | today 14:45–15:15 | "later today around three" |
/// | Monday 11:30–12:30 | "on Monday around noon" |
/// | Monday 13:30–17:30 | "on Monday afternoon" |
/// | a day next week, with the next-week gap | "next week" |
public struct SpokenPromise: Sendable, Hashable, Codable {
    /// How precisely the promise names the time.
    public enum Precision: String, Sendable, Hashable, Codable {
        /// A day and a time or part of the day: "tomorrow around noon".
        case exact
        /// "in a day or two" when the window is one or two days away, else as exact.
        case dayOrTwo
        /// "next week" when the window is in the following calendar week, else as exact.
        case nextWeek
    }

    /// The window the next call will be made in.
    public var window: CallingWindow
    /// The words, e.g. "tomorrow around noon".
    public var phrase: String

    /// Makes the promise for a window.
    ///
    /// - Parameters:
    ///   - window: when the next call will be made.
    ///   - heardAt: when the contact hears the message.
    ///   - zone: the contact's calendar.
    ///   - policy: the policy, for the names of the parts of the day.
    ///   - precision: how precisely to say it.
    public init(window: CallingWindow, heardAt: Date, zone: ZonedCalendar, policy: CallingPolicy, precision: Precision = .exact) {
        self.window = window
        self.phrase = Self.phrase(window: window, heardAt: heardAt, zone: zone, policy: policy, precision: precision)
    }

    static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                         "October", "November", "December"]
    static let hourWords = ["twelve", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven"]

    static func phrase(window: CallingWindow, heardAt: Date, zone: ZonedCalendar, policy: CallingPolicy, precision: Precision) -> String {
        let days = zone.daysBetween(heardAt, window.start)
        switch precision {
        case .dayOrTwo where (1...2).contains(days):
            return "in a day or two"
        case .nextWeek where isNextWeek(window.start, after: heardAt, zone: zone):
            return "next week"
        default:
            break
        }
        let weekday = weekdays[zone.weekday(window.start) - 1]
        let width = window.end.timeIntervalSince(window.start)
        if width <= 2 * 3600 {
            let time = "around " + timeWords(zone.clockTime(window.center))
            switch days {
            case 0: return "later today \(time)"
            case 1: return "tomorrow \(time)"
            case 2...6: return "on \(weekday) \(time)"
            default: return "on \(weekday), \(dateWords(window.start, zone: zone)) \(time)"
            }
        }
        let part = policy.band(at: zone.clockTime(window.center)).name
        let partWords = part == "midday" ? " around midday" : " \(part)"
        switch days {
        case 0: return part == "midday" ? "later today around midday" : "this \(part)"
        case 1: return "tomorrow" + partWords
        case 2...6: return "on \(weekday)" + partWords
        default: return "on \(weekday), \(dateWords(window.start, zone: zone))" + partWords
        }
    }

    static func isNextWeek(_ date: Date, after heard: Date, zone: ZonedCalendar) -> Bool {
        // Weeks run Monday to Sunday, as a caller in the US or Europe speaks of them.
        func mondayOf(_ d: Date) -> Date {
            let w = zone.weekday(d)
            return zone.startOfDay(zone.adding(days: -((w + 5) % 7), to: d))
        }
        return zone.daysBetween(mondayOf(heard), mondayOf(date)) == 7
    }

    static func timeWords(_ time: ClockTime) -> String {
        // Round to the quarter hour: "around" needs no more.
        let rounded = ((time.minutes + 7) / 15) * 15
        let hour = (rounded / 60) % 24, minute = rounded % 60
        if hour == 12 && minute == 0 { return "noon" }
        let words = hourWords[hour % 12]
        switch minute {
        case 0: return words
        case 15: return "\(words) fifteen"
        case 30: return "\(words) thirty"
        default: return "\(words) forty-five"
        }
    }

    static func dateWords(_ date: Date, zone: ZonedCalendar) -> String {
        let c = zone.calendar.dateComponents([.month, .day], from: date)
        let day = c.day!
        let suffix = (11...13).contains(day % 100) ? "th" : ["th", "st", "nd", "rd", "th", "th", "th", "th", "th", "th"][day % 10]
        return "\(months[c.month! - 1]) \(day)\(suffix)"
    }
}

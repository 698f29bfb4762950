import Foundation

/// A moment given as local wall-clock time in a zone, `yyyy-MM-dd HH:mm`.
public func local(_ text: String, _ zone: String = "America/New_York") -> Date {
    wallClock("yyyy-MM-dd HH:mm", zone).date(from: text)!
}

/// A moment as local wall-clock time in a zone, with the weekday (`Mon 2026-11-23 09:00`), or `nil`.
public func show(_ date: Date?, _ zone: String = "America/New_York") -> String {
    guard let date else { return "nil" }
    return wallClock("EEE yyyy-MM-dd HH:mm", zone).string(from: date)
}

private func wallClock(_ format: String, _ zone: String) -> DateFormatter {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: zone)
    formatter.dateFormat = format
    return formatter
}

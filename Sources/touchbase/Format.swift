import Foundation

/// How the commands write dates, tables and CSV.
enum Format {
    static func local(_ date: Date, _ zone: String) -> String { localFormatter(zone).string(from: date) }

    static func localFormatter(_ zone: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone)
        formatter.dateFormat = "EEE yyyy-MM-dd HH:mm zzz"
        return formatter
    }

    /// What `ISO8601DateFormatter` writes (`2026-11-23T15:00:01Z`), at a two-hundredth of its
    /// cost: a new formatter per date was most of the time `log` took over a million calls.
    static func iso(_ date: Date) -> String { date.formatted(isoStyle) }

    private static let isoStyle = Date.ISO8601FormatStyle()

    static func table(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: width)
        measure(rows, into: &widths)
        return rows.map { line($0, widths: widths) }.joined(separator: "\n")
    }

    /// Prints a table whose rows `walk` gives a page at a time, holding one page: `walk` runs
    /// twice, first to measure the columns, then to print. Prints what ``table(_:)`` prints.
    ///
    /// - Parameter walk: reads the rows, handing each page to `emit`.
    static func printTable(header: [String], rows walk: (_ emit: ([[String]]) -> Void) async throws -> Void) async throws {
        var widths = [Int](repeating: 0, count: header.count)
        measure([header], into: &widths)
        try await walk { rows in measure(rows, into: &widths) }
        print(line(header, widths: widths))
        try await walk { rows in
            for row in rows { print(line(row, widths: widths)) }
        }
    }

    /// Widens `widths` to the rows' cells, up to 60 characters.
    private static func measure(_ rows: [[String]], into widths: inout [Int]) {
        for row in rows {
            for (i, cell) in row.enumerated() {
                if i == widths.count { widths.append(0) }
                widths[i] = max(widths[i], min(cell.count, 60))
            }
        }
    }

    /// One row, each cell cut at 60 characters and padded to its column's width.
    private static func line(_ row: [String], widths: [Int]) -> String {
        // Counted and cut in characters (grapheme clusters), never in UTF-16 units as
        // NSString's padding does: that cut an emoji in half and printed U+FFFD.
        row.enumerated().map { i, cell in
            let cut = cell.count > 60 ? String(cell.prefix(59)) + "…" : cell
            return cut + String(repeating: " ", count: max(0, widths[i] - cut.count))
        }.joined(separator: "  ")
    }

    static func csv(_ rows: [[String]]) -> String {
        rows.map { row in
            row.map { cell in
                cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                    ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
            }.joined(separator: ",")
        }.joined(separator: "\n")
    }
}

/// Local times as ``Format/local(_:_:)`` writes them, with one formatter per zone rather than
/// one per date: a list of a million contacts has a handful of zones.
struct LocalTimes {
    private var formatters: [String: DateFormatter] = [:]

    mutating func string(_ date: Date, _ zone: String) -> String {
        if let formatter = formatters[zone] { return formatter.string(from: date) }
        let formatter = Format.localFormatter(zone)
        formatters[zone] = formatter
        return formatter.string(from: date)
    }
}

import Cadence
import Foundation
import Store

/// The Report page's tables, its CSV and its chart, from the store's weekly counts. Pure: the
/// SVG is drawn from numbers and fixed labels only, never from stored text.
enum ConsoleReport {
    /// The counts per week, every step added up, oldest first.
    static func perWeek(_ rows: [WeeklyStepCounts]) -> [WeeklyStepCounts] {
        Dictionary(grouping: rows, by: \.weekStart).map { week, rows in
            rows.reduce(into: WeeklyStepCounts(weekStart: week, step: .first)) { $0.add($1) }
        }.sorted { $0.weekStart < $1.weekStart }
    }

    /// The counts the page shows, in its columns' order.
    static func values(_ row: WeeklyStepCounts) -> [Int] { Array(row.counts.prefix(6)) }

    static func week(_ row: WeeklyStepCounts) -> String {
        row.weekStart.formatted(Date.ISO8601FormatStyle().year().month().day())
    }

    static func row(_ row: WeeklyStepCounts) -> [String: Any] {
        let v = values(row)
        return ["step": row.step.rawValue, "week": week(row), "dials": v[0], "voicemails": v[1], "messagesLeft": v[2],
                "reached": v[3], "callbacks": v[4], "parked": v[5]]
    }

    /// The values of the `reportCounts` template: totals per step, per week, and the chart.
    static func tables(_ rows: [WeeklyStepCounts]) -> [String: Any] {
        let weeks = perWeek(rows)
        return ["steps": WeeklyStepCounts.perStep(rows).map(row), "weeks": weeks.map(row), "chart": chart(weeks)]
    }

    /// Every week and step, one line each.
    static func csv(_ rows: [WeeklyStepCounts]) -> String {
        (["week,step,dials,voicemails,messages_left,reached,callbacks,parked"]
            + rows.map { ([week($0), String($0.step.rawValue)] + values($0).map(String.init)).joined(separator: ",") })
            .joined(separator: "\n") + "\n"
    }

    static let series = [("dials", "#9aa5b1"), ("messages left", "#1d3557"), ("reached", "#2a9d8f"), ("callbacks", "#e9c46a")]

    /// Bars per week: dials, messages left, reached and callbacks side by side.
    static func chart(_ weeks: [WeeklyStepCounts]) -> String {
        let shown = Array(weeks.suffix(26))
        let top = max(1, shown.map(\.dials).max() ?? 1)
        let (height, group, bar) = (200.0, 40.0, 8.0)
        let width = max(520, Int(Double(shown.count) * group + 60))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Calls per week\" width=\"\(width)\" height=\"\(Int(height + 60))\" viewBox=\"0 0 \(width) \(Int(height + 60))\">"
        for (index, row) in shown.enumerated() {
            let v = [row.dials, row.messagesLeft, row.reached, row.callbacks]
            for (s, value) in v.enumerated() {
                let h = Double(value) / Double(top) * height
                svg += "<rect x=\"\(Int(40 + Double(index) * group + Double(s) * bar))\" y=\"\(Int(height - h + 10))\" width=\"\(Int(bar - 1))\" height=\"\(Int(h))\" fill=\"\(series[s].1)\"><title>\(series[s].0): \(value)</title></rect>"
            }
            svg += "<text x=\"\(Int(40 + Double(index) * group))\" y=\"\(Int(height + 25))\" font-size=\"9\">\(week(row).suffix(5))</text>"
        }
        svg += "<text x=\"0\" y=\"18\" font-size=\"10\">\(top)</text><text x=\"0\" y=\"\(Int(height + 10))\" font-size=\"10\">0</text>"
        for (s, item) in series.enumerated() {
            svg += "<rect x=\"\(40 + s * 110)\" y=\"\(Int(height + 40))\" width=\"10\" height=\"10\" fill=\"\(item.1)\"/><text x=\"\(54 + s * 110)\" y=\"\(Int(height + 49))\" font-size=\"10\">\(item.0)</text>"
        }
        return svg + "</svg>"
    }
}

/// One count of every call, with the Report page's tables and chart and the CSV drawn from it.
struct ReportCount: Sendable {
    /// When the count began.
    let at: Date
    let rows: [WeeklyStepCounts]
    /// The `reportCounts` template rendered: the same for every page until the next count.
    let html: String
    let csv: [UInt8]
}

/// The report's counts, read from the store at most once per `maximumAge`: counting a million
/// calls takes longer than a page may. A page served while the counts are older than that gets
/// the counts it has at once and starts one new count behind it; only the first page waits.
/// Each count is drawn (tables, chart, CSV) once, as it is made: with 53 weeks, drawing them
/// for every page made the Report the slowest page at p95.
actor ReportCounts {
    private let store: any Store
    private let views: ConsoleViews
    private let maximumAge: TimeInterval
    private let clock: @Sendable () -> Date
    private var counted: ReportCount?
    private var counting: Task<ReportCount, any Error>?

    init(store: any Store, views: ConsoleViews = ConsoleViews(), maximumAge: TimeInterval = 60, clock: @escaping @Sendable () -> Date) {
        self.store = store
        self.views = views
        self.maximumAge = maximumAge
        self.clock = clock
    }

    /// The newest count made, or the first one once it is made.
    func current() async throws -> ReportCount {
        if let counted {
            if clock().timeIntervalSince(counted.at) > maximumAge, counting == nil { _ = startCount() }
            return counted
        }
        return try await (counting ?? startCount()).value
    }

    private func startCount() -> Task<ReportCount, any Error> {
        let (store, views, started) = (store, views, clock())
        let task = Task {
            let rows = try await store.weeklyCounts()
            return ReportCount(at: started, rows: rows, html: views.part("reportCounts", ConsoleReport.tables(rows)),
                               csv: Array(ConsoleReport.csv(rows).utf8))
        }
        counting = task
        Task {
            let count = try? await task.value
            self.finished(count)
        }
        return task
    }

    private func finished(_ count: ReportCount?) {
        counting = nil
        if let count { counted = count }
    }
}

import Cadence
import Foundation
import Hummingbird
import Scripts
import Store

/// Today, Import, Messages, Report and System.
extension Console {
    func addPageRoutes(_ router: Router<ConsoleRequestContext>) {
        router.get("/today") { request, _ in try await self.page(request) { try await self.todayPage($0, zone: self.viewerZone(request)) } }
        router.get("/today/events") { request, _ in try await self.page(request) { _ in self.todayEvents(request, zone: self.viewerZone(request)) } }
        router.get("/import") { request, _ in try await self.page(request) { self.importPage($0, problems: [], csv: "", file: "") } }
        router.post("/import") { request, _ in
            try await self.mutation(request, limit: 20 << 20) { session, form in try await self.importCSV(form, session) }
        }
        addMessageRoutes(router)
        router.get("/report") { request, _ in try await self.page(request) { try await self.reportPage($0, zone: self.viewerZone(request)) } }
        router.get("/report.csv") { request, _ in
            try await self.page(request) { _ in
                ConsoleViews.bytes(try await self.reportCounts.current().csv, type: "text/csv; charset=utf-8")
            }
        }
        router.get("/system") { request, _ in
            try await self.page(request) { session in
                guard session.role == .admin else { return self.views.problem("The System page is for administrators.", status: .forbidden, session: session) }
                return try await self.systemPage(session, zone: self.viewerZone(request))
            }
        }
    }

    // MARK: Today

    /// Today: since midnight in the zone of the person reading, and every time in that zone.
    func todayPage(_ session: ConsoleSession, zone: String) async throws -> Response {
        let (counts, calls) = try await today(session, zone: zone)
        return views.page("today", title: "Today", session: session, [
            "counts": counts.sorted { $0.key < $1.key }.map { ["outcome": $0.key, "n": $0.value] }, "calls": calls, "zone": zone,
        ])
    }

    /// Today's counts by outcome and the newest 50 calls the session may see, as the page shows them.
    func today(_ session: ConsoleSession, zone: String) async throws -> (counts: [String: Int], calls: [[String: Any]]) {
        let since = Self.startOfDay(services.clock(), zone: zone)
        let counts = try await store.outcomeCounts(since: since)
        let calls: [[String: Any]] = try await store.latestCalls(since: since, owner: session.ownerScope, limit: 50).map { call in
            ["started": ConsoleFormat.time(call.startedAt, zone: zone), "contactID": call.contactID, "contactName": call.contactName,
             "step": call.step.rawValue, "outcome": call.outcome?.logValue ?? "in progress",
             "nextCall": ConsoleFormat.time(call.nextCallStart, zone: zone), "promise": call.promise ?? ""]
        }
        return (counts, calls)
    }

    static func startOfDay(_ now: Date, zone: String) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone) ?? .gmt
        return calendar.startOfDay(for: now)
    }

    /// Today's counts and calls as one server-sent event (`event: today`, the data JSON).
    func todayEvent(_ session: ConsoleSession, zone: String) async throws -> String {
        let (counts, calls) = try await today(session, zone: zone)
        let json = try JSONSerialization.data(withJSONObject: ["counts": counts, "calls": calls], options: [.sortedKeys])
        return "event: today\ndata: \(String(decoding: json, as: UTF8.self))\n\n"
    }

    /// Server-sent events while the Today page is open: its counts and calls each time they
    /// change (looked at every two seconds), a comment every 30 s otherwise so proxies keep the
    /// stream open; the stream ends when the session does, or after an hour (the page reconnects).
    func todayEvents(_ request: Request, zone: String) -> Response {
        let token = request.cookies[Self.sessionCookie]?.value ?? ""
        let body = ResponseBody { writer in
            var last = ""
            for tick in 0..<1800 {
                guard let session = try await self.sessions.session(token: token, now: self.services.clock()) else { break }
                let event = try await self.todayEvent(session, zone: zone)
                if event != last {
                    try await writer.write(ByteBuffer(string: event))
                    last = event
                } else if tick % 15 == 0 {
                    try await writer.write(ByteBuffer(string: ": still here\n\n"))
                }
                try await Task.sleep(for: .seconds(2))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }

    // MARK: Import

    func importPage(_ session: ConsoleSession, problems: [ContactImportError.Problem], csv: String, file: String,
                    notice: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        views.page("import", title: "Import contacts", session: session, status: status, notice: notice, [
            "hasProblems": !problems.isEmpty, "problems": problems.map { ["line": $0.line, "message": $0.message] },
            "csv": csv, "file": file,
        ])
    }

    /// All or nothing, as `contacts import`: every bad row with its line, or every row stored.
    /// An owner may import only their own contacts.
    func importCSV(_ form: FormFields, _ session: ConsoleSession) async throws -> Response {
        let csv = form["csv"] ?? "", file = form.nonEmpty("file") ?? "upload.csv"
        let contacts: [Contact]
        do {
            contacts = try services.importer.contacts(fromCSV: csv, file: file)
        } catch {
            return importPage(session, problems: error.problems, csv: csv, file: file, status: .unprocessableContent)
        }
        if let owner = session.ownerScope {
            let foreign = contacts.enumerated().filter { $0.element.owner.name != owner }.map { $0.offset }
            if !foreign.isEmpty {
                let problems = foreign.prefix(20).map { ContactImportError.Problem(line: $0 + 2, message: "the owner is not \(owner); you import only your own contacts") }
                return importPage(session, problems: problems, csv: csv, file: file, status: .unprocessableContent)
            }
        }
        let summary = try await store.importContacts(contacts, now: services.clock(), policy: services.policy)
        try await audit(session, "import", "\(contacts.count) contacts from \(file): \(summary.inserted) new, \(summary.updated) updated")
        return importPage(session, problems: [], csv: "", file: "",
                          notice: "Imported \(contacts.count) contacts from \(file): \(summary.inserted) new, \(summary.updated) updated.")
    }

    // MARK: Messages, Report, System

    func reportPage(_ session: ConsoleSession, zone: String) async throws -> Response {
        let count = try await reportCounts.current()
        return views.page("report", title: "Report", session: session, notice: "Counted at \(ConsoleFormat.time(count.at, zone: zone)); counted again at most once a minute.",
                          ["counts": count.html])
    }

    func systemPage(_ session: ConsoleSession, zone: String) async throws -> Response {
        let audit = try await store.auditLog(limit: 50).map {
            ["when": ConsoleFormat.time($0.at, zone: zone), "account": $0.account, "action": $0.action, "detail": $0.detail]
        }
        return views.page("system", title: "System", session: session, [
            "checks": await services.checks(), "dialer": await services.dialerState(), "audit": audit,
            "voices": await services.voices(), "problems": await services.recentProblems(),
        ])
    }
}

import Cadence
import Foundation
import Hummingbird
import Store

/// The Contacts list, a contact's page, its buttons and the audio its calls played.
extension Console {
    static let phases = ["active", "reached", "responded", "parked", "stopped"]
    static let notices = ["do-not-call": "On the do-not-call list: no more calls.", "paused": "Paused.", "call-now": "The dialer will call now.",
                          "edited": "Details saved.", "promise-kept": "A call a message promised is still ahead; it is kept."]

    /// The characters a call id keeps in a URL's path segment; the rest are percent-encoded.
    static let callIDCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))

    func addContactRoutes(_ router: Router<ConsoleRequestContext>) {
        router.get("/contacts") { request, _ in try await self.page(request) { try await self.contactsPage(request, $0) } }
        router.get("/contacts/{id}") { request, context in
            try await self.page(request) { session in
                try await self.withContact(context, session) { try await self.contactPage(request, $0, session) }
            }
        }
        router.get("/contacts/{id}/calls/{call}/audio.wav") { request, context in
            try await self.page(request) { session in
                try await self.withContact(context, session) { contact in
                    try await self.callAudio(contact: contact, callID: context.parameters.get("call")?.removingPercentEncoding ?? "", session)
                }
            }
        }
        for action in ["do-not-call", "pause", "call-now", "edit"] {
            router.post("/contacts/{id}/\(action)") { request, context in
                try await self.mutation(request) { session, form in
                    try await self.withContact(context, session) { contact in
                        try await self.change(action, contact, form, session)
                    }
                }
            }
        }
    }

    /// Runs `body` with the contact the URL names: 404 when there is none, 403 when it is
    /// another owner's.
    func withContact(_ context: ConsoleRequestContext, _ session: ConsoleSession, _ body: (Contact) async throws -> Response) async throws -> Response {
        guard let id = context.parameters.get("id", as: Int64.self), let contact = try await store.contact(id: id) else {
            return views.problem("No such contact.", status: .notFound, session: session)
        }
        guard session.mayReach(contact) else {
            return views.problem("This contact belongs to another owner.", status: .forbidden, session: session)
        }
        return try await body(contact)
    }

    func contactsPage(_ request: Request, _ session: ConsoleSession) async throws -> Response {
        let query = request.queryFields
        let phase = query.nonEmpty("phase").flatMap { Self.phases.contains($0) ? $0 : nil }
        let search = ContactSearch(text: query.nonEmpty("q"), phase: phase, owner: session.ownerScope ?? query.nonEmpty("owner"),
                                   campaign: query.nonEmpty("campaign"), after: Int64(query["after"] ?? "") ?? 0, limit: 50)
        let listings = try await store.searchContacts(search)
        let rows: [[String: Any]] = listings.map { listing in
            let contact = listing.contact
            return ["id": contact.id ?? 0, "name": contact.name, "phone": contact.phone, "owner": contact.owner.name,
                    "campaign": contact.campaign ?? "", "phase": listing.phase, "step": listing.step, "doNotCall": contact.doNotCall,
                    "nextCall": ConsoleFormat.time(listing.nextCallStart, zone: contact.timeZone)]
        }
        var next: String?
        if listings.count == search.limit, let last = listings.last?.contact.id {
            var components = URLComponents()
            components.queryItems = [("q", search.text), ("phase", phase), ("owner", query.nonEmpty("owner")), ("campaign", search.campaign),
                                     ("after", String(last))].compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
            next = "/contacts?" + (components.percentEncodedQuery ?? "")
        }
        return views.page("contacts", title: "Contacts", session: session, [
            "rows": rows, "q": search.text ?? "", "owner": query.nonEmpty("owner") ?? "", "campaign": search.campaign ?? "",
            "phases": Self.phases.map { ["name": $0, "selected": $0 == phase] }, "next": next as Any,
        ])
    }

    func contactPage(_ request: Request, _ contact: Contact, _ session: ConsoleSession) async throws -> Response {
        let id = contact.id ?? 0
        let state = try await store.followUp(contactID: id)
        let zone = contact.timeZone
        var entries: [(Date, [String: Any])] = []
        for call in try await store.calls(contactID: id) {
            var detail = ["message \(call.step.rawValue)", "dial \(call.dialNumber)"]
            if let share = call.playedShare { detail.append("\(Int((share * 100).rounded()))% played") }
            if let voice = call.voice ?? call.plannedMessage?.voice { detail.append("voice \(voice)") }
            if let promise = call.promise { detail.append("promised: \(promise)") }
            if let note = call.note { detail.append(note) }
            let played = call.plannedMessage != nil && (call.messageLeft != nil || (call.playedShare ?? 0) > 0)
            entries.append((call.startedAt, [
                "when": ConsoleFormat.time(call.startedAt, zone: zone), "what": call.outcome?.logValue ?? "call in progress",
                "detail": detail.joined(separator: " · "),
                "audio": played ? "/contacts/\(id)/calls/\(call.callID.addingPercentEncoding(withAllowedCharacters: Self.callIDCharacters) ?? "")/audio.wav" : "",
            ]))
        }
        for message in try await store.messages(contactID: id) {
            let detail = [message.voice.map { "voice \($0)" }, message.promise.map { "promises: \($0)" }].compactMap { $0 }
            entries.append((message.renderedAt, ["when": ConsoleFormat.time(message.renderedAt, zone: zone),
                                                 "what": "message \(message.step.rawValue) prepared", "detail": detail.joined(separator: " · "),
                                                 "words": message.text]))
        }
        let notice = request.queryFields["done"].flatMap { Self.notices[$0] }
        return views.page("contact", title: contact.name, session: session, notice: notice, [
            "contact": [
                "id": id, "name": contact.name, "phone": contact.phone, "owner": contact.owner.name, "company": contact.company,
                "connection": contact.connection, "topic": contact.topic, "campaign": contact.campaign ?? "", "timeZone": zone,
                "doNotCall": contact.doNotCall, "phase": state.map { ConsoleFormat.phase($0, zone: zone) } ?? "none",
                "nextCall": ConsoleFormat.time(state?.nextCall?.start, zone: zone),
            ] as [String: Any],
            "timeline": entries.sorted { $0.0 > $1.0 }.map(\.1),
        ])
    }

    /// The exact audio a call played: the `.sln16` file its prepared message names, as WAV, from
    /// this node's sounds folder or else from the node that prepared it (``peerAudio(_:_:)``).
    func callAudio(contact: Contact, callID: String, _ session: ConsoleSession) async throws -> Response {
        guard let call = try await store.call(callID: callID), call.contactID == contact.id, let planned = call.plannedMessage else {
            return views.problem("This call played no message.", status: .notFound, session: session)
        }
        if let samples = FileManager.default.contents(atPath: planned.audioPath + ".sln16") {
            return ConsoleViews.bytes(MessageWAV.wrap(sln16: Array(samples)), type: "audio/wav")
        }
        return await peerAudio(planned, session)
    }

    func change(_ action: String, _ contact: Contact, _ form: FormFields, _ session: ConsoleSession) async throws -> Response {
        let id = contact.id ?? 0, now = services.clock()
        var done = action
        switch action {
        case "do-not-call":
            try await store.setDoNotCall(contactID: id, now: now)
        case "pause", "call-now":
            guard let state = try await store.followUp(contactID: id) else {
                return views.problem("This contact has no follow-up.", status: .badRequest, session: session)
            }
            let changed: FollowUpState?
            if action == "pause" {
                guard let day = form.nonEmpty("until").flatMap({ ConsoleFormat.day($0, zone: contact.timeZone) }) else {
                    return views.problem("Give the day to pause until as YYYY-MM-DD.", status: .badRequest, session: session)
                }
                changed = FollowUp.paused(state, contact: contact, until: day, now: now, policy: services.policy)
                if changed == state { done = "promise-kept" }
            } else {
                changed = FollowUp.callingNow(state, contact: contact, now: now, policy: services.policy)
            }
            guard let changed else {
                return views.problem(action == "pause" ? "Only an active follow-up can be paused."
                                     : "Only an active follow-up can be called, and only inside its calling hours.",
                                     status: .conflict, session: session)
            }
            try await store.saveFollowUp(changed, contactID: id, now: now)
        default:
            var edited = contact
            guard let name = form.nonEmpty("name"), let zone = form.nonEmpty("time_zone"), ZonedCalendar.cached(zone) != nil else {
                return views.problem("A name and a known time zone (e.g. America/New_York) are needed.", status: .badRequest, session: session)
            }
            (edited.name, edited.timeZone) = (name, zone)
            (edited.company, edited.connection, edited.topic) = (form["company"] ?? "", form["connection"] ?? "", form["topic"] ?? "")
            edited.campaign = form.nonEmpty("campaign")
            guard [name, edited.company, edited.connection, edited.topic].allSatisfy({ !$0.contains(where: \.isNewline) }) else {
                return views.problem("Details cannot hold line breaks.", status: .badRequest, session: session)
            }
            try await store.updateContact(edited, now: now)
        }
        try await audit(session, action, "contact \(id) (\(contact.name))" + (form.nonEmpty("until").map { " until \($0)" } ?? ""))
        return ConsoleViews.redirect("/contacts/\(id)?done=\(done)")
    }
}

/// How the console writes dates and phases. Pure.
enum ConsoleFormat {
    static func time(_ date: Date?, zone: String) -> String {
        guard let date else { return "" }
        let style = Date.VerbatimFormatStyle(format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)",
                                             timeZone: TimeZone(identifier: zone) ?? .gmt, calendar: Calendar(identifier: .gregorian))
        return date.formatted(style) + " " + (TimeZone(identifier: zone)?.abbreviation(for: date) ?? "UTC")
    }

    /// The start of a `YYYY-MM-DD` day in a zone.
    static func day(_ text: String, zone: String) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, var calendar = Optional(Calendar(identifier: .gregorian)), let timeZone = TimeZone(identifier: zone) else { return nil }
        calendar.timeZone = timeZone
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }

    /// The phase in words; a date in it is in `zone` (the contact's).
    static func phase(_ state: FollowUpState, zone: String) -> String {
        switch state.phase {
        case .parked(let until, let note): return "parked until \(time(until, zone: zone)): \(note)"
        case .stopped(let reason): return "stopped: \(reason)"
        default: return "\(state.phase.name), message \(state.step.rawValue)"
        }
    }
}

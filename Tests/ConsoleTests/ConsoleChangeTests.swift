import Cadence
@testable import Console
import Foundation
import Scripts
import Store
import Synchronization
import Testing

/// Monday 2026-11-23 at a wall-clock time in New York.
func newYork(_ time: String, day: String = "2026-11-23") -> Date {
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    formatter.timeZone = TimeZone(identifier: "America/New_York")
    return formatter.date(from: "\(day) \(time)")!
}

@Suite("the console's buttons and the Messages page")
struct ConsoleChangeTests {
    @Test("pause moves the next call to the first window of the day given; call now works only inside calling hours")
    func pauseAndCallNow() async throws {
        let clock = ClockBox(newYork("08:10"))
        let fixture = try await ConsoleFixture(clock: { clock.now })
        let id = try #require(fixture.sam.id)
        try await fixture.test { browser in
            let csrf = try #require(try await browser.logIn("ada").csrf)
            #expect(try await browser.request(.post, "/contacts/\(id)/pause", form: ["csrf": csrf, "until": "2026-12-02"]).status == .seeOther)
            let paused = try #require(try await fixture.store.followUp(contactID: id))
            #expect(paused.nextCall?.start == newYork("09:00", day: "2026-12-02"))
            #expect(try await browser.request(.post, "/contacts/\(id)/pause", form: ["csrf": csrf, "until": "someday"]).status == .badRequest)
            #expect(try await browser.request(.post, "/contacts/\(id)/call-now", form: ["csrf": csrf]).status == .conflict)
            clock.now = newYork("10:15")
            #expect(try await browser.request(.post, "/contacts/\(id)/call-now", form: ["csrf": csrf]).status == .seeOther)
            #expect(try await fixture.store.followUp(contactID: id)?.nextCall?.start == newYork("10:15"))
            #expect(try await fixture.store.auditLog(limit: 3).map(\.action) == ["call-now", "pause", "login"])
        }
    }

    @Test("a promise a message made and still ahead is kept through a pause")
    func pauseKeepsPromise() throws {
        let contact = Contact(id: 1, name: "Dana", phone: "+16175550101", timeZone: "America/New_York",
                              owner: Owner(name: "Sam", dialString: "PJSIP/101", callbackNumber: "+16175550199"), company: "Harbor")
        let now = newYork("10:00")
        let state = FollowUp.start(contact: contact, now: now, policy: CallingPolicy())
        let promise = FollowUp.promise(forLeaving: .first, contact: contact, state: state, now: now, policy: CallingPolicy())
        var promised = state
        promised.promise = promise
        promised.nextCall = promise?.window
        #expect(FollowUp.paused(promised, contact: contact, until: newYork("00:00", day: "2026-12-07"), now: now, policy: CallingPolicy()) == promised)
        let moved = FollowUp.paused(state, contact: contact, until: newYork("00:00", day: "2026-12-07"), now: now, policy: CallingPolicy())
        #expect(moved?.nextCall?.start == newYork("09:00", day: "2026-12-07"))
    }

    @Test("edit replaces the details and refuses a zone no one knows, changing nothing")
    func edit() async throws {
        let fixture = try await ConsoleFixture()
        let id = try #require(fixture.sam.id)
        try await fixture.test { browser in
            let csrf = try #require(try await browser.logIn("Sam Ortiz").csrf)
            let form = ["csrf": csrf, "name": "Dana W. Whitfield", "company": "Harbor", "topic": "the roof", "time_zone": "America/Chicago"]
            #expect(try await browser.request(.post, "/contacts/\(id)/edit", form: form).status == .seeOther)
            #expect(try await fixture.store.contact(id: id)?.name == "Dana W. Whitfield")
            var bad = form
            bad["time_zone"] = "Mars/Olympus"
            bad["name"] = "Changed"
            #expect(try await browser.request(.post, "/contacts/\(id)/edit", form: bad).status == .badRequest)
            #expect(try await fixture.store.contact(id: id)?.timeZone == "America/Chicago")
        }
    }

    @Test("a template with an error is shown with it and never saved; a good one is previewed and saved into the folder")
    func templates() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("console-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let fixture = try await ConsoleFixture(templatesFolder: folder.path)
        let file = folder.appendingPathComponent("message2.mustache").path
        try await fixture.test { browser in
            let csrf = try #require(try await browser.logIn("ada").csrf)
            let broken = try await browser.request(.post, "/messages", form: ["csrf": csrf, "step": "2", "text": "Hi {{contact_name}, call me"])
            #expect(broken.status == .unprocessableContent && broken.body.contains("class=\"error\""))
            #expect(!FileManager.default.fileExists(atPath: file))
            let text = "Hi {{contact_first_name}}, it's {{owner_name}}. I'll try again {{promise}} or call {{callback_number}}."
            let preview = try await browser.request(.post, "/messages/preview", form: ["csrf": csrf, "step": "2", "text": text,
                                                                                       "contact": String(fixture.sam.id!)])
            #expect(preview.status == .ok && preview.body.hasPrefix("Hi Dana, it's Sam Ortiz. I'll try again tomorrow around noon"))
            #expect(try await browser.request(.post, "/messages", form: ["csrf": csrf, "step": "2", "text": text]).status == .ok)
            #expect(try String(contentsOfFile: file, encoding: .utf8) == text)
            #expect(try await fixture.store.auditLog(limit: 1).first?.action == "template")
            #expect(fixture.console.services.templates.scripts.template(for: .second).text == text,
                    "the saved template is in force at once, without a restart")
        }
    }

    @Test("the audio preview speaks the template being typed for the chosen contact, as WAV naming the voice; an error is not spoken")
    func audioPreview() async throws {
        let spoken = Mutex<[String]>([])
        let fixture = try await ConsoleFixture(speakPreview: { message in
            spoken.withLock { $0.append(message.text) }
            return (Array(repeating: 7, count: 3200), "piper joe")
        })
        try await fixture.test { browser in
            let csrf = try #require(try await browser.logIn("Sam Ortiz").csrf)
            let page = try await browser.request(.get, "/messages?contact=\(fixture.sam.id!)")
            #expect(page.body.contains("id=\"hear-2\""))
            let text = "Hi {{contact_first_name}}, it's {{owner_name}}. I'll try again {{promise}} or call {{callback_number}}."
            let wav = try await browser.request(.post, "/messages/preview.wav", form: ["csrf": csrf, "step": "2", "text": text,
                                                                                      "contact": String(fixture.sam.id!)])
            #expect(wav.status == .ok && wav.body.hasPrefix("RIFF"))
            #expect(spoken.withLock { $0 }.map { $0.hasPrefix("Hi Dana, it's Sam Ortiz. I'll try again tomorrow around noon") } == [true])
            let broken = try await browser.request(.post, "/messages/preview.wav", form: ["csrf": csrf, "step": "2", "text": "Hi {{contact_name"])
            #expect(broken.status == .unprocessableContent && spoken.withLock { $0.count } == 1)
            #expect(try await browser.request(.post, "/messages/preview.wav", form: ["step": "2", "text": text]).status == .forbidden)
        }
    }

    @Test("Today's live event carries the counts and the calls the session may see, as the page shows them")
    func todayEventCarriesCalls() async throws {
        let fixture = try await ConsoleFixture(samName: "<b>Dana</b> & \"Co\"")
        let now = Date()
        try await fixture.store.beginCall(CallStart(callID: "live-1", contactID: fixture.sam.id!, step: .second, dialNumber: 1, startedAt: now))
        try await fixture.store.beginCall(CallStart(callID: "live-2", contactID: fixture.lee.id!, step: .first, dialNumber: 1, startedAt: now))
        func event(_ account: String, _ role: ConsoleRole) async throws -> [String: Any] {
            let session = ConsoleSession(account: account, role: role, csrfToken: "t", lastUsed: now)
            let text = try await fixture.console.todayEvent(session, zone: "UTC")
            #expect(text.hasPrefix("event: today\ndata: ") && text.hasSuffix("\n\n") && !text.dropLast(2).contains("\n\n"))
            let json = Data(text.dropFirst("event: today\ndata: ".count).dropLast(2).utf8)
            return try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        }
        let admin = try await event("ada", .admin)
        #expect(admin["counts"] as? [String: Int] == ["in-progress": 2])
        let calls = try #require(admin["calls"] as? [[String: Any]])
        #expect(Set(calls.compactMap { $0["contactName"] as? String }) == ["<b>Dana</b> & \"Co\"", "Lee's Contact"])
        let owner = try #require(try await event("Sam Ortiz", .owner)["calls"] as? [[String: Any]])
        #expect(owner.map { $0["step"] as? Int } == [2] && owner.map { $0["outcome"] as? String } == ["in progress"])
    }

    @Test("Today starts at midnight in the reader's zone and shows its times there; an unknown zone falls back to [console] time_zone")
    func todayInTheReadersZone() async throws {
        // 2026-03-10 15:15 UTC: a quarter past midnight on the 11th in Tokyo, the morning of the 10th in New York;
        // the call began 25 minutes before, on the 10th in both.
        let now = Date(timeIntervalSince1970: 1_773_155_700)
        var settings = ConsoleSettings()
        settings.timeZone = "America/New_York"
        let fixture = try await ConsoleFixture(settings: settings, clock: { now })
        let callID = "today-zone-1"
        try await fixture.store.beginCall(CallStart(callID: callID, contactID: fixture.sam.id!, step: .first, dialNumber: 1,
                                                   startedAt: now.addingTimeInterval(-1500)))
        try await fixture.test { browser in
            try await browser.logIn("ada")
            let newYork = try await browser.request(.get, "/today")
            #expect(newYork.body.contains("2026-03-10 10:50 GMT-4") && newYork.body.contains("America/New_York"))
            browser.cookies["tb_zone"] = "Asia%2FTokyo"
            let tokyo = try await browser.request(.get, "/today")
            #expect(tokyo.body.contains("No calls yet today") && !tokyo.body.contains("Dana Whitfield"))
            browser.cookies["tb_zone"] = "Mars%2FOlympus"
            #expect(try await browser.request(.get, "/today").body.contains("2026-03-10 10:50 GMT-4"))
        }
    }
}

/// A clock a test moves.
final class ClockBox: @unchecked Sendable {
    var now: Date
    init(_ now: Date) { self.now = now }
}

@Suite("the report's counts")
struct ReportCountsTests {
    @Test("counts are read once, served as they are within a minute, and counted again behind a page after it")
    func countedAtMostOnceAMinute() async throws {
        let store = try SQLiteStore()
        let clock = ClockBox(newYork("10:00"))
        let counts = ReportCounts(store: store, clock: { clock.now })
        #expect(try await counts.current().rows.isEmpty)
        let contact = Contact(name: "Dana", phone: "+16175550101", timeZone: "America/New_York",
                              owner: Owner(name: "Sam", dialString: "PJSIP/101", callbackNumber: "+16175550199"), company: "Harbor")
        _ = try await store.importContacts([contact], now: clock.now, policy: CallingPolicy())
        try await store.beginCall(CallStart(callID: "tb-1", contactID: 1, step: .first, dialNumber: 1, startedAt: clock.now))
        #expect(try await counts.current().rows.isEmpty, "within the minute, the counts already made")
        clock.now = newYork("10:02")
        #expect(try await counts.current().rows.isEmpty, "the stale counts at once")
        for _ in 0..<100 where try await counts.current().rows.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        #expect(try await counts.current().rows.map(\.dials) == [1])
    }
}

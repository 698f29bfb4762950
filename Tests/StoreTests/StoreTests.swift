import Cadence
import CadenceTestSupport
import Foundation
import Store
import StoreTestSupport
import Synchronization
import Testing

let defaults = ContactImport.Defaults(timeZone: "America/New_York", owner: "Sam Ortiz", ownerDial: "PJSIP/101",
                                      callback: "(617) 555-0199", company: "Ortiz Landscaping")

@Suite("Contact import")
struct ContactImportTests {
    @Test("a good file with quotes, commas, line breaks in quotes, a BOM and CRLF imports every row, numbers in E.164")
    func goodFile() throws {
        let csv = "\u{FEFF}Name,Phone,Time Zone,Connection,Topic\r\n\"Harbolt, Laura\",617-555-0100,America/Chicago,\"we met at the \"\"Growth\"\" breakfast\",spring planting\r\nBob O'Brien,+44 20 7946 0018,Europe/London,,\r\n\r\n"
        let contacts = try ContactImport(defaults: defaults).contacts(fromCSV: csv, file: "c.csv")
        #expect(contacts.map(\.name) == ["Harbolt, Laura", "Bob O'Brien"])
        #expect(contacts.map(\.phone) == ["+16175550100", "+442079460018"])
        #expect(contacts[0].connection == "we met at the \"Growth\" breakfast")
        #expect(contacts[0].timeZone == "America/Chicago" && contacts[1].timeZone == "Europe/London")
        #expect(contacts[0].owner == Owner(name: "Sam Ortiz", dialString: "PJSIP/101", callbackNumber: "+16175550199"))
    }

    @Test("every bad row is reported with its line number, and nothing is imported")
    func badRows() {
        let csv = """
            name,phone,time_zone
            Laura Harbolt,617-555-0100,America/New_York
            ,617-555-0101,America/New_York
            Bob,not a number,America/New_York
            Carol,617-555-0102,Mars/Olympus
            Dan,(617) 555-0100,America/New_York
            Eve,617-555-01,America/New_York
            "Mallory
            HANGUP",617-555-0103,America/New_York
            Trent,617-555-0104 x12,America/New_York
            """
        do {
            _ = try ContactImport(defaults: defaults).contacts(fromCSV: csv, file: "c.csv")
            Issue.record("accepted")
        } catch {
            #expect(error.problems.map(\.line) == [3, 4, 5, 6, 7, 8, 10])
            #expect(error.description.contains("c.csv:5: unknown time zone 'Mars/Olympus'"))
            #expect(error.description.contains("c.csv:6: +16175550100 is already on line 2"))
            #expect(error.description.contains("c.csv:8: name holds a line break or control character"))
            #expect(error.description.hasSuffix("nothing was imported (7 problems)"))
        }
    }

    @Test("bytes that are not UTF-8 are refused with the line they are on; UTF-8 bytes and a BOM import")
    func notUTF8() throws {
        let latin1 = Array("name,phone\nDan,617-555-0100\nJos".utf8) + [0xE9] + Array(",617-555-0101\n".utf8)
        let error = try #require(throws: ContactImportError.self) {
            try ContactImport(defaults: defaults).contacts(fromCSVBytes: latin1, file: "c.csv")
        }
        #expect(error.problems.map(\.line) == [3])
        #expect(error.description.hasPrefix("c.csv:3: this line is not UTF-8 text"))
        let utf8 = [0xEF, 0xBB, 0xBF] + Array("name,phone\nJosé 😀,617-555-0101\n".utf8)
        #expect(try ContactImport(defaults: defaults).contacts(fromCSVBytes: utf8, file: "c.csv").map(\.name) == ["José 😀"])
    }

    @Test("headers are checked: unknown and missing columns are named")
    func headers() {
        #expect(throws: ContactImportError.self) { try ContactImport().contacts(fromCSV: "name,fone\nA,1", file: "c.csv") }
        #expect(throws: ContactImportError.self) { try ContactImport().contacts(fromCSV: "", file: "c.csv") }
        #expect(throws: ContactImportError.self) { try ContactImport().contacts(fromCSV: "name,phone\n\"A,6175550100", file: "c.csv") }
    }

    @Test("phone numbers become E.164 or are refused", arguments: [
        ("617-555-0100", "+16175550100"), ("1 (617) 555-0100", "+16175550100"), ("+1 617 555 0100", "+16175550100"),
        ("0044 20 7946 0018", "+442079460018"), ("+49 30 1234567", "+49301234567"),
    ])
    func e164(written: String, expected: String) throws {
        #expect(try PhoneNumber.e164(written) == expected)
    }

    @Test("nonsense numbers are refused", arguments: ["555-0100", "123-456-7890", "+0 123", "abc", "617555010012345678", "617-555-0100;ext"])
    func badNumbers(written: String) {
        #expect(throws: PhoneNumber.Invalid.self) { try PhoneNumber.e164(written) }
    }

    @Test("national numbers take the default country code, dropping the trunk 0")
    func otherCountry() throws {
        #expect(try PhoneNumber.e164("020 7946 0018", defaultCountryCode: "44") == "+442079460018")
    }
}

@Suite("Store, on SQLite and PostgreSQL")
struct StoreTests {
    func sample() throws -> [Contact] {
        try ContactImport(defaults: defaults).contacts(fromCSV: "name,phone\nLaura Harbolt,617-555-0100\nBob,617-555-0101\n", file: "c.csv")
    }

    @Test("import adds contacts with a follow-up each; a re-import updates instead of duplicating", arguments: StoreKind.covered)
    func reimport(kind: StoreKind) async throws {
        let store = try await StoreSite(kind).open()
        let now = local("2026-11-23 08:00")
        #expect(try await store.importContacts(sample(), now: now, policy: CallingPolicy()) == ImportSummary(inserted: 2, updated: 0))
        var changed = try sample()
        changed[0].name = "Laura H. Harbolt"
        #expect(try await store.importContacts(changed, now: now, policy: CallingPolicy()) == ImportSummary(inserted: 0, updated: 2))
        let contacts = try await store.contacts()
        #expect(contacts.count == 2 && contacts[0].name == "Laura H. Harbolt")
        #expect(try await store.contact(phone: "+16175550101")?.name == "Bob")
        let state = try #require(try await store.followUp(contactID: contacts[0].id!))
        #expect(state.phase == .active && state.step == .first)
        #expect(show(state.nextCall?.start) == "Mon 2026-11-23 09:00")
        #expect(show(try await store.earliestNextCall()) == "Mon 2026-11-23 09:00")
    }

    @Test("a call's outcome and the follow-up's new state are committed together and read back by another store on the same data",
          arguments: StoreKind.covered)
    func outcomeRoundTrip(kind: StoreKind) async throws {
        let site = try await StoreSite(kind)
        let now = local("2026-11-23 09:00")
        do {
            let store = try await site.open()
            _ = try await store.importContacts(sample(), now: now, policy: CallingPolicy())
            let due = try await store.dueFollowUps(now: now, limit: 10)
            #expect(due.count == 2)
            let (contact, state) = due[0]
            let plan = PlannedMessage(audioPath: "/sounds/m1", samples: 107555, voice: "piper", promise: nil,
                                      audioURL: "http://10.0.0.5:4575/m1.sln16")
            try await store.beginCall(CallStart(callID: "tb-1", contactID: contact.id!, step: .first, dialNumber: 1, startedAt: now,
                                                trunk: "main", plannedMessage: plan))
            #expect(try await store.openCalls().map(\.callID) == ["tb-1"])
            let variables = AsteriskCallVariables(amdStatus: "MACHINE", amdCause: "MAXWORDS-3-2")
            let outcome = variables.outcome(playedSamples: 107555, audioSamples: 107555)
            let ended = now.addingTimeInterval(60)
            let decision = FollowUp.decide(contact: contact, state: state, outcome: outcome, now: ended, policy: CallingPolicy())
            let finish = CallFinish(callID: "tb-1", endedAt: ended, asteriskUniqueID: "1795353109.14", variables: variables,
                                    outcome: outcome, messagePlayed: .first, playedShare: 1, voice: "piper", decision: decision)
            try await store.finishCall(finish)
            await #expect(throws: CallAlreadyFinished.self) { try await store.finishCall(finish) }
            try await store.recordMessage(MessageRecord(contactID: contact.id!, step: .first, text: "Hi Laura", promise: "tomorrow around noon",
                                                        audioPath: "/sounds/m1", voice: "piper", renderedAt: now))
        }
        let reopened = try await site.open()
        let call = try #require(try await reopened.call(callID: "tb-1"))
        #expect(call.outcome == .voicemail(playedShare: 1) && call.messageLeft == .first && call.promise == "tomorrow around noon")
        #expect(call.asteriskUniqueID == "1795353109.14" && call.variables?.contains("MAXWORDS-3-2") == true)
        #expect(call.trunk == "main" && call.plannedMessage?.samples == 107555 && call.contactName == "Laura Harbolt")
        #expect(call.plannedMessage?.audioURL == "http://10.0.0.5:4575/m1.sln16", "where other nodes fetch its audio")
        #expect(show(call.nextCallStart) == "Tue 2026-11-24 11:30" && call.startedAt == now)
        #expect(try await reopened.openCalls().isEmpty)
        #expect(try await reopened.calls(contactID: nil).map(\.callID) == ["tb-1"])
        #expect(try await reopened.calls(contactID: call.contactID).count == 1)
        #expect(try await reopened.calls(contactID: 2).isEmpty)
        #expect(try await reopened.calls(startedSince: now.addingTimeInterval(1)).isEmpty)
        #expect(try await reopened.messages(contactID: call.contactID).map(\.text) == ["Hi Laura"])
        let state = try #require(try await reopened.followUp(contactID: call.contactID))
        #expect(state.step == .second && state.messagesLeft == 1 && state.promise?.phrase == "tomorrow around noon")
        #expect(try await reopened.dueFollowUps(now: local("2026-11-23 12:00"), limit: 10).count == 1, "the contact called is no longer due")
    }

    @Test("the call log reads back typed: step, message left, outcome (an unknown one with its raw value) and origin; its JSON keeps names",
          arguments: StoreKind.covered)
    func typedReadSide(kind: StoreKind) async throws {
        let store = try await StoreSite(kind).open()
        let now = local("2026-11-23 09:00")
        _ = try await store.importContacts(sample(), now: now, policy: CallingPolicy())
        let (contact, state) = try #require(try await store.dueFollowUps(now: now, limit: 1).first)
        let unknown = DialOutcome.unknown("DIALSTATUS=WEIRD:ish")
        let decision = FollowUp.decide(contact: contact, state: state, outcome: unknown, now: now, policy: CallingPolicy())
        try await store.recordCall(CallStart(callID: "tb-h", contactID: contact.id!, step: .second, dialNumber: 2, startedAt: now,
                                             origin: .hook),
                                   CallFinish(callID: "tb-h", endedAt: now, variables: AsteriskCallVariables(dialStatus: "WEIRD:ish"),
                                              outcome: unknown, decision: decision))
        let call = try #require(try await store.call(callID: "tb-h"))
        #expect(call.step == .second && call.origin == .hook && call.messageLeft == nil)
        #expect(call.outcome == unknown)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(call), as: UTF8.self)
        #expect(json.contains(#""step":2"#) && json.contains(#""origin":"hook""#))
        #expect(json.contains(#""outcome":"unknown:DIALSTATUS=WEIRD:ish""#), "the call log's JSON keeps names, as before")
        try await store.recordMessage(MessageRecord(contactID: contact.id!, step: .last, text: "bye", promise: nil, audioPath: nil,
                                                    voice: nil, renderedAt: now))
        #expect(try await store.messages(contactID: contact.id!).map(\.step) == [.last])
        do {
            try await store.finishCall(CallFinish(callID: "tb-h", endedAt: now, variables: AsteriskCallVariables(), outcome: .busy,
                                                  decision: decision))
            Issue.record("a second report was accepted")
        } catch let already as CallAlreadyFinished {
            #expect(already.outcome == unknown)
        }
    }

    @Test("a planned message stored before nodes recorded where to fetch it reads back with no URL; a new one keeps it")
    func plannedMessageFromOldRows() throws {
        let old = try StoredJSON.decode(PlannedMessage.self, #"{"audioPath":"/sounds/m1","samples":10,"voice":"piper"}"#)
        #expect(old == PlannedMessage(audioPath: "/sounds/m1", samples: 10, voice: "piper", promise: nil))
        #expect(old.audioURL == nil)
        #expect(try StoredJSON.encode(old) == #"{"audioPath":"\/sounds\/m1","samples":10,"voice":"piper"}"#, "rows without a URL are written as before")
        let new = PlannedMessage(audioPath: "/s/m1", samples: 10, voice: "piper", promise: nil, audioURL: "http://10.0.0.5:4575/m1.sln16")
        #expect(try StoredJSON.decode(PlannedMessage.self, try StoredJSON.encode(new)) == new)
    }

    @Test("a large import spans several statements and counts alike on both stores; a phone twice in one call updates the first",
          arguments: StoreKind.covered)
    func largeImport(kind: StoreKind) async throws {
        let store = try await StoreSite(kind).open()
        let now = local("2026-11-23 08:00")
        let many = try dueContacts(2500)
        #expect(try await store.importContacts(many, now: now, policy: CallingPolicy()) == ImportSummary(inserted: 2500, updated: 0))
        var again = Array(many.suffix(2))
        again[1].name = "Renamed"
        again.append(contentsOf: try ContactImport(defaults: defaults).contacts(fromCSV: "name,phone\nNew,617-555-0042\n", file: "c.csv"))
        again.append(again[2])
        #expect(try await store.importContacts(again, now: now, policy: CallingPolicy()) == ImportSummary(inserted: 1, updated: 3))
        #expect(try await store.contact(phone: many[2499].phone)?.name == "Renamed")
        let added = try #require(try await store.contact(phone: "+16175550042"))
        #expect(try await store.followUp(contactID: added.id!)?.phase == .active, "ids may have gaps on PostgreSQL, never repeats")
        #expect(try await store.dueFollowUps(now: local("2026-11-23 09:00"), limit: 5000).count == 2501)
    }

    @Test("do-not-call stops the follow-up and the contact is never due again", arguments: StoreKind.covered)
    func doNotCall(kind: StoreKind) async throws {
        let store = try await StoreSite(kind).open()
        _ = try await store.importContacts(sample(), now: local("2026-11-23 08:00"), policy: CallingPolicy())
        try await store.setDoNotCall(contactID: 1, now: local("2026-11-23 08:30"))
        #expect(try await store.followUp(contactID: 1)?.phase == .stopped(reason: "on the do-not-call list"))
        #expect(try await store.dueFollowUps(now: local("2026-11-23 10:00"), limit: 10).map(\.contact.id) == [2])
        await #expect(throws: StoreError.self) { try await store.setDoNotCall(contactID: 99, now: Date()) }
    }
}

@Suite("Store pages, on SQLite and PostgreSQL")
struct StorePagingTests {
    @Test("contacts and the call log come a page at a time, in the same order as whole, ties in start broken by the order written",
          arguments: StoreKind.covered)
    func pages(kind: StoreKind) async throws {
        let store = try await StoreSite(kind).open()
        let nine = local("2026-11-23 09:00")
        _ = try await store.importContacts(dueContacts(5), now: nine, policy: CallingPolicy())
        var contactPages: [[Int64]] = []
        try await store.forEachContactPage(pageSize: 2) { page in contactPages.append(page.map { $0.id! }) }
        #expect(contactPages == [[1, 2], [3, 4], [5]])
        for index in 0..<7 {
            let started = nine.addingTimeInterval(Double(index / 2) * 60)
            try await store.beginCall(CallStart(callID: "tb-\(index)", contactID: Int64(index % 5 + 1), step: .first, dialNumber: 1,
                                                startedAt: started, origin: .hook))
        }
        var callPages: [[String]] = []
        try await store.forEachCallPage(pageSize: 3) { page in callPages.append(page.map(\.callID)) }
        #expect(callPages == [["tb-0", "tb-1", "tb-2"], ["tb-3", "tb-4", "tb-5"], ["tb-6"]])
        #expect(callPages.flatMap { $0 } == (try await store.calls(contactID: nil)).map(\.callID))
        var oneContact: [String] = []
        try await store.forEachCallPage(contactID: 1, pageSize: 1) { page in oneContact += page.map(\.callID) }
        #expect(oneContact == ["tb-0", "tb-5"])
    }
}

@Suite("Imports and lists a batch at a time, on SQLite and PostgreSQL")
struct BatchedImportTests {
    /// Two good batches, then the problem a bad row further down the file would be.
    final class FailingLater: ContactBatches {
        let batches: Mutex<[[Contact]]>
        init(_ batches: [[Contact]]) { self.batches = Mutex(batches) }
        func next() throws -> [Contact]? {
            try batches.withLock { batches in
                guard !batches.isEmpty else { throw StoreError("c.csv:9: phone is missing") }
                return batches.removeFirst()
            }
        }
    }

    @Test("an import whose source fails after two batches were stored stores nothing: one transaction", arguments: StoreKind.covered)
    func failingLaterBatch(kind: StoreKind) async throws {
        let store = try await StoreSite(kind).open()
        let contacts = try dueContacts(4)
        await #expect(throws: StoreError.self) {
            try await store.importContacts(FailingLater([Array(contacts[0..<2]), Array(contacts[2..<4])]), now: local("2026-11-23 08:00"),
                                           policy: CallingPolicy())
        }
        #expect(try await store.contacts().isEmpty)
        #expect(try await store.importContacts(contacts, now: local("2026-11-23 08:00"), policy: CallingPolicy()).inserted == 4)
    }

    @Test("a file's batches hold the contacts the whole file gives, and its problems come all together at its end")
    func fileBatches() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tb-import-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = "\u{FEFF}Name,Phone,Topic\r\n\"Harbolt, Laura\",617-555-0100,\"two, \"\"lines\"\"\"\r\nBob,617-555-0101,\r\n\r\nCarol,617-555-0102,x\r\nDan,617-555-0103,\"say \"\"hi\"\"\""
        let path = folder.appendingPathComponent("good.csv").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(good.utf8)))
        let batches = try #require(try ContactImport(defaults: defaults).batches(path: path, size: 2))
        var read: [[Contact]] = []
        while let batch = try batches.next() { read.append(batch) }
        #expect(read.map(\.count) == [2, 2])
        #expect(read.flatMap { $0 } == (try ContactImport(defaults: defaults).contacts(fromCSV: good, file: path)))

        let bad = "name,phone\nA,617-555-0100\nB,617-555-0101\nC,617-555-0102\n,617-555-0103\nE,617-555-0104\nF,617-555-0100\n"
        let badPath = folder.appendingPathComponent("bad.csv").path
        #expect(FileManager.default.createFile(atPath: badPath, contents: Data(bad.utf8)))
        let badBatches = try #require(try ContactImport(defaults: defaults).batches(path: badPath, size: 2))
        #expect(try badBatches.next()?.count == 2)
        let error = try #require(throws: ContactImportError.self) { while try badBatches.next() != nil {} }
        #expect(error.problems.map(\.line) == [5, 7])
        #expect(error.description == (try #require(throws: ContactImportError.self) {
            try ContactImport(defaults: defaults).contacts(fromCSV: bad, file: badPath)
        }).description)
        #expect(try ContactImport().batches(path: folder.path) == nil, "a folder is not a file")
    }

    @Test("contacts come with where their follow-up stands, a page at a time", arguments: StoreKind.covered)
    func standings(kind: StoreKind) async throws {
        let store = try await StoreSite(kind).open()
        _ = try await store.importContacts(dueContacts(3), now: local("2026-11-23 08:00"), policy: CallingPolicy())
        try await store.setDoNotCall(contactID: 2, now: local("2026-11-23 08:30"))
        var pages: [[ContactStanding]] = []
        try await store.forEachContactStanding(pageSize: 2) { pages.append($0) }
        #expect(pages.map { $0.map { $0.contact.id! } } == [[1, 2], [3]])
        let standings = pages.flatMap { $0 }
        #expect(standings.map(\.phase) == ["active", "stopped", "active"])
        for standing in standings {
            let state = try #require(try await store.followUp(contactID: standing.contact.id!))
            #expect(standing.step == state.step && standing.nextCallStart == state.nextCall?.start)
            #expect(standing.contact == (try await store.contact(id: standing.contact.id!)))
        }
    }
}

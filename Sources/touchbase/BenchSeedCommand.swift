import ArgumentParser
import Cadence
import Foundation
import Store

/// Seeds benchmarks. By default: contacts whose calls are under way, each with a prepared
/// message, so `agi-load --route answered --call-id-prefix tb-load-` measures the real
/// `answered` route. With `--contacts`: a large list with a call log, for `log` and `report`
/// (copy it to PostgreSQL with `store copy`); with `--csv`: a file for `contacts import`.
struct BenchSeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-seed",
        abstract: "Seed a database or write a contacts file for the benchmarks (Benchmarks/run, BENCHMARKS.md).",
        shouldDisplay: false)

    @Option(help: "The SQLite database to create or extend.") var database: String?
    @Option(help: "How many calls under way.") var calls = 30_000
    @Option(help: "The call ids' prefix; the ids are PREFIX1 ... PREFIXN.") var prefix = "tb-load-"
    @Option(help: "Where to write the one message file all calls play.") var sounds: String?
    @Option(help: "Seed this many contacts with a call log instead (or write them to --csv).") var contacts: Int?
    @Option(help: "Finished calls per contact, with --contacts.") var callsPerContact = 1
    @Option(help: "Write --contacts rows of a contacts CSV to this file instead of seeding a database.") var csv: String?

    static let zones = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]

    /// The Nth benchmark contact's number: 617 and an exchange from 2, valid for the import's check.
    static func phone(_ index: Int) -> String { "+1617\(2_000_000 + index)" }
    @Option(help: "Seed the web console's benchmark instead: this many contacts (with --console-calls finished calls).")
    var consoleContacts: Int?
    @Option(help: "Finished calls for the web console's benchmark, spread over the last year.") var consoleCalls = 1_000_000

    func run() async throws {
        if let csv {
            try writeCSV(csv, rows: contacts ?? 300_000)
            return
        }
        guard let database else { throw ValidationError("--database is needed (or --csv)") }
        let store = try SQLiteStore(path: database)
        if let consoleContacts {
            try await ConsoleBenchSeed.seed(store, contacts: consoleContacts, calls: consoleCalls)
            print("seeded \(consoleContacts) contacts and \(consoleCalls) finished calls in \(database)")
            return
        }
        if let contacts {
            try await seedLog(store, contacts: contacts)
        } else {
            try await seedCallsUnderWay(store)
        }
    }

    /// A contacts file as a spreadsheet would export it, written a block at a time.
    func writeCSV(_ path: String, rows: Int) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data("name,phone,time_zone,connection,topic\n".utf8)),
              let file = FileHandle(forWritingAtPath: path) else { throw ValidationError("cannot write \(path)") }
        defer { try? file.close() }
        try file.seekToEnd()
        for start in stride(from: 0, to: rows, by: 10_000) {
            let block = (start..<min(rows, start + 10_000)).map { index in
                "\"Contact \(index), Jr.\",\(Self.phone(index)),\(Self.zones[index % Self.zones.count]),we met at the trade show,the spring order\n"
            }.joined()
            try file.write(contentsOf: Data(block.utf8))
        }
        print("wrote \(rows) contacts to \(path)")
    }

    /// `contacts` contacts, each with `callsPerContact` calls that reached voicemail, a day apart.
    func seedLog(_ store: SQLiteStore, contacts: Int) async throws {
        let start = Date(timeIntervalSince1970: 1_795_446_000)
        let policy = CallingPolicy()
        let owner = Owner(name: "Sam Ortiz", dialString: "PJSIP/101", callbackNumber: "+16175550199")
        for first in stride(from: 0, to: contacts, by: 10_000) {
            let batch = (first..<min(contacts, first + 10_000)).map { index in
                Contact(name: "Contact \(index)", phone: Self.phone(index), timeZone: Self.zones[index % Self.zones.count], owner: owner,
                        company: "Harbor Consulting", connection: "we met at the trade show", topic: "the spring order")
            }
            _ = try await store.importContacts(batch, now: start, policy: policy)
        }
        let variables = AsteriskCallVariables(amdStatus: "MACHINE", amdCause: "MAXWORDS-3-2")
        var seeded = 0
        try await store.forEachContactPage(pageSize: 10_000) { page in
            var pairs: [(CallStart, CallFinish)] = []
            for contact in page {
                for call in 0..<callsPerContact {
                    let began = start.addingTimeInterval(Double(call) * 86_400 + Double(contact.id! % 28_800))
                    let callID = "tb-bench-\(contact.id!)-\(call)"
                    pairs.append((CallStart(callID: callID, contactID: contact.id!, step: .first, dialNumber: call + 1, startedAt: began, trunk: "main"),
                                  CallFinish(callID: callID, endedAt: began.addingTimeInterval(42), variables: variables,
                                             outcome: .voicemail(playedShare: 1), messagePlayed: .first, playedShare: 1, voice: "bench",
                                             decision: FollowUpDecision(state: FollowUpState(step: .second), messageLeft: .first,
                                                                        note: "message 1 left"))))
                }
            }
            try await store.recordCalls(pairs)
            seeded += pairs.count
        }
        print("seeded \(contacts) contacts and \(seeded) calls in \(database ?? "")")
    }

    func seedCallsUnderWay(_ store: SQLiteStore) async throws {
        guard let sounds else { throw ValidationError("--sounds is needed for calls under way") }
        let now = Date()
        let policy = CallingPolicy()
        let owner = Owner(name: "Sam Ortiz", dialString: "PJSIP/101", callbackNumber: "+16175550199")
        let contacts = (1...calls).map { index in
            Contact(name: "Load Contact \(index)", phone: "+1555\(String(format: "%07d", index))", timeZone: "America/New_York",
                    owner: owner, company: "Harbor Consulting", topic: "the benchmark")
        }
        _ = try await store.importContacts(contacts, now: now, policy: policy)
        try FileManager.default.createDirectory(atPath: sounds, withIntermediateDirectories: true)
        let audio = (sounds as NSString).appendingPathComponent("tb-load-message")
        // 6.7 s of silence at 16 kHz: the length of the recorded session's message.
        let samples = 107_555
        guard FileManager.default.createFile(atPath: audio + ".sln16", contents: Data(count: samples * 2)),
              FileManager.default.createFile(atPath: audio + ".ulaw", contents: Data(repeating: 0xFF, count: samples / 2)) else {
            throw ValidationError("cannot write the message into \(sounds)")
        }
        var starts: [CallStart] = []
        try await store.forEachContactPage { page in
            for contact in page where contact.name.hasPrefix("Load Contact ") {
                guard let id = contact.id, let index = Int(contact.name.dropFirst("Load Contact ".count)),
                      let state = try await store.followUp(contactID: id) else { continue }
                let promise = FollowUp.promise(forLeaving: .first, contact: contact, state: state, now: now, policy: policy)
                starts.append(CallStart(callID: "\(prefix)\(index)", contactID: id, step: .first, dialNumber: 1, startedAt: now,
                                        trunk: "default",
                                        plannedMessage: PlannedMessage(audioPath: audio, samples: samples, voice: "bench", promise: promise)))
            }
        }
        try await store.beginCalls(starts)
        print("seeded \(starts.count) calls under way (\(prefix)1 … \(prefix)\(starts.count)) in \(database ?? "")")
    }
}

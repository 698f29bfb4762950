import ArgumentParser
import Cadence
import Foundation
import Store

/// Seeds a database with contacts whose calls are under way, each with a prepared message, so
/// `agi-load --route answered --call-id-prefix tb-load-` measures the real `answered` route:
/// its store reads, the cadence's decision and the committed outcome.
struct BenchSeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-seed",
        abstract: "Seed a database for the answered-route benchmark (Benchmarks/run).",
        shouldDisplay: false)

    @Option(help: "The SQLite database to create or extend.") var database: String
    @Option(help: "How many calls under way.") var calls = 30_000
    @Option(help: "The call ids' prefix; the ids are PREFIX1 ... PREFIXN.") var prefix = "tb-load-"
    @Option(help: "Where to write the one message file all calls play.") var sounds: String = "sounds"
    @Option(help: "Seed the web console's benchmark instead: this many contacts (with --console-calls finished calls).")
    var consoleContacts: Int?
    @Option(help: "Finished calls for the web console's benchmark, spread over the last year.") var consoleCalls = 1_000_000

    func run() async throws {
        let store = try SQLiteStore(path: database)
        if let consoleContacts {
            try await ConsoleBenchSeed.seed(store, contacts: consoleContacts, calls: consoleCalls)
            print("seeded \(consoleContacts) contacts and \(consoleCalls) finished calls in \(database)")
            return
        }
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
        for contact in try await store.contacts() where contact.name.hasPrefix("Load Contact ") {
            guard let id = contact.id, let index = Int(contact.name.dropFirst("Load Contact ".count)),
                  let state = try await store.followUp(contactID: id) else { continue }
            let promise = FollowUp.promise(forLeaving: .first, contact: contact, state: state, now: now, policy: policy)
            starts.append(CallStart(callID: "\(prefix)\(index)", contactID: id, step: .first, dialNumber: 1, startedAt: now,
                                    trunk: "default",
                                    plannedMessage: PlannedMessage(audioPath: audio, samples: samples, voice: "bench", promise: promise)))
        }
        try await store.beginCalls(starts)
        print("seeded \(starts.count) calls under way (\(prefix)1 … \(prefix)\(starts.count)) in \(database)")
    }
}

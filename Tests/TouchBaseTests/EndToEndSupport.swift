import AGI
import Cadence
import ConfigurationFile
import Dialer
import Foundation
import Logging
import Speech
import Store
import Telemetry
import Synchronization
import TouchBase

let testLogger: Logger = {
    var logger = Logger(label: "touchbase.test")
    logger.logLevel = .critical
    return logger
}()

/// `touchbase serve` as a test runs it: a real FastAGI server on a free port with TouchBase's
/// routes, a SQLite file, a call-file spool in a temporary folder, a clock the test moves, and
/// the speech chain with a first-choice voice that is down, so every message is spoken by the
/// local engine: the fallback path a TTS outage takes.
struct Harness {
    let folder: URL
    let clock: SimulatedClock
    let store: SQLiteStore
    let assembly: TouchBaseAssembly
    let port: Int
    let outgoing: URL

    var dialer: OutboundDialer { assembly.dialer! }
    var asterisk: FakeAsterisk { FakeAsterisk(port: port) }

    /// Monday 23 November 2026, 10:00 in New York.
    static let monday10 = Date(timeIntervalSince1970: 1_795_446_000)

    static func run(start: Date = monday10, configure: (inout TouchBaseConfiguration) -> Void = { _ in },
                    originator: (@Sendable (SimulatedClock) -> any CallOriginator)? = nil, _ body: @escaping @Sendable (Harness) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("touchbase-e2e-\(UUID().uuidString)")
        let outgoing = folder.appendingPathComponent("spool/outgoing")
        try FileManager.default.createDirectory(at: outgoing, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("spool/tmp"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = TouchBaseConfiguration()
        configuration.agi.port = 0
        configuration.databasePath = folder.appendingPathComponent("touchbase.sqlite").path
        configuration.speech.soundsFolder = folder.appendingPathComponent("sounds").path
        configuration.speech.prerender = false
        configuration.dialer.method = .callFile(outgoing: outgoing.path, staging: nil)
        configuration.dialer.pacing = DialPacing(maxCalls: 2, callsPerMinute: 6, trunks: [Trunk(name: "main", channel: "PJSIP/{number}@main")])
        configure(&configuration)
        let clock = SimulatedClock(start)
        let store = try SQLiteStore(path: configuration.databasePath)
        let assembly = try TouchBaseAssembly(configuration: configuration, store: store, originator: originator?(clock),
                                             voices: [PiperProvider(baseURL: "http://127.0.0.1:9", retry: .none)],
                                             clock: { clock.now }, logger: testLogger)
        let ports = AsyncStream.makeStream(of: Int.self)
        let server = FastAGIServer(configuration: configuration.agi, router: assembly.router, logger: testLogger) { address in
            ports.continuation.yield(address.port!)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var iterator = ports.stream.makeAsyncIterator()
            let port = await iterator.next()!
            defer { server.beginShutdown() }
            try await body(Harness(folder: folder, clock: clock, store: store, assembly: assembly, port: port, outgoing: outgoing))
        }
    }

    /// Imports contacts as `touchbase contacts import` does.
    @discardableResult
    func importContacts(_ csv: String) async throws -> [Contact] {
        let contacts = try ContactImport(defaults: .init(timeZone: "America/New_York", owner: "Sam Ortiz", ownerDial: "PJSIP/101",
                                                         callback: "+16175550199", company: "Harbor Consulting"))
            .contacts(fromCSV: csv, file: "test.csv")
        _ = try await store.importContacts(contacts, now: clock.now, policy: assembly.configuration.policy)
        return try await store.contacts()
    }

    /// The call files in the spool, parsed: file name → (key, value) lines.
    func callFiles() throws -> [String: [(key: String, value: String)]] {
        var files: [String: [(key: String, value: String)]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: outgoing.path) {
            let text = try String(contentsOf: outgoing.appendingPathComponent(name), encoding: .utf8)
            files[name] = text.split(separator: "\n").map { line in
                let colon = line.firstIndex(of: ":")!
                return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            }
        }
        return files
    }

    /// Removes the call files, as Asterisk does when it takes them.
    func takeCallFiles() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: outgoing.path) {
            try FileManager.default.removeItem(at: outgoing.appendingPathComponent(name))
        }
    }
}

/// Asterisk's answers for a call that reached voicemail: AMD said MACHINE, WaitForSilence heard
/// the beep, and STREAM FILE played `share` of the file (its real length read from disk).
func voicemailAnswers(callID: String?, linkedID: String? = nil, share: Double = 1, hangUpDuringMessage: Bool = false) -> FakeAsterisk.Answer {
    { command in
        switch command {
        case "GET VARIABLE CHANNEL(linkedid)": return [linkedID.map { "200 result=1 (\($0))" } ?? "200 result=1"]
        case "GET VARIABLE AMDSTATUS": return ["200 result=1 (MACHINE)"]
        case "GET VARIABLE AMDCAUSE": return ["200 result=1 (MAXWORDS-3-2)"]
        case "GET VARIABLE TOUCHBASE_CALL": return [callID.map { "200 result=1 (\($0))" } ?? "200 result=0"]
        case _ where command.hasPrefix("EXEC WaitForSilence"): return ["200 result=0"]
        case _ where command.hasPrefix("STREAM FILE "):
            let path = String(command.dropFirst("STREAM FILE ".count).split(separator: " ")[0])
            let size = (try? FileManager.default.attributesOfItem(atPath: path + ".sln16")[.size] as? Int) ?? 0
            let endpos = Int(Double(size / 2) * share)
            return hangUpDuringMessage ? ["200 result=-1 endpos=\(endpos)"] : ["200 result=0 endpos=\(endpos)"]
        default:
            return hangUpDuringMessage ? ["HANGUP", "200 result=1"] : ["200 result=1"]
        }
    }
}

/// Asterisk's answers for an originated call that failed: the `failed` extension with REASON.
func failedAnswers(callID: String, reason: Int) -> FakeAsterisk.Answer {
    { command in
        switch command {
        case "GET VARIABLE REASON": return ["200 result=1 (\(reason))"]
        case "GET VARIABLE TOUCHBASE_CALL": return ["200 result=1 (\(callID))"]
        case "GET VARIABLE DIALSTATUS": return ["200 result=0"]
        case "GET VARIABLE HANGUPCAUSE": return ["200 result=1 (0)"]
        default: return ["200 result=1"]
        }
    }
}

/// The moments calls were handed to a ``SlowOriginator``.
final class HandOverLog: Sendable {
    let times = Mutex<[Date]>([])
}

/// An originator that takes a second of the simulated clock to hand each call to Asterisk, as
/// a busy AMI or a slow disk does, and logs when each call reached it.
struct SlowOriginator: CallOriginator {
    let clock: SimulatedClock
    let log: HandOverLog

    func originate(_ call: OutboundCall, report: @escaping @Sendable (OriginationReport) async -> Void) async throws {
        log.times.withLock { $0.append(clock.now) }
        clock.advance(1)
    }

    var summary: String { "a slow originator" }
}

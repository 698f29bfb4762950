import Cadence
import Foundation
import NIOCore
import NIOPosix
import Store
import Testing

/// The web console in headless Chromium (Debian's `chromium` and `chromium-driver`, which
/// scripts/bootstrap installs, with selenium in its .venv): the built `touchbase serve`,
/// driven by Tests/Fixtures/console/console_browser.py.
@Suite("the web console in a real browser", .serialized)
struct ConsoleBrowserTests {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()
    static let browserPresent = FileManager.default.isExecutableFile(atPath: chromium) && FileManager.default.isExecutableFile(atPath: chromedriver)

    @Test("log in, import with a bad row then fixed, play a call's message, do-not-call, report, hear a preview, log out; another owner gets 403",
          .enabled(if: browserPresent, "chromium and chromedriver are not installed (scripts/bootstrap installs them): the browser test did not run"),
          .timeLimit(.minutes(3)))
    func consoleInBrowser() async throws {
        let touchbase = try TouchBaseBinary()
        let seeded = try await Self.seed(touchbase)
        let port = try await Self.freePort()
        let configuration = try touchbase.configuration("""
            [agi]
            port = 0
            [audiosocket]
            port = 0
            [metrics]
            port = 0
            [dialer]
            enabled = false
            [console]
            port = \(port)
            """)
        let password = "browser-test-password"
        for (name, role) in [("ada", "admin"), ("Lee Park", "owner")] {
            let added = try touchbase.run(["users", "add", name, "--role", role, "--config", configuration], stdin: .pipe(Array((password + "\n").utf8)))
            #expect(added.status == 0, "\(added.stderr)")
        }
        let header = "name,phone,time_zone,owner,owner_dial,callback,company,topic\n"
        let bad = try touchbase.write(Array((header + "Brook Adams,6175550160,America/Chicago,Sam Ortiz,PJSIP/101,6175550199,Harbor,the roof\n"
            + "Cole Diaz,555,America/Chicago,Sam Ortiz,PJSIP/101,6175550199,Harbor,the roof\n").utf8), to: "bad.csv")
        let good = try touchbase.write(Array((header + "Brook Adams,6175550160,America/Chicago,Sam Ortiz,PJSIP/101,6175550199,Harbor,the roof\n"
            + "Cole Diaz,6175550161,America/Chicago,Sam Ortiz,PJSIP/101,6175550199,Harbor,the roof\n").utf8), to: "good.csv")
        let shots = Self.root.appendingPathComponent(".build/console-screenshots").path
        let python = FileManager.default.isExecutableFile(atPath: Self.root.path + "/.venv/bin/python") ? Self.root.path + "/.venv/bin/python" : "/usr/bin/python3"
        var browser: (status: Int32, output: String)?
        let serve = try touchbase.run(["serve", "--config", configuration], limit: 150, whenStderrHolds: ("Web console at", { process in
            browser = Self.runScript(python, [
                Self.root.path + "/Tests/Fixtures/console/console_browser.py", "--base", "http://127.0.0.1:\(port)", "--admin", "ada",
                "--owner", "Lee Park", "--password", password, "--contact", String(seeded.contactID), "--wav-bytes", String(44 + seeded.samples * 2),
                "--bad-csv", bad.path, "--good-csv", good.path, "--shots", shots, "--chromium", Self.chromium, "--chromedriver", Self.chromedriver,
            ])
            kill(process.processIdentifier, SIGTERM)
        }))
        let result = try #require(browser, "serve never said the console was listening: \(serve.stderr)")
        #expect(result.status == 0, "\(result.output)")
        #expect(serve.status == 0, "\(serve.stderr)")

        // The dialer skips the contact: it is never due again, however late the clock.
        let store = try SQLiteStore(path: touchbase.folder.appendingPathComponent("touchbase.sqlite").path)
        let due = try await store.dueFollowUps(now: Date().addingTimeInterval(400 * 86_400), limit: 1000)
        #expect(try await store.contact(id: seeded.contactID)?.doNotCall == true)
        #expect(!due.contains { $0.contact.id == seeded.contactID })
        #expect(due.contains { $0.contact.name == "Brook Adams" })
        let audit = try await store.auditLog(limit: 20).map(\.action)
        #expect(audit.contains("import") && audit.contains("do-not-call") && audit.contains("logout"))
    }

    /// A contact whose voicemail call played a prepared message of known length.
    static func seed(_ touchbase: TouchBaseBinary) async throws -> (contactID: Int64, samples: Int) {
        let store = try SQLiteStore(path: touchbase.folder.appendingPathComponent("touchbase.sqlite").path)
        let policy = CallingPolicy()
        let now = Date()
        let contact = Contact(name: "Dana Whitfield", phone: "+16175550140", timeZone: "America/New_York",
                              owner: Owner(name: "Sam Ortiz", dialString: "PJSIP/101", callbackNumber: "+16175550199"),
                              company: "Harbor Consulting", topic: "the roof")
        _ = try await store.importContacts([contact], now: now, policy: policy)
        let stored = try #require(try await store.contact(phone: contact.phone))
        let id = try #require(stored.id)
        let state = try #require(try await store.followUp(contactID: id))
        let sounds = touchbase.folder.appendingPathComponent("sounds")
        try FileManager.default.createDirectory(at: sounds, withIntermediateDirectories: true)
        let samples = 24_000
        let audio = sounds.appendingPathComponent("tb-dana-1").path
        let tone = (0..<samples).flatMap { index -> [UInt8] in
            let value = Int16(8000 * sin(Double(index) * 2 * .pi * 440 / 16_000))
            return [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
        }
        try Data(tone).write(to: URL(fileURLWithPath: audio + ".sln16"))
        let promise = FollowUp.promise(forLeaving: .first, contact: stored, state: state, now: now, policy: policy)
        let start = CallStart(callID: "tb-browser-1", contactID: id, step: .first, dialNumber: 1, startedAt: now.addingTimeInterval(-60),
                              plannedMessage: PlannedMessage(audioPath: audio, samples: samples, voice: "test-tone", promise: promise))
        let outcome = DialOutcome.voicemail(playedShare: 1)
        let decision = FollowUp.decide(contact: stored, state: state, outcome: outcome, now: now, policy: policy, promised: promise)
        try await store.recordCall(start, CallFinish(callID: start.callID, endedAt: now, variables: AsteriskCallVariables(amdStatus: "MACHINE"),
                                                     outcome: outcome, messagePlayed: .first, playedShare: 1, voice: "test-tone", decision: decision))
        return (id, samples)
    }

    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }

    /// Runs the selenium script to its end; its output and errors together.
    static func runScript(_ python: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("console-browser-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        guard let handle = try? FileHandle(forWritingTo: output) else { return (-1, "cannot write \(output.path)") }
        process.standardOutput = handle
        process.standardError = handle
        do { try process.run() } catch { return (-1, "cannot run \(python): \(error)") }
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}

import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PostgresNIO
import StoreTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Two `touchbase serve` nodes on one PostgreSQL: node-0 places a call and serves its sounds
/// folder (`[audio]`); node-1's console fetches that call's audio from node-0. (A successful
/// fetch into a console without the file is ConsolePeerAudioTests': built nodes on one host
/// share a file system, so node-1 would find node-0's file at its path.)
@Suite("A call's audio in another node's console", .serialized)
struct NodeAudioTests {
    @Test("node-0 records its message's URL and serves it there; node-1's console fetches it from node-0, and says which node and why when it cannot",
          .enabled(if: StoreKind.covered.contains(.postgres), "needs PostgreSQL (scripts/with-postgres)"), .timeLimit(.minutes(2)))
    func consolePlaysAnotherNodesCall() async throws {
        let (database, voice) = (try await PostgresTestServer.freshDatabase(), try await StandInVoice.start())
        let audioPort = try await ConsoleBrowserTests.freePort()
        var consolePort = audioPort
        while consolePort == audioPort { consolePort = try await ConsoleBrowserTests.freePort() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("touchbase-node-audio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let live = LivePorts()
        let pbx = try FakePBX(name: "pbx-a", folder: folder, agiPorts: { live.ports })
        defer { pbx.stop() }

        func configuration(_ node: String, _ edit: (String) -> String) throws -> URL {
            let text = SeveralNodesTests.configuration(node: node, pbxs: [pbx], placesCallsOn: ["pbx-a"], database: database,
                                                       voicePort: voice.port, folder: folder)
            let url = folder.appendingPathComponent("\(node).toml")
            try edit(text).write(to: url, atomically: true, encoding: .utf8)
            return url
        }
        let placing = try configuration("node-0") { $0 + "[audio]\nport = \(audioPort)\nurl = \"http://127.0.0.1:\(audioPort)\"\n" }
        let viewing = try configuration("node-1") {
            $0.replacingOccurrences(of: "[console]\nport = 0", with: "[console]\nport = \(consolePort)")
                .replacingOccurrences(of: "[dialer]\n", with: "[dialer]\nenabled = false\n")
        }
        let touchbase = try TouchBaseBinary()
        let csv = try touchbase.write(Array("name,phone\nLaura Harbolt,+16175552000\n".utf8), to: "one.csv")
        let imported = try touchbase.run(["contacts", "import", csv.path, "--config", placing.path, "--default-time-zone", SeveralNodesTests.afternoonZone(),
                                          "--owner", "Sam Ortiz", "--owner-dial", "PJSIP/101", "--callback", "+16175550199",
                                          "--company", "Harbor Consulting"], limit: 60)
        try #require(imported.status == 0, "\(imported.stderr)")
        let added = try touchbase.run(["users", "add", "ada", "--role", "admin", "--config", viewing.path], stdin: .pipe(Array("node-audio-password\n".utf8)))
        try #require(added.status == 0, "\(added.stderr)")

        let pool = try TestDatabase(url: database)
        defer { pool.close() }
        let nodes = try ["node-0", "node-1"].map { try ServeNode(name: $0, configuration: folder.appendingPathComponent("\($0).toml"), folder: folder) }
        defer { nodes.forEach { $0.stop(SIGKILL) } }
        nodes.forEach { live.add($0.agiPort) }
        let placed = await eventually(within: 30) { ((try? await pool.plannedMessages()) ?? []).count == 1 }
        try #require(placed, "node-0 placed no call: \(nodes[0].log.suffix(2000))")
        let call = try #require(try await pool.plannedMessages().first)
        let name = (call.audioPath as NSString).lastPathComponent
        #expect(call.audioURL == "http://127.0.0.1:\(audioPort)/\(name).sln16", "node-0 recorded where its message is fetched")
        let sln16 = try Data(contentsOf: folder.appendingPathComponent("sounds-node-0/\(name).sln16"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("sounds-node-1/\(name).sln16").path))

        // Node-0 serves it at that URL, as a PBX or another node fetches it.
        let (servedStatus, served) = try await Self.get(try #require(call.audioURL))
        #expect(servedStatus == 200 && served == sln16)

        // Both nodes run on this one host, so node-1 would read node-0's file at its path; with
        // the file gone from there, node-1's console asks node-0, which says it has it no more.
        let token = String(repeating: "0a", count: 32)   // a session token's 64 characters
        try await pool.openSession(token: token, account: "ada")
        let uri = "http://127.0.0.1:\(consolePort)/contacts/\(call.contactID)/calls/\(call.callID)/audio.wav"
        let listening = await eventually(within: 30) { nodes[1].log.contains("Web console at") }
        try #require(listening, "\(nodes[1].log.suffix(2000))")
        try FileManager.default.moveItem(at: folder.appendingPathComponent("sounds-node-0/\(name).sln16"),
                                         to: folder.appendingPathComponent("\(name).sln16"))
        let (goneStatus, gone) = try await Self.get(uri, session: token)
        #expect(goneStatus == 404)
        #expect(String(decoding: gone, as: UTF8.self).contains("node 127.0.0.1:\(audioPort): it answered 404"), "\(String(decoding: gone, as: UTF8.self))")

        nodes[0].stop()
        let (downStatus, down) = try await Self.get(uri, session: token)
        #expect(downStatus == 502)
        #expect(String(decoding: down, as: UTF8.self).contains("node 127.0.0.1:\(audioPort): it did not answer"), "\(String(decoding: down, as: UTF8.self))")
    }

    /// A GET, with the console's session cookie when given: the status and the body.
    static func get(_ uri: String, session token: String? = nil) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: uri)!)
        request.httpShouldHandleCookies = false
        if let token { request.setValue("tb_session=\(token)", forHTTPHeaderField: "Cookie") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }
}

extension TestDatabase {
    struct PlannedCall: Decodable {
        var callID: String
        var contactID: Int64
        var audioPath: String
        var samples: Int
        var audioURL: String?
    }

    /// Each call's planned message, as the node that placed it recorded it.
    func plannedMessages() async throws -> [PlannedCall] {
        struct Plan: Decodable { var audioPath: String; var samples: Int; var audioURL: String? }
        var calls: [PlannedCall] = []
        let rows = try await client.query("SELECT call_id, contact_id, planned_message FROM call WHERE planned_message IS NOT NULL")
        for try await (callID, contactID, json) in rows.decode((String, Int64, String).self) {
            let plan = try JSONDecoder().decode(Plan.self, from: Data(json.utf8))
            calls.append(PlannedCall(callID: callID, contactID: contactID, audioPath: plan.audioPath, samples: plan.samples, audioURL: plan.audioURL))
        }
        return calls
    }

    /// A console session for `account`, as logging in on any node opens one: the token's SHA-256 kept.
    func openSession(token: String, account: String) async throws {
        let hash = SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
        let now = Date()
        try await client.query("""
            INSERT INTO console_session (token_hash, account, csrf_token, opened_at, last_used)
            VALUES (\(hash), \(account), 'csrf', \(now), \(now))
            """)
    }
}

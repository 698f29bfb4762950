import Foundation
import Logging
import PostgresNIO
import Store
import StoreTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Three `touchbase serve` nodes, the built binary, on one PostgreSQL database with two fake
/// PBXs, one node killed with SIGKILL mid-pass: what the database holds afterwards.
@Suite("Several serve nodes on one PostgreSQL", .serialized)
struct SeveralNodesTests {
    static let contacts = 2000
    static let maxCalls = 24
    static let trunkMaxCalls = 16
    static let leaseSeconds = 3.0

    /// A zone where it is now early afternoon, so the contacts are inside their calling hours
    /// whatever the hour the test runs (calling hours are set for every day of the week).
    static func afternoonZone(now: Date = Date()) -> String {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        var offset = 13 - utc.component(.hour, from: now)
        if offset < -12 { offset += 24 }
        if offset > 14 { offset -= 24 }
        return offset == 0 ? "Etc/GMT" : offset > 0 ? "Etc/GMT-\(offset)" : "Etc/GMT+\(-offset)"
    }

    /// A node's configuration: every PBX and trunk listed, the node placing calls on `pbxs`.
    static func configuration(node: String, pbxs: [FakePBX], placesCallsOn: [String], database: String, voicePort: Int,
                              folder: URL) -> String {
        let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map { "\($0) = \"08:00-21:00\"" }.joined(separator: ", ")
        var text = """
            [database]
            url = "\(database)"
            tls = "disable"
            [speech]
            sounds_folder = "\(folder.path)/sounds-\(node)"
            prerender = false
            local_engine = "none"
            [speech.voice]
            url = "http://127.0.0.1:\(voicePort)"
            [agi]
            port = 0
            [metrics]
            port = 0
            [audiosocket]
            port = 0
            [console]
            port = 0
            [cadence]
            calling_hours = { \(days) }
            holidays = []
            [dialer]
            node = "\(node)"
            max_calls = \(maxCalls)
            calls_per_minute = 10000
            poll_seconds = 0.1
            claim_lease_seconds = \(leaseSeconds)
            places_calls_on = [\(placesCallsOn.map { "\"\($0)\"" }.joined(separator: ", "))]

            """
        for pbx in pbxs {
            text += """
                [[dialer.pbx]]
                name = "\(pbx.name)"
                spool = "\(pbx.outgoing.path)"
                staging = "\(pbx.staging.path)"
                [[dialer.trunk]]
                name = "\(pbx.name)-main"
                pbx = "\(pbx.name)"
                channel = "PJSIP/{number}@\(pbx.name)-main"
                max_calls = \(trunkMaxCalls)

                """
        }
        return text
    }

    /// The most intervals open at one moment; an interval ending when another starts does not overlap it.
    static func mostAtOnce(_ intervals: [(start: Date, end: Date)]) -> Int {
        var events: [(at: Date, change: Int)] = []
        for interval in intervals {
            events.append((interval.start, 1))
            events.append((interval.end, -1))
        }
        events.sort { a, b in a.at != b.at ? a.at < b.at : a.change < b.change }
        var open = 0, most = 0
        for (_, change) in events {
            open += change
            most = max(most, open)
        }
        return most
    }

    @Test("three nodes, two PBXs, one node killed mid-pass: each contact dialled once, every report stored, max_calls held across nodes, the dead node's claims taken over after their lease",
          .enabled(if: StoreKind.covered.contains(.postgres), "needs PostgreSQL (scripts/with-postgres)"))
    func threeNodesOneKilled() async throws {
        let database = try await PostgresTestServer.freshDatabase()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("touchbase-nodes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let live = LivePorts()
        let pbxs = try ["pbx-a", "pbx-b"].map { try FakePBX(name: $0, folder: folder, agiPorts: { live.ports }) }
        defer { pbxs.forEach { $0.stop() } }
        let voice = try await StandInVoice.start()
        // The node to kill renders through a voice that stops answering after 150 messages: it
        // stops mid-pass, holding the claims of that pass.
        let stalling = try await StandInVoice.start(stallAfter: 150)
        let plan = [("node-0", ["pbx-a"], voice), ("node-1", ["pbx-b"], voice), ("node-2", ["pbx-a", "pbx-b"], stalling)]
        var configurations: [URL] = []
        for (node, placesCallsOn, nodeVoice) in plan {
            let url = folder.appendingPathComponent("\(node).toml")
            try Self.configuration(node: node, pbxs: pbxs, placesCallsOn: placesCallsOn, database: database, voicePort: nodeVoice.port,
                                   folder: folder).write(to: url, atomically: true, encoding: .utf8)
            configurations.append(url)
        }

        // The contacts, all due now, imported through the first node's configuration.
        let touchbase = try TouchBaseBinary()
        let rows = (0..<Self.contacts).map { "Contact \($0),+1617555\(String(format: "%04d", 2000 + $0))" }
        let csv = try touchbase.write(Array(("name,phone\n" + rows.joined(separator: "\n") + "\n").utf8), to: "due.csv")
        let imported = try touchbase.run(["contacts", "import", csv.path, "--config", configurations[0].path,
                                          "--default-time-zone", Self.afternoonZone(), "--owner", "Sam Ortiz", "--owner-dial", "PJSIP/101",
                                          "--callback", "+16175550199", "--company", "Harbor Consulting"], limit: 60)
        try #require(imported.status == 0, "\(imported.stderr)")

        let pool = try TestDatabase(url: database)
        defer { pool.close() }
        var nodes: [ServeNode] = []
        defer { nodes.forEach { $0.stop(SIGKILL) } }
        for (index, configuration) in configurations.enumerated() {
            let node = try ServeNode(name: plan[index].0, configuration: configuration, folder: folder)
            nodes.append(node)
            live.add(node.agiPort)
        }

        // Mid-pass: the node to kill is stuck rendering, its pass's claims held.
        let stuck = await eventually(within: 40) { stalling.counts.held > 0 }
        try #require(stuck, "node-2 never reached its 151st message: \(stalling.counts), node-2: \(nodes[2].log.prefix(3000))")
        nodes[2].stop(SIGKILL)
        live.remove(nodes[2].agiPort)
        let killedAt = Date()
        let orphaned = try await pool.claims(node: "node-2")
        #expect(!orphaned.isEmpty, "the killed node held claims")

        // Alone it ends in about 35 s; beside the rest of the suite on two cores it may take longer.
        let done = await eventually(within: 100) {
            (try? await pool.endedCalls()) == Self.contacts && pbxs.allSatisfy(\.idle)
        }
        let calls = try await pool.calls()
        for node in nodes.prefix(2) { node.stop() }
        try #require(done, "\(calls.filter { $0.end != nil }.count) of \(Self.contacts) calls ended; node-0: \(nodes[0].log.suffix(1500))")

        // Each contact dialled once: no decision (contact, step, dial) twice, never two calls open at once.
        #expect(calls.count == Self.contacts)
        let decisions = Dictionary(grouping: calls) { "\($0.contactID)/\($0.step)/\($0.dial)" }
        #expect(decisions.values.allSatisfy { $0.count == 1 }, "a decision was dialled twice")
        for (_, byContact) in Dictionary(grouping: calls, by: \.contactID) where byContact.count > 1 {
            #expect(Self.mostAtOnce(byContact.map { ($0.start, $0.end ?? .distantFuture) }) == 1)
        }
        // Every reported outcome stored, whichever node the report reached.
        let reports = pbxs.flatMap(\.made)
        #expect(reports.count == Self.contacts && reports.allSatisfy(\.confirmed))
        let stored = Dictionary(uniqueKeysWithValues: calls.map { ($0.callID, $0) })
        #expect(reports.allSatisfy { stored[$0.callID]?.outcome == "busy" && stored[$0.callID]?.end != nil })
        // Each PBX got only its own trunk's calls.
        for pbx in pbxs {
            #expect(pbx.made.allSatisfy { $0.channel.hasSuffix("@\(pbx.name)-main") && stored[$0.callID]?.trunk == "\(pbx.name)-main" })
        }
        // max_calls across the nodes, and each trunk's, at every moment (from the stored times).
        let intervals = calls.map { (start: $0.start, end: $0.end ?? .distantFuture, trunk: $0.trunk) }
        let most = Self.mostAtOnce(intervals.map { ($0.start, $0.end) })
        #expect(most <= Self.maxCalls && most >= Self.maxCalls / 2, "\(most) calls at once")
        for trunk in ["pbx-a-main", "pbx-b-main"] {
            #expect(Self.mostAtOnce(intervals.filter { $0.trunk == trunk }.map { ($0.start, $0.end) }) <= Self.trunkMaxCalls)
        }
        // The dead node's claims: called once each, only after their lease ran out.
        for claim in orphaned {
            let placed = calls.filter { $0.contactID == claim.contactID }
            #expect(placed.count == 1 && placed.allSatisfy { $0.start >= claim.leaseUntil && $0.start > killedAt },
                    "contact \(claim.contactID), lease until \(claim.leaseUntil): \(placed.map(\.start))")
        }
        #expect(try await pool.claims(node: nil).isEmpty, "no claim is left")
    }
}

/// The FastAGI ports of the nodes alive, which the fake PBXs report to.
final class LivePorts: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Int] = []
    var ports: [Int] { lock.withLock { list } }
    func add(_ port: Int) { lock.withLock { list.append(port) } }
    func remove(_ port: Int) { lock.withLock { list.removeAll { $0 == port } } }
}

/// The test's own view of the nodes' database.
struct TestDatabase {
    struct Call {
        var callID: String
        var contactID: Int64
        var step: Int
        var dial: Int
        var start: Date
        var end: Date?
        var outcome: String?
        var trunk: String?
    }

    let client: PostgresClient
    let runner: Task<Void, Never>

    init(url: String) throws {
        let parts = try DatabaseURL(url)
        client = PostgresClient(configuration: .init(host: parts.host, port: parts.port, username: parts.username, password: nil,
                                                     database: parts.database, tls: .disable))
        let client = self.client
        runner = Task { await client.run() }
    }

    func close() { runner.cancel() }

    func endedCalls() async throws -> Int {
        var count = 0
        for try await value in try await client.query("SELECT COUNT(*) FROM call WHERE ended_at IS NOT NULL").decode(Int.self) { count = value }
        return count
    }

    func calls() async throws -> [Call] {
        var calls: [Call] = []
        let rows = try await client.query("SELECT call_id, contact_id, step, dial_number, started_at, ended_at, outcome, trunk FROM call")
        for try await (callID, contactID, step, dial, start, end, outcome, trunk) in rows.decode((String, Int64, Int, Int, Date, Date?, String?, String?).self) {
            calls.append(Call(callID: callID, contactID: contactID, step: step, dial: dial, start: start, end: end, outcome: outcome, trunk: trunk))
        }
        return calls
    }

    func claims(node: String?) async throws -> [(contactID: Int64, leaseUntil: Date)] {
        var claims: [(contactID: Int64, leaseUntil: Date)] = []
        let rows = try await client.query("SELECT contact_id, lease_until FROM follow_up_claim WHERE \(node)::TEXT IS NULL OR node = \(node)")
        for try await (contactID, leaseUntil) in rows.decode((Int64, Date).self) { claims.append((contactID, leaseUntil)) }
        return claims
    }
}

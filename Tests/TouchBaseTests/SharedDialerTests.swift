import Cadence
import ConfigurationFile
import Dialer
import Foundation
import Speech
import Store
import StoreTestSupport
import Testing
import TouchBase

/// Three `touchbase serve` dialers on one store, each with its own PBX's spool, as three nodes
/// beside two or three Asterisk servers would run.
@Suite("Several dialers on one store")
struct SharedDialerTests {
    struct Node {
        let dialer: OutboundDialer
        let spool: URL
    }

    static func nodes(_ count: Int, on site: StoreSite, folder: URL, clock: SimulatedClock, maxCalls: Int) async throws -> [Node] {
        var nodes: [Node] = []
        for index in 0..<count {
            let spool = folder.appendingPathComponent("pbx\(index)/outgoing")
            try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("pbx\(index)/tmp"), withIntermediateDirectories: true)
            var configuration = TouchBaseConfiguration()
            configuration.speech.soundsFolder = folder.appendingPathComponent("sounds\(index)").path
            configuration.speech.prerender = false
            configuration.dialer.node = "node-\(index)"
            configuration.dialer.method = .callFile(outgoing: spool.path, staging: nil)
            configuration.dialer.pacing = DialPacing(maxCalls: maxCalls, callsPerMinute: 100,
                                                     trunks: [Trunk(name: "main", channel: "PJSIP/{number}@main", maxCalls: maxCalls,
                                                                    callsPerMinute: 100)])
            let assembly = try TouchBaseAssembly(configuration: configuration, store: try await site.open(),
                                                 voices: [PiperProvider(baseURL: "http://127.0.0.1:9", retry: .none)],
                                                 clock: { clock.now }, logger: testLogger)
            nodes.append(Node(dialer: assembly.dialer!, spool: spool))
        }
        return nodes
    }

    /// A site with `count` contacts due now, a clock at Monday 10:00 and a folder for the spools;
    /// the caller removes the folder.
    static func dueSite(_ kind: StoreKind, contacts count: Int) async throws -> (site: StoreSite, store: any Store, clock: SimulatedClock, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("touchbase-nodes-\(UUID().uuidString)")
        let site = try await StoreSite(kind)
        let clock = SimulatedClock(Harness.monday10)
        let store = try await site.open()
        let rows = (0..<count).map { "Contact \($0),617-555-\(String(format: "%04d", 2000 + $0))" }
        let contacts = try ContactImport(defaults: .init(timeZone: "America/New_York", owner: "Sam Ortiz", ownerDial: "PJSIP/101",
                                                         callback: "+16175550199", company: "Harbor Consulting"))
            .contacts(fromCSV: "name,phone\n" + rows.joined(separator: "\n"), file: "due.csv")
        _ = try await store.importContacts(contacts, now: clock.now, policy: CallingPolicy())
        return (site, store, clock, folder)
    }

    /// Every node's pass at once; the calls each placed.
    static func passTogether(_ nodes: [Node]) async -> [String] {
        await withTaskGroup(of: [String].self) { group in
            for node in nodes { group.addTask { await node.dialer.pass().placed } }
            return await group.reduce(into: []) { $0 += $1 }
        }
    }

    @Test("three nodes passing at once place each due contact once, never more than max_calls together, and more as calls end",
          arguments: StoreKind.covered)
    func threeNodes(kind: StoreKind) async throws {
        let (site, store, clock, folder) = try await Self.dueSite(kind, contacts: 12)
        defer { try? FileManager.default.removeItem(at: folder) }
        let nodes = try await Self.nodes(3, on: site, folder: folder, clock: clock, maxCalls: 4)

        let first = await Self.passTogether(nodes)
        #expect(first.count == 4, "max_calls is 4 across the nodes")
        clock.advance(20)
        #expect(await Self.passTogether(nodes).isEmpty, "four calls are in flight")
        let open = try await store.openCalls()
        #expect(Set(open.map(\.callID)) == Set(first) && Set(open.map(\.contactID)).count == 4)
        let files = try nodes.flatMap { try FileManager.default.contentsOfDirectory(atPath: $0.spool.path) }
        #expect(files.count == 4, "one call file per placed call, in the spools of the nodes that placed them")

        for call in open.prefix(2) {
            let state = try #require(try await store.followUp(contactID: call.contactID))
            try await store.finishCall(CallFinish(callID: call.callID, endedAt: clock.now, variables: AsteriskCallVariables(),
                                                  outcome: .busy, decision: FollowUpDecision(state: state, note: "busy")))
        }
        clock.advance(20)
        let second = await Self.passTogether(nodes)
        #expect(second.count == 2, "two calls ended, so two more start")
        let all = try await store.calls(contactID: nil)
        #expect(all.count == 6 && Set(all.map(\.callID)).count == 6)
        let placedTwice = Dictionary(grouping: try await store.openCalls(), by: \.contactID).filter { $0.value.count > 1 }
        #expect(placedTwice.isEmpty, "no contact has two calls open at once")
    }

    @Test("claims a node left when it died are taken over by the others once their lease runs out, and placed once",
          arguments: StoreKind.covered)
    func deadNodesClaimsTakenOver(kind: StoreKind) async throws {
        let (site, store, clock, folder) = try await Self.dueSite(kind, contacts: 3)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A node claims every due contact, then is killed before it places a call.
        let dead = ClaimRequest(node: "dead", now: clock.now, leaseSeconds: 120, candidates: 10,
                                trunks: { _, _ in Array(repeating: "main", count: 3) })
        #expect(try await store.claimDueFollowUps(dead).count == 3)
        let nodes = try await Self.nodes(2, on: site, folder: folder, clock: clock, maxCalls: 4)

        clock.advance(60)
        #expect(await Self.passTogether(nodes).isEmpty, "the dead node's claims still hold, and count against max_calls")
        clock.advance(61)
        let placed = await Self.passTogether(nodes)
        #expect(placed.count == 3, "taken over once the lease ran out")
        let open = try await store.openCalls()
        #expect(Set(open.map(\.contactID)).count == 3 && open.count == 3)
    }
}

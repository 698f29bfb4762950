import ArgumentParser
import Cadence
import Foundation
import Logging
import PostgresStore
import Store

/// Measures the shared store's dialer path on PostgreSQL: nodes claiming due follow-ups, turning
/// each claim into a call record and recording its outcome, as fast as the database lets them.
/// The figures go in BENCHMARKS.md.
struct BenchClaimsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-claims",
        abstract: "Claims and recorded calls per second with several nodes on one PostgreSQL (BENCHMARKS.md).",
        shouldDisplay: false)

    @Option(help: "An empty PostgreSQL database (password from $TOUCHBASE_DB_PASSWORD).") var postgres: String
    @Option(help: "How many contacts, all due.") var contacts = 100_000
    @Option(help: "The node counts to measure, one after the other, e.g. 1,2,3.") var nodes = "1,2,3"
    @Option(help: "Seconds each node count runs.") var seconds = 15.0
    @Option(help: "max_calls across the nodes: the claims one step may hand out.") var maxCalls = 50

    func run() async throws {
        var logger = Logger(label: "bench-claims")
        logger.logLevel = .warning
        let password = ProcessInfo.processInfo.environment["TOUCHBASE_DB_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        let configuration = try PostgresStoreConfiguration(url: postgres, password: password, tls: .disable)
        let store = try await PostgresStore(configuration: configuration, logger: logger)
        guard try await store.contacts(after: 0, limit: 1).isEmpty else { throw ValidationError("\(postgres) already holds contacts") }
        // Monday 10:00 in New York: every contact's first call is due from then on.
        let importedAt = Date(timeIntervalSince1970: 1_767_625_200)
        let owner = Owner(name: "Sam Ortiz", dialString: "PJSIP/101", callbackNumber: "+16175550199")
        let people = (0..<contacts).map { index in
            Contact(name: "Bench \(index)", phone: String(format: "+1617%07d", index), timeZone: "America/New_York", owner: owner,
                    company: "Harbor Consulting")
        }
        let importStart = Date()
        _ = try await store.importContacts(people, now: importedAt, policy: CallingPolicy())
        print("imported \(contacts) contacts in \(String(format: "%.1f", Date().timeIntervalSince(importStart))) s")
        print("NODES  CLAIMED/S  CALLS RECORDED/S  TRANSACTIONS PER CALL")
        for count in nodes.split(separator: ",").compactMap({ Int($0) }) {
            let stores = try await (0..<count).asyncMap { _ in try await PostgresStore(configuration: configuration, logger: logger) }
            let before = try await Self.transactions(store)
            let started = Date()
            let deadline = started.addingTimeInterval(seconds)
            let counts = try await withThrowingTaskGroup(of: (claimed: Int, recorded: Int).self) { group in
                for (index, nodeStore) in stores.enumerated() {
                    group.addTask { try await Self.node("bench-\(count)-\(index)", store: nodeStore, maxCalls: maxCalls, until: deadline) }
                }
                return try await group.reduce((0, 0)) { ($0.0 + $1.claimed, $0.1 + $1.recorded) }
            }
            let elapsed = Date().timeIntervalSince(started)
            let transactions = try await Self.transactions(store) - before
            print(String(format: "%5d  %9.0f  %16.0f  %21.1f", count, Double(counts.0) / elapsed, Double(counts.1) / elapsed,
                         Double(transactions) / Double(max(counts.1, 1))))
            stores.forEach { $0.close() }
        }
        store.close()
    }

    /// One node's loop: claim, begin each claimed call, record its outcome at once (busy).
    static func node(_ name: String, store: PostgresStore, maxCalls: Int, until deadline: Date) async throws -> (claimed: Int, recorded: Int) {
        var claimed = 0, recorded = 0
        let policy = CallingPolicy()
        while Date() < deadline {
            let request = ClaimRequest(node: name, now: Date(), leaseSeconds: 60, candidates: maxCalls,
                                       trunks: { inFlight, _ in Array(repeating: "main", count: max(0, maxCalls - inFlight.values.reduce(0, +))) })
            let claims = try await store.claimDueFollowUps(request)
            claimed += claims.count
            for claim in claims {
                let now = Date()
                let callID = "\(name)-\(claim.contact.id!)-\(now.timeIntervalSince1970)"
                try await store.beginClaimedCall(CallStart(callID: callID, contactID: claim.contact.id!, step: claim.state.step,
                                                           dialNumber: claim.state.dialsThisStep + 1, startedAt: now, origin: .dialer,
                                                           trunk: claim.trunk), claim: claim)
                let decision = FollowUp.decide(contact: claim.contact, state: claim.state, outcome: .busy, now: now, policy: policy)
                try await store.finishCall(CallFinish(callID: callID, endedAt: Date(), variables: AsteriskCallVariables(), outcome: .busy,
                                                      decision: decision))
                recorded += 1
            }
        }
        return (claimed, recorded)
    }

    /// Transactions committed in this database so far (pg_stat_database, updated as transactions end).
    static func transactions(_ store: PostgresStore) async throws -> Int {
        try await store.committedTransactions()
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

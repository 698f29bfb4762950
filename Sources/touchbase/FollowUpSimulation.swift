import Cadence
import Foundation
import Logging
import PostgresStore
import Store

/// Runs the real cadence and the real store over a simulated clock, to see what the follow-up
/// rules do to many contacts: `touchbase simulate`.
///
/// Every five simulated minutes, the contacts due are "called"; each call's outcome is drawn
/// from the odds given, the cadence decides, and the store records it, as in production. The
/// report checks the rules from the outside: messages per contact, calls outside calling hours
/// (read from the contact's wall clock, not from the cadence's own check), and whether every
/// promised slot got its call.
public struct FollowUpSimulation: Sendable {
    /// The chance of each outcome when a contact is called, and of a callback after a message.
    public struct Odds: Sendable, Hashable {
        public var voicemail = 0.55, noAnswer = 0.2, busy = 0.07, human = 0.08, invalidNumber = 0.01, cutShort = 0.04
        /// The chance that a contact calls back within two days of a message.
        public var callbackAfterMessage = 0.1

        public init() {}
    }

    /// What a simulation found.
    public struct Report: Sendable, Hashable {
        public var contacts: Int
        public var days: Int
        public var calls = 0
        public var messages = 0
        public var mostMessagesForOneContact = 0
        public var callsOutsideCallingHours = 0
        public var promisesMade = 0
        public var promisesKept = 0
        public var finalStates: [String: Int] = [:]
        public var seconds = 0.0

        /// The share of promised slots that got their call, in percent (100 when none were made).
        public var promisesKeptPercent: Double { promisesMade == 0 ? 100 : Double(promisesKept) * 100 / Double(promisesMade) }
    }

    public var contacts: Int
    public var days: Int
    public var seed: UInt64
    public var odds: Odds
    public var policy: CallingPolicy
    public var start: Date

    /// Creates a simulation.
    public init(contacts: Int, days: Int, seed: UInt64, odds: Odds = Odds(), policy: CallingPolicy = CallingPolicy(),
                start: Date = Date(timeIntervalSince1970: 1_767_571_200)) {
        self.contacts = contacts
        self.days = days
        self.seed = seed
        self.odds = odds
        self.policy = policy
        self.start = start
    }

    static let zones = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix",
                        "Europe/London", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "America/St_Johns"]

    /// Runs the simulation against `store`, which must be empty; by default a fresh in-memory
    /// SQLite store. The same seed gives the same figures on either store.
    ///
    /// - Throws: ``StoreError`` when `store` already holds contacts.
    public func run(on given: (any Store)? = nil) async throws -> Report {
        let clockStart = Date()
        var random = SplitMix64(seed: seed)
        let store = try given ?? SQLiteStore()
        guard try await store.contacts(after: 0, limit: 1).isEmpty else {
            throw StoreError("the simulation's database already holds contacts; give it an empty one")
        }
        let owner = Owner(name: "Sam Ortiz", dialString: "PJSIP/101", callbackNumber: "+16175550199")
        var people: [Contact] = []
        people.reserveCapacity(contacts)
        for index in 0..<contacts {
            people.append(Contact(name: "Contact \(index + 1)", phone: String(format: "+1617%07d", 2_000_000 + index),
                                  timeZone: Self.zones[Int(random.next() % UInt64(Self.zones.count))], owner: owner,
                                  company: "Ortiz Landscaping"))
        }
        _ = try await store.importContacts(people, now: start, policy: policy)

        var report = Report(contacts: contacts, days: days)
        var messagesByContact: [Int64: Int] = [:]
        var pendingPromises: [Int64: CallingWindow] = [:]
        var callbacks: [(at: Date, contactID: Int64)] = []
        var callNumber = 0
        let end = start.addingTimeInterval(Double(days) * 86_400)
        var now = start
        while now < end {
            var batch: [(CallStart, CallFinish)] = []
            let due = try await store.dueFollowUps(now: now, limit: Int.max)
            for (contact, state) in due where FollowUp.isDue(contact: contact, state: state, now: now, policy: policy) {
                let id = contact.id!
                callNumber += 1
                report.calls += 1
                if !isInsideCallingHours(now, contact: contact) { report.callsOutsideCallingHours += 1 }
                if let promised = pendingPromises.removeValue(forKey: id), promised.contains(now) { report.promisesKept += 1 }
                let outcome = drawOutcome(&random)
                let ended = now.addingTimeInterval(60)
                let decision = FollowUp.decide(contact: contact, state: state, outcome: outcome, now: ended, policy: policy)
                if decision.messageLeft != nil {
                    report.messages += 1
                    messagesByContact[id, default: 0] += 1
                    if let window = decision.state.promise?.window, decision.state.phase == .active {
                        pendingPromises[id] = window
                        report.promisesMade += 1
                    }
                    if random.nextDouble() < odds.callbackAfterMessage {
                        callbacks.append((ended.addingTimeInterval(random.nextDouble() * 2 * 86_400), id))
                    }
                }
                let callID = "sim-\(callNumber)"
                batch.append((CallStart(callID: callID, contactID: id, step: state.step, dialNumber: state.dialsThisStep + 1, startedAt: now),
                              CallFinish(callID: callID, endedAt: ended, variables: AsteriskCallVariables(), outcome: outcome,
                                         messagePlayed: decision.messageLeft, playedShare: nil, decision: decision)))
            }
            try await Self.record(batch, in: store)
            let (ready, later) = callbacks.partitioned { $0.at <= now }
            callbacks = later
            for callback in ready {
                guard let contact = try await store.contact(id: callback.contactID),
                      let state = try await store.followUp(contactID: callback.contactID), state.phase == .active else { continue }
                // A contact who calls back before the promised slot needs no call: that promise is moot.
                if pendingPromises.removeValue(forKey: callback.contactID) != nil { report.promisesMade -= 1 }
                callNumber += 1
                let decision = FollowUp.decide(contact: contact, state: state, outcome: .calledBack, now: now, policy: policy)
                let callID = "sim-\(callNumber)"
                try await Self.record([(CallStart(callID: callID, contactID: callback.contactID, step: state.step, dialNumber: 0, startedAt: now,
                                                         origin: .inbound),
                                              CallFinish(callID: callID, endedAt: now, variables: AsteriskCallVariables(), outcome: .calledBack, decision: decision))], in: store)
            }
            // Skip the quiet stretches (nights, weekends): jump to the tick of the next event.
            var next = now.addingTimeInterval(300)
            let upcoming = [try await store.earliestNextCall(), callbacks.map(\.at).min()].compactMap { $0 }.min()
            if let upcoming, upcoming > next {
                next = next.addingTimeInterval((upcoming.timeIntervalSince(next) / 300).rounded(.up) * 300)
            } else if upcoming == nil {
                break
            }
            now = next
        }
        // Promises whose slot lay inside the simulated time and got no call were broken.
        report.promisesMade -= pendingPromises.values.filter { $0.start >= end }.count
        report.mostMessagesForOneContact = messagesByContact.values.max() ?? 0
        for contact in try await store.contacts() {
            let phase = try await store.followUp(contactID: contact.id!)?.phase.name ?? "none"
            report.finalStates[phase, default: 0] += 1
        }
        report.seconds = Date().timeIntervalSince(clockStart)
        return report
    }

    /// SQLite takes a pass's calls in one transaction; another store, one by one.
    private static func record(_ calls: [(CallStart, CallFinish)], in store: any Store) async throws {
        if let sqlite = store as? SQLiteStore { return try await sqlite.recordCalls(calls) }
        for (start, finish) in calls { try await store.recordCall(start, finish) }
    }

    private func drawOutcome(_ random: inout SplitMix64) -> DialOutcome {
        var roll = random.nextDouble()
        for (chance, outcome) in [(odds.voicemail, DialOutcome.voicemail(playedShare: 1)), (odds.noAnswer, .noAnswer),
                                  (odds.busy, .busy), (odds.human, .human), (odds.invalidNumber, .invalidNumber),
                                  (odds.cutShort, .voicemail(playedShare: 0.4))] {
            if roll < chance { return outcome }
            roll -= chance
        }
        return .congestion
    }

    /// Reads the contact's wall clock directly, apart from the cadence's own check.
    private func isInsideCallingHours(_ date: Date, contact: Contact) -> Bool {
        guard let calendar = ZonedCalendar.cached(contact.timeZone)?.calendar else { return false }
        let c = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        let minutes = c.hour! * 60 + c.minute!
        guard let hours = policy.callingHours[c.weekday!],
              policy.holidays.isEmpty || !policy.holidays.contains(ZonedCalendar.cached(contact.timeZone)!.dayKey(date)) else {
            return false
        }
        return minutes >= max(hours.lowerBound.minutes, 8 * 60) && minutes < min(hours.upperBound.minutes, 21 * 60)
    }
}

/// A small, fast, seedable random number generator, so a simulation's seed repeats its run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

extension Array {
    func partitioned(by belongsInFirst: (Element) -> Bool) -> ([Element], [Element]) {
        var first: [Element] = [], second: [Element] = []
        for element in self { if belongsInFirst(element) { first.append(element) } else { second.append(element) } }
        return (first, second)
    }
}

/// The store `touchbase simulate --postgres URL` runs on.
enum SimulationStore {
    /// A PostgreSQL store on `url`, its password from `TOUCHBASE_DB_PASSWORD`; `nil` (in memory) without a URL.
    static func open(_ url: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                     logger: Logger) async throws -> (any Store)? {
        guard let url else { return nil }
        let password = environment["TOUCHBASE_DB_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        return try await PostgresStore(configuration: try PostgresStoreConfiguration(url: url, password: password), logger: logger)
    }
}

import Cadence
import Foundation

/// Where TouchBase keeps contacts, their follow-up state, every call and every message.
///
/// ``SQLiteStore`` is the default, one file; `PostgresStore` (its own module) is the shared
/// database when several nodes dial, and every store test runs against both. Every method that
/// records an outcome commits before it returns, so what a handler has reported to Asterisk is
/// on disk. Due follow-ups are taken with ``claimDueFollowUps(_:)``, one atomic step across nodes.
public protocol Store: Sendable {
    /// Adds new contacts and updates known ones (matched by phone number), a batch at a time,
    /// in one transaction: when `batches` throws, nothing is stored.
    func importContacts(_ batches: some ContactBatches, now: Date, policy: CallingPolicy) async throws -> ImportSummary
    /// A page of contacts: those with ids after `id`, by id, at most `limit`.
    /// ``Store/forEachContactPage(pageSize:_:)`` walks them all.
    func contacts(after id: Int64, limit: Int) async throws -> [Contact]
    /// A page of contacts with where each one's follow-up stands (`contacts list`): those with
    /// ids after `id`, by id, at most `limit`.
    func contactStandings(after id: Int64, limit: Int) async throws -> [ContactStanding]
    /// A contact by id.
    func contact(id: Int64) async throws -> Contact?
    /// A contact by phone number in E.164.
    func contact(phone: String) async throws -> Contact?
    /// A contact's follow-up state.
    func followUp(contactID: Int64) async throws -> FollowUpState?
    /// Puts a contact on the do-not-call list; its follow-up stops.
    func setDoNotCall(contactID: Int64, now: Date) async throws
    /// Active contacts whose next call has started by `now`, earliest first; contacts with a call
    /// under way are left out, so no contact is dialled twice at once.
    func dueFollowUps(now: Date, limit: Int) async throws -> [(contact: Contact, state: FollowUpState)]
    /// The earliest start of an active follow-up's next call, or `nil` when none is scheduled.
    func earliestNextCall() async throws -> Date?
    /// Records that a call was placed.
    func beginCall(_ call: CallStart) async throws
    /// Takes due follow-ups for one node in one atomic step, within the pacing limits counted
    /// across every node; see ``ClaimRequest``. Claims whose lease ran out are taken over.
    func claimDueFollowUps(_ request: ClaimRequest) async throws -> [FollowUpClaim]
    /// Turns a claim into the call's record in one transaction, before the call is handed to
    /// Asterisk: from then on the contact has a call under way and no node claims it again.
    ///
    /// - Throws: ``ClaimLost`` when the node no longer holds the claim; the call must not be placed.
    func beginClaimedCall(_ call: CallStart, claim: FollowUpClaim) async throws
    /// Gives a claim back without a call (the message was not ready, the number cannot be dialled).
    func releaseClaim(_ claim: FollowUpClaim) async throws
    /// Records a call's outcome and the follow-up's new state in one transaction.
    ///
    /// - Throws: ``CallAlreadyFinished`` when the call has an outcome already (a late report
    ///   after reconciliation, or AMI and the `failed` route both reporting one failure): the
    ///   first report stands and nothing changes.
    func finishCall(_ call: CallFinish) async throws
    /// Records a call that started and ended in one report (a hand-dialled call's outcome, an
    /// agent's drop, a callback), with the follow-up's new state, in one transaction.
    func recordCall(_ start: CallStart, _ finish: CallFinish) async throws
    /// Records one leg's report of a hand-dialled call, joined to the call by Asterisk's linkedid,
    /// which every channel of the call shares, in one transaction.
    ///
    /// The first report of a call (no hand-dialled call recorded under `start.asteriskLinkedID`)
    /// records it as placed, with no outcome; a later one gets the call recorded first, so the
    /// agent's hook and the callee's drop, in whichever order they come, are one call. The
    /// caller's leg (the agent's channel, whose CDR is the call's) sets the call's uniqueid;
    /// the callee's leg sets it only on a call that has none.
    ///
    /// - Returns: the call as recorded, with its outcome if a report has settled it already.
    func joinCall(_ start: CallStart, leg: CallLeg) async throws -> CallRecord
    /// The newest call recorded under a linkedid.
    func call(linkedID: String) async throws -> CallRecord?
    /// Calls placed that have no outcome yet, oldest first.
    func openCalls() async throws -> [CallRecord]
    /// Calls placed at or after `date`, oldest first (the dialer's pacing).
    func calls(startedSince date: Date) async throws -> [CallRecord]
    /// A call by TouchBase's call id.
    func call(callID: String) async throws -> CallRecord?
    /// A page of the call log: calls after `cursor`, oldest first, at most `limit`, optionally
    /// for one contact; ``Store/forEachCallPage(contactID:pageSize:_:)`` walks them all.
    func calls(contactID: Int64?, after cursor: CallCursor, limit: Int) async throws -> CallPage
    /// The call whose AudioSocket carries `audioSocketID` (its `TOUCHBASE_AUDIOSOCKET_ID`).
    func call(audioSocketID: UUID) async throws -> CallRecord?
    /// Records what the greeting analysis learnt on a call, replacing what was recorded before;
    /// committed before it returns, so any node reads it.
    ///
    /// - Throws: ``StoreError`` when there is no such call.
    func recordGreeting(callID: String, _ result: GreetingResult) async throws
    /// Records a rendered message.
    func recordMessage(_ message: MessageRecord) async throws
    /// The messages rendered for a contact, oldest first.
    func messages(contactID: Int64) async throws -> [MessageRecord]

    // The web console's accounts, audit log and pages (ConsoleRecords.swift).

    /// Adds an account, or replaces the role and password of the account of that name.
    func saveAccount(_ account: ConsoleAccount) async throws
    /// An account by name.
    func account(name: String) async throws -> ConsoleAccount?
    /// Appends a change to the audit log.
    func recordAudit(_ entry: AuditEntry) async throws
    /// The newest entries of the audit log, newest first.
    func auditLog(limit: Int) async throws -> [AuditEntry]
    /// Records a console session that was just opened.
    func openConsoleSession(_ session: StoredConsoleSession) async throws
    /// The session whose token hashes to `tokenHash`, with its account's role now; `nil` when
    /// there is none, or its account is gone.
    func consoleSession(tokenHash: String) async throws -> StoredConsoleSession?
    /// Notes that a session was used at `at`.
    func touchConsoleSession(tokenHash: String, at: Date) async throws
    /// Ends the session whose token hashes to `tokenHash` (logging out), if any, and every
    /// session last used before `idleBefore`.
    func closeConsoleSessions(tokenHash: String?, idleBefore: Date) async throws
    /// A page of contacts matching a search, by id, each with its phase and next call.
    func searchContacts(_ search: ContactSearch) async throws -> [ContactListing]
    /// Calls placed at or after `date`, counted by outcome (`DialOutcome.logValue`; `in-progress`
    /// for calls without one).
    func outcomeCounts(since date: Date) async throws -> [String: Int]
    /// The newest calls placed at or after `date`, newest first, at most `limit`; only the calls
    /// of one owner's contacts when `owner` is given.
    func latestCalls(since date: Date, owner: String?, limit: Int) async throws -> [CallRecord]
    /// Every call counted per week and step, oldest week first.
    func weeklyCounts() async throws -> [WeeklyStepCounts]
    /// Replaces a contact's details (not its phone, its id or do-not-call).
    func updateContact(_ contact: Contact, now: Date) async throws
    /// Stores a follow-up state chosen outside a call (a pause), for an existing follow-up.
    func saveFollowUp(_ state: FollowUpState, contactID: Int64, now: Date) async throws
}

/// What an import changed.
public struct ImportSummary: Sendable, Hashable {
    /// Contacts added.
    public var inserted: Int
    /// Contacts already known (same phone) whose details were updated.
    public var updated: Int

    /// Creates a summary.
    public init(inserted: Int, updated: Int) {
        self.inserted = inserted
        self.updated = updated
    }
}

/// A call being placed.
public struct CallStart: Sendable, Hashable {
    /// TouchBase's id for the call, set on the channel as TOUCHBASE_CALL.
    public var callID: String
    /// The contact called.
    public var contactID: Int64
    /// The message the call would leave at voicemail.
    public var step: MessageStep
    /// Which call this is for the step (1 for the first).
    public var dialNumber: Int
    /// When the call was placed.
    public var startedAt: Date
    /// Who placed it.
    public var origin: CallOrigin
    /// The trunk the dialer used, for pacing per trunk.
    public var trunk: String?
    /// The message prepared for voicemail before the call.
    public var plannedMessage: PlannedMessage?
    /// Asterisk's uniqueid of the channel that reported the call, when a report starts it.
    public var asteriskUniqueID: String?
    /// Asterisk's linkedid of the call, shared by all its channels and written in its CDRs.
    public var asteriskLinkedID: String?
    /// The UUID the call's dialplan gives `AudioSocket()`, set as `TOUCHBASE_AUDIOSOCKET_ID`.
    public var audioSocketID: UUID?

    /// Creates a call start.
    public init(callID: String, contactID: Int64, step: MessageStep, dialNumber: Int, startedAt: Date,
                origin: CallOrigin = .dialer, trunk: String? = nil, plannedMessage: PlannedMessage? = nil,
                asteriskUniqueID: String? = nil, asteriskLinkedID: String? = nil, audioSocketID: UUID? = nil) {
        self.callID = callID
        self.contactID = contactID
        self.step = step
        self.dialNumber = dialNumber
        self.startedAt = startedAt
        self.origin = origin
        self.trunk = trunk
        self.plannedMessage = plannedMessage
        self.asteriskUniqueID = asteriskUniqueID
        self.asteriskLinkedID = asteriskLinkedID
        self.audioSocketID = audioSocketID
    }
}

/// Which channel of a hand-dialled call a report comes from.
public enum CallLeg: Sendable, Hashable {
    /// The agent's channel, which dialled: the hook runs on it, and its CDR is the call's.
    case caller
    /// The callee's channel: the drop route runs on it once the drop key sent it away.
    case callee
}

/// Who placed a call.
public enum CallOrigin: String, Sendable, Hashable, Codable {
    /// TouchBase's dialer originated it.
    case dialer
    /// Someone dialled by hand and the dialplan's hook reported the outcome.
    case hook
    /// An agent dialled by hand and dropped the message with the drop key.
    case drop
    /// The contact called in.
    case inbound
}

/// A second report of a call whose outcome is already recorded; the first report stands.
public struct CallAlreadyFinished: Error, Sendable, CustomStringConvertible {
    /// The call's id.
    public var callID: String
    /// The outcome recorded first.
    public var outcome: DialOutcome?

    /// Creates the error.
    public init(callID: String, outcome: DialOutcome?) {
        self.callID = callID
        self.outcome = outcome
    }

    public var description: String { "call \(callID) already has its outcome (\(outcome?.logValue ?? "none"))" }
}

/// A call's outcome, with the follow-up's new state.
public struct CallFinish: Sendable, Hashable {
    /// TouchBase's id for the call.
    public var callID: String
    /// When the call ended.
    public var endedAt: Date
    /// Asterisk's unique id of the channel; kept when the call has one already.
    public var asteriskUniqueID: String?
    /// Asterisk's linkedid of the call, shared by all its channels.
    public var asteriskLinkedID: String?
    /// The variables as Asterisk set them.
    public var variables: AsteriskCallVariables
    /// The normalized outcome.
    public var outcome: DialOutcome
    /// The message played, if any, and how much of it (0...1).
    public var messagePlayed: MessageStep?
    public var playedShare: Double?
    /// The voice that spoke the message (e.g. `piper:en_US-joe-medium`, `espeak-ng`).
    public var voice: String?
    /// The cadence's decision.
    public var decision: FollowUpDecision

    /// Creates a call finish.
    public init(callID: String, endedAt: Date, asteriskUniqueID: String? = nil, asteriskLinkedID: String? = nil,
                variables: AsteriskCallVariables, outcome: DialOutcome, messagePlayed: MessageStep? = nil,
                playedShare: Double? = nil, voice: String? = nil, decision: FollowUpDecision) {
        self.callID = callID
        self.endedAt = endedAt
        self.asteriskUniqueID = asteriskUniqueID
        self.asteriskLinkedID = asteriskLinkedID
        self.variables = variables
        self.outcome = outcome
        self.messagePlayed = messagePlayed
        self.playedShare = playedShare
        self.voice = voice
        self.decision = decision
    }
}

/// A store failure, naming what and where.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    public init(_ description: String) { self.description = description }
}

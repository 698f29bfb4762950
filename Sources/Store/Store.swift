import Cadence
import Foundation

/// Where TouchBase keeps contacts, their follow-up state, every call and every message.
///
/// ``SQLiteStore`` is the default, one file; the protocol keeps the door open for a shared
/// PostgreSQL database when several nodes dial. Every method that records an outcome commits
/// before it returns, so what a handler has reported to Asterisk is on disk.
public protocol Store: Sendable {
    /// Adds new contacts and updates known ones (matched by phone number), in one transaction.
    func importContacts(_ contacts: [Contact], now: Date, policy: CallingPolicy) async throws -> ImportSummary
    /// All contacts, by id.
    func contacts() async throws -> [Contact]
    /// A contact by id.
    func contact(id: Int64) async throws -> Contact?
    /// A contact by phone number in E.164.
    func contact(phone: String) async throws -> Contact?
    /// A contact's follow-up state.
    func followUp(contactID: Int64) async throws -> FollowUpState?
    /// Puts a contact on the do-not-call list; its follow-up stops.
    func setDoNotCall(contactID: Int64, now: Date) async throws
    /// Active contacts whose next call has started by `now`, earliest first.
    func dueFollowUps(now: Date, limit: Int) async throws -> [(contact: Contact, state: FollowUpState)]
    /// The earliest start of an active follow-up's next call, or `nil` when none is scheduled.
    func earliestNextCall() async throws -> Date?
    /// Records that a call was placed.
    func beginCall(_ call: CallStart) async throws
    /// Records a call's outcome and the follow-up's new state in one transaction.
    func finishCall(_ call: CallFinish) async throws
    /// A call by TouchBase's call id.
    func call(callID: String) async throws -> CallRecord?
    /// Every call, oldest first, optionally for one contact.
    func calls(contactID: Int64?) async throws -> [CallRecord]
    /// Records a rendered message.
    func recordMessage(_ message: MessageRecord) async throws
    /// The messages rendered for a contact, oldest first.
    func messages(contactID: Int64) async throws -> [MessageRecord]
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

    /// Creates a call start.
    public init(callID: String, contactID: Int64, step: MessageStep, dialNumber: Int, startedAt: Date) {
        self.callID = callID
        self.contactID = contactID
        self.step = step
        self.dialNumber = dialNumber
        self.startedAt = startedAt
    }
}

/// A call's outcome, with the follow-up's new state.
public struct CallFinish: Sendable, Hashable {
    /// TouchBase's id for the call.
    public var callID: String
    /// When the call ended.
    public var endedAt: Date
    /// Asterisk's unique id of the channel.
    public var asteriskUniqueID: String?
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
    public init(callID: String, endedAt: Date, asteriskUniqueID: String? = nil, variables: AsteriskCallVariables,
                outcome: DialOutcome, messagePlayed: MessageStep? = nil, playedShare: Double? = nil, voice: String? = nil,
                decision: FollowUpDecision) {
        self.callID = callID
        self.endedAt = endedAt
        self.asteriskUniqueID = asteriskUniqueID
        self.variables = variables
        self.outcome = outcome
        self.messagePlayed = messagePlayed
        self.playedShare = playedShare
        self.voice = voice
        self.decision = decision
    }
}

/// One row of the outcome log.
public struct CallRecord: Sendable, Hashable, Codable {
    public var callID: String
    public var contactID: Int64
    public var contactName: String
    public var step: Int
    public var dialNumber: Int
    public var startedAt: Date
    public var endedAt: Date?
    public var asteriskUniqueID: String?
    /// The raw Asterisk variables, as JSON.
    public var variables: String?
    /// The normalized outcome's name (`voicemail`, `busy`, ...); `nil` while the call is under way.
    public var outcome: String?
    public var messageLeft: Int?
    public var playedShare: Double?
    public var voice: String?
    public var nextCallStart: Date?
    public var nextCallEnd: Date?
    public var promise: String?
    public var note: String?
}

/// A message rendered for a contact.
public struct MessageRecord: Sendable, Hashable, Codable {
    public var contactID: Int64
    public var step: Int
    public var text: String
    public var promise: String?
    public var audioPath: String?
    public var voice: String?
    public var renderedAt: Date

    /// Creates a message record.
    public init(contactID: Int64, step: Int, text: String, promise: String?, audioPath: String?, voice: String?, renderedAt: Date) {
        self.contactID = contactID
        self.step = step
        self.text = text
        self.promise = promise
        self.audioPath = audioPath
        self.voice = voice
        self.renderedAt = renderedAt
    }
}

/// A store failure, naming what and where.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    public init(_ description: String) { self.description = description }
}

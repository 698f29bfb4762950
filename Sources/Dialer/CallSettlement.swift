import Cadence
import Foundation
import Logging
import Speech
import Store

/// The figures a settled call, the dialer and reconciliation count.
///
/// A narrow view of the process's metrics, so `Dialer` counts without knowing how they are
/// exposed.
public protocol CallMetrics: Sendable {
    /// Counts a call's outcome by its name (`voicemail`, `busy`, ...).
    func callFinished(outcome: String)
    /// Counts a message left at voicemail.
    func messageLeft(step: Int)
    /// Counts a call settled by reconciliation (no report from Asterisk in time).
    func reconciled()
    /// Counts a call Asterisk did not take.
    func notPlaced()
    /// Sets the dialer's calls under way.
    func dialerOpenCalls(_ count: Int)
}

/// Settles calls: the cadence decides, the store records the outcome and the decision in one
/// transaction, the outcome is counted, and a next call is handed on to be prepared.
///
/// The one path every outcome takes, whoever learned it: the AGI routes (`answered`, `failed`,
/// `outcome`, `drop`, `inbound`) and the dialer (reconciliation, Asterisk's own reports).
public struct CallSettlement: Sendable {
    /// Where calls and follow-ups are kept.
    public var store: any Store
    /// The cadence's rules.
    public var policy: CallingPolicy
    /// Where outcomes are counted.
    public var metrics: any CallMetrics
    /// Called after each decision that schedules another call, to pre-render its message.
    public var scheduled: @Sendable (Contact, FollowUpState) -> Void

    /// Creates a settlement.
    public init(store: any Store, policy: CallingPolicy, metrics: any CallMetrics,
                scheduled: @escaping @Sendable (Contact, FollowUpState) -> Void = { _, _ in }) {
        self.store = store
        self.policy = policy
        self.metrics = metrics
        self.scheduled = scheduled
    }

    /// The call being settled.
    public enum Call: Sendable {
        /// A call TouchBase placed and recorded as begun.
        case placed(CallRecord)
        /// A call that begins and ends in this report (a hand-dialled call's hook, an agent's
        /// drop, a callback); it is recorded under a new call id.
        case reported(CallOrigin)
    }

    /// What is known about how a call ended.
    public struct Report: Sendable {
        /// The variables as Asterisk set them.
        public var variables: AsteriskCallVariables
        /// The outcome they make.
        public var outcome: DialOutcome
        /// Asterisk's unique id of the channel, when the report came over AGI.
        public var asteriskUniqueID: String?
        /// Asterisk's linkedid of the call, when the report came over AGI.
        public var asteriskLinkedID: String?
        /// The message played at voicemail, if one was.
        public var message: PlannedMessage?
        /// The promise that stands for the next call: the one the played message spoke, when it
        /// was rendered before the call for the scheduled time.
        public var promised: SpokenPromise?

        /// Creates a report.
        public init(variables: AsteriskCallVariables, outcome: DialOutcome, asteriskUniqueID: String? = nil,
                    asteriskLinkedID: String? = nil, message: PlannedMessage? = nil, promised: SpokenPromise? = nil) {
            self.variables = variables
            self.outcome = outcome
            self.asteriskUniqueID = asteriskUniqueID
            self.asteriskLinkedID = asteriskLinkedID
            self.message = message
            self.promised = promised
        }
    }

    /// Settles a call: decides, records, counts and hands on the next call.
    ///
    /// - Parameters:
    ///   - call: the call placed, or the origin of a call reported whole.
    ///   - contact: its contact.
    ///   - state: the contact's follow-up as it stands.
    ///   - report: how the call ended.
    ///   - now: when it ended.
    ///   - logger: where the outcome is logged.
    /// - Returns: the call's id and the cadence's decision.
    /// - Throws: ``CallAlreadyFinished`` when a placed call has its outcome already (the first
    ///   report stands; nothing is counted), or the store's error.
    @discardableResult
    public func settle(_ call: Call, contact: Contact, state: FollowUpState, report: Report, at now: Date,
                       logger: Logger) async throws -> (callID: String, decision: FollowUpDecision) {
        let decision = FollowUp.decide(contact: contact, state: state, outcome: report.outcome, now: now, policy: policy,
                                       promised: report.promised)
        let callID: String
        switch call {
        case .placed(let record):
            callID = record.callID
            try await store.finishCall(finish(callID, step: record.step, report, decision, now))
        case .reported(let origin):
            guard let contactID = contact.id else { throw StoreError("contact \(contact.name) has no id") }
            callID = CallID.make(now: now)
            let start = CallStart(callID: callID, contactID: contactID, step: state.step, dialNumber: state.dialsThisStep + 1,
                                  startedAt: now, origin: origin, plannedMessage: report.message,
                                  asteriskUniqueID: report.asteriskUniqueID, asteriskLinkedID: report.asteriskLinkedID)
            try await store.recordCall(start, finish(callID, step: state.step, report, decision, now))
        }
        metrics.callFinished(outcome: report.outcome.name)
        if let step = decision.messageLeft { metrics.messageLeft(step: step.rawValue) }
        logger.info("Call outcome", metadata: [
            "call": "\(callID)", "contact": "\(contact.id ?? 0)", "outcome": "\(report.outcome.name)",
            "phase": "\(decision.state.phase.name)", "note": "\(decision.note)",
        ])
        if decision.state.phase == .active, decision.state.nextCall != nil { scheduled(contact, decision.state) }
        return (callID, decision)
    }

    private func finish(_ callID: String, step: MessageStep, _ report: Report, _ decision: FollowUpDecision,
                        _ now: Date) -> CallFinish {
        CallFinish(callID: callID, endedAt: now, asteriskUniqueID: report.asteriskUniqueID, asteriskLinkedID: report.asteriskLinkedID,
                   variables: report.variables,
                   outcome: report.outcome, messagePlayed: report.message == nil ? nil : step,
                   playedShare: report.message == nil ? nil : report.outcome.playedShare, voice: report.message?.voice,
                   decision: decision)
    }
}

/// TouchBase's call ids: `tb-` with the time and randomness, safe in a file name, a channel
/// variable and a CDR field.
public enum CallID {
    /// A new call id.
    public static func make(now: Date) -> String {
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        return "tb-\(String(millis, radix: 36))-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }
}

extension PlannedMessage {
    /// The plan a call carries for a message prepared for it: its audio, where other nodes fetch
    /// it, and the promise it speaks.
    public init(_ prepared: PreparedMessage) {
        self.init(audioPath: prepared.audio.path, samples: prepared.audio.samples, voice: prepared.audio.voice,
                  promise: prepared.promise, audioURL: prepared.audioURL)
    }
}

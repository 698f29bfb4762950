import Cadence
import Foundation
import Logging
import ServiceLifecycle
import Speech
import Store

/// The scheduler inside `touchbase serve`: contacts due now, inside their calling hours, get
/// their message rendered and are originated, within the pacing limits; calls that never come
/// back are reconciled.
///
/// A call is recorded as placed before it is handed to Asterisk, and a contact with a call
/// under way is never due, so no contact is dialled twice at once, even across restarts.
public actor OutboundDialer: Service {
    private let settings: DialerSettings
    private let store: any Store
    private let policy: CallingPolicy
    private let messages: MessagePreparation
    private let originator: any CallOriginator
    private let metrics: any CallMetrics
    private let settlement: CallSettlement
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let detector: CallHandlingSettings.Detector
    private var pausedUntil: Date?
    private var lastSpoolWarning: Date?
    /// How long to wait, after Asterisk's own report of a failed originate, for the `failed`
    /// route's report, which carries more.
    var failedReportGrace: Duration = .seconds(5)

    /// Creates the dialer.
    public init(settings: DialerSettings, store: any Store, policy: CallingPolicy, messages: MessagePreparation,
                originator: any CallOriginator, metrics: any CallMetrics, clock: @escaping @Sendable () -> Date = Date.init,
                scheduled: @escaping @Sendable (Contact, FollowUpState) -> Void = { _, _ in }, detector: CallHandlingSettings.Detector = .amd,
                logger: Logger) {
        self.settings = settings
        self.detector = detector
        self.store = store
        self.policy = policy
        self.messages = messages
        self.originator = originator
        self.metrics = metrics
        settlement = CallSettlement(store: store, policy: policy, metrics: metrics, scheduled: scheduled)
        self.clock = clock
        self.logger = logger
    }

    /// What one pass of the dialer did.
    public struct Pass: Sendable, Hashable {
        /// Calls handed to Asterisk.
        public var placed: [String] = []
        /// Calls settled because no report came in time.
        public var reconciled: [String] = []
        /// Contacts due but not called this pass, with why.
        public var skipped: [String] = []
    }

    public func run() async throws {
        logger.info("Dialer running", metadata: [
            "originate": "\(originator.summary)", "max_calls": "\(settings.pacing.maxCalls)",
            "calls_per_minute": "\(settings.pacing.callsPerMinute)",
            "trunks": "\(settings.pacing.trunks.map(\.name).joined(separator: ","))",
        ])
        // Shutdown cancels the wait between passes; a pass in progress finishes first.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await self.pass()
                try await Task.sleep(for: .milliseconds(Int(self.settings.pollSeconds * 1000)))
            }
        }
        await originator.shutdown()
        logger.info("Dialer stopped")
    }

    /// One pass: settle calls that never came back, then place the calls the pacing allows.
    @discardableResult
    public func pass() async -> Pass {
        var result = Pass()
        let now = clock()
        do {
            let open = try await reconcile(now: now, into: &result)
            try await place(now: now, open: open, into: &result)
        } catch {
            logger.error("Dialer pass failed; trying again at the next", metadata: ["error": "\(error)"])
        }
        return result
    }

    /// Settles the dialer's calls past the report timeout; returns the ones still under way.
    private func reconcile(now: Date, into result: inout Pass) async throws -> [CallRecord] {
        var open: [CallRecord] = []
        let outcome = DialOutcome.unknown("no report from Asterisk within \(Int(settings.reportTimeoutSeconds)) s")
        for call in try await store.openCalls() where call.origin == .dialer {
            guard now.timeIntervalSince(call.startedAt) > settings.reportTimeoutSeconds else {
                open.append(call)
                continue
            }
            guard let decision = try await settle(call, variables: AsteriskCallVariables(), outcome: outcome, now: now) else { continue }
            metrics.reconciled()
            logger.warning("Call never came back from Asterisk; logged as unknown and rescheduled",
                           metadata: ["call": "\(call.callID)", "contact": "\(call.contactID)", "note": "\(decision.note)"])
            result.reconciled.append(call.callID)
        }
        metrics.dialerOpenCalls(open.count)
        return open
    }

    /// Records an outcome the dialer learned itself (no AGI report) through the settlement the
    /// routes use; `nil` when the call was settled meanwhile or its contact is gone.
    private func settle(_ call: CallRecord, variables: AsteriskCallVariables, outcome: DialOutcome,
                        now: Date) async throws -> FollowUpDecision? {
        guard let contact = try await store.contact(id: call.contactID),
              let state = try await store.followUp(contactID: call.contactID) else { return nil }
        do {
            return try await settlement.settle(.placed(call), contact: contact, state: state,
                                               report: .init(variables: variables, outcome: outcome), at: now, logger: logger).decision
        } catch is CallAlreadyFinished {
            return nil
        }
    }

    private func place(now: Date, open: [CallRecord], into result: inout Pass) async throws {
        if let pausedUntil, now < pausedUntil { return }
        if case .callFile(let outgoing, _) = settings.method {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: outgoing, isDirectory: &isDirectory), isDirectory.boolValue else {
                if lastSpoolWarning.map({ now.timeIntervalSince($0) > 600 }) ?? true {
                    logger.warning("Asterisk's spool folder does not exist; no calls are placed until it does",
                                   metadata: ["spool": "\(outgoing)"])
                    lastSpoolWarning = now
                }
                return
            }
        }
        let recent = try await store.calls(startedSince: now.addingTimeInterval(-60)).filter { $0.origin == .dialer }
        var load = DialPacing.Load()
        for call in open { load.open[call.trunk ?? "", default: 0] += 1 }
        for call in recent { load.startedLastMinute[call.trunk ?? "", default: 0] += 1 }
        var trunks = settings.pacing.trunksForNextCalls(load)
        guard !trunks.isEmpty else { return }
        let due = try await store.dueFollowUps(now: now, limit: trunks.count * 4 + 16)
            .filter { FollowUp.isDue(contact: $0.contact, state: $0.state, now: now, policy: policy) }
        for (contact, state) in due {
            guard !trunks.isEmpty else { break }
            guard let contactID = contact.id else { continue }
            let trunk = trunks[0]
            let channel: String
            do {
                channel = try trunk.channel(for: contact.phone)
            } catch {
                result.skipped.append("contact \(contactID): \(error)")
                logger.error("Contact's number cannot be dialled", metadata: ["contact": "\(contactID)", "error": "\(error)"])
                continue
            }
            let plan: PlannedMessage
            do {
                let prepared = try await messages.prepare(for: contact, state: state, at: now)
                plan = PlannedMessage(prepared)
                try await store.recordMessage(MessageRecord(contactID: contactID, step: state.step, text: prepared.words.text,
                                                            promise: prepared.promise?.phrase, audioPath: plan.audioPath,
                                                            voice: plan.voice, renderedAt: now))
            } catch {
                result.skipped.append("contact \(contactID): message not ready: \(error)")
                logger.error("Message could not be rendered; the contact waits for the next pass",
                             metadata: ["contact": "\(contactID)", "error": "\(error)"])
                continue
            }
            // Recorded the moment it is handed over (a pass may take seconds to render and place
            // its calls): pacing, the log and the CDR join read this time.
            let handedOver = clock()
            let callID = CallID.make(now: handedOver)
            let audioSocketID = detector == .touchbase ? UUID() : nil
            try await store.beginCall(CallStart(callID: callID, contactID: contactID, step: state.step,
                                                dialNumber: state.dialsThisStep + 1, startedAt: handedOver, origin: .dialer,
                                                trunk: trunk.name, plannedMessage: plan, audioSocketID: audioSocketID))
            let call = OutboundCall(callID: callID, channel: channel, callerIDName: contact.owner.name,
                                    callerIDNumber: settings.callerIDNumber ?? contact.owner.callbackNumber,
                                    ringSeconds: settings.ringSeconds, context: settings.context,
                                    audioSocketID: audioSocketID, detector: detector)
            do {
                try await originator.originate(call) { report in await self.received(report) }
            } catch {
                try await settleNotPlaced(callID: callID, reason: "\(error)")
                result.skipped.append("contact \(contactID): not placed: \(error)")
                return
            }
            trunks.removeFirst()
            result.placed.append(callID)
            logger.info("Call placed", metadata: [
                "call": "\(callID)", "contact": "\(contactID)", "step": "\(state.step.rawValue)", "trunk": "\(trunk.name)",
                "voice": "\(plan.voice)",
            ])
        }
    }

    /// Asterisk's own report of a call that did not reach the dialplan.
    func received(_ report: OriginationReport) async {
        do {
            switch report {
            case .notPlaced(let callID, let reason):
                try await settleNotPlaced(callID: callID, reason: reason)
            case .failed(let callID, let reason):
                try? await Task.sleep(for: failedReportGrace)
                guard let call = try await store.call(callID: callID), call.endedAt == nil else { return }
                let variables = AsteriskCallVariables(reason: reason.map(String.init))
                _ = try await settle(call, variables: variables, outcome: variables.outcome(), now: clock())
            }
        } catch is CallAlreadyFinished {
            return
        } catch {
            logger.error("Originate report not recorded", metadata: ["report": "\(report)", "error": "\(error)"])
        }
    }

    /// A call Asterisk never took: logged, the follow-up left as it was (no dial counted), and
    /// the dialer pauses so a broken spool or AMI login is not hammered.
    private func settleNotPlaced(callID: String, reason: String) async throws {
        guard let call = try await store.call(callID: callID), call.endedAt == nil,
              let state = try await store.followUp(contactID: call.contactID) else { return }
        let now = clock()
        let note = "not placed: \(reason)"
        try await store.finishCall(CallFinish(callID: callID, endedAt: now, variables: AsteriskCallVariables(),
                                              outcome: .unknown(note), decision: FollowUpDecision(state: state, note: note)))
        metrics.notPlaced()
        pausedUntil = now.addingTimeInterval(settings.pauseAfterFailureSeconds)
        logger.error("Asterisk did not take the call; dialer paused", metadata: [
            "call": "\(callID)", "reason": "\(reason)", "seconds": "\(Int(settings.pauseAfterFailureSeconds))",
        ])
    }
}

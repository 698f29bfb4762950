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
/// Due follow-ups are claimed in one atomic step of the store, within the pacing limits counted
/// there across every node; a claim becomes the call's record before the call is handed to
/// Asterisk, and a contact with a call under way is never due, so no contact is dialled twice at
/// once, even across restarts and across nodes.
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
            "trunks": "\(settings.nodeTrunks.map(\.name).joined(separator: ","))", "node": "\(settings.node)",
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
            try await reconcile(now: now, into: &result)
            try await place(now: now, into: &result)
        } catch {
            logger.error("Dialer pass failed; trying again at the next", metadata: ["error": "\(error)"])
        }
        return result
    }

    /// Settles the dialer's calls past the report timeout, whichever node placed them, and
    /// dropped calls whose drop never reported (the hook recorded them, the callee's leg never
    /// reached the `drop` route).
    private func reconcile(now: Date, into result: inout Pass) async throws {
        var open: [CallRecord] = []
        let outcome = DialOutcome.unknown("no report from Asterisk within \(Int(settings.reportTimeoutSeconds)) s")
        for call in try await store.openCalls() where call.origin == .dialer || call.origin == .drop {
            guard now.timeIntervalSince(call.startedAt) > settings.reportTimeoutSeconds else {
                if call.origin == .dialer { open.append(call) }
                continue
            }
            guard let decision = try await settle(call, variables: AsteriskCallVariables(), outcome: outcome, now: now) else { continue }
            metrics.reconciled()
            logger.warning("Call never came back from Asterisk; logged as unknown and rescheduled",
                           metadata: ["call": "\(call.callID)", "contact": "\(call.contactID)", "note": "\(decision.note)"])
            result.reconciled.append(call.callID)
        }
        metrics.dialerOpenCalls(open.count)
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

    private func place(now: Date, into result: inout Pass) async throws {
        if let pausedUntil, now < pausedUntil { return }
        let trunks = reachableTrunks(now: now)
        guard !trunks.isEmpty else { return }
        let pacing = DialPacing(maxCalls: settings.pacing.maxCalls, callsPerMinute: settings.pacing.callsPerMinute, trunks: trunks)
        let policy = self.policy
        let request = ClaimRequest(node: settings.node, now: now, leaseSeconds: settings.claimLeaseSeconds,
                                   candidates: pacing.maxCalls * 4 + 16,
                                   trunks: { inFlight, recent in
                                       pacing.trunksForNextCalls(DialPacing.Load(open: inFlight, startedLastMinute: recent)).map(\.name)
                                   },
                                   isDue: { contact, state in FollowUp.isDue(contact: contact, state: state, now: now, policy: policy) })
        var claims = try await store.claimDueFollowUps(request)[...]
        while let claim = claims.popFirst() {
            guard try await place(claim, now: now, into: &result) else {
                for unused in claims { try await store.releaseClaim(unused) }
                return
            }
        }
    }

    /// This node's trunks (those on the PBXs it places calls on) whose PBX can take calls now: a
    /// spool folder that does not exist (yet) keeps its trunks out, with a warning now and then.
    private func reachableTrunks(now: Date) -> [Trunk] {
        var missing: [String: String] = [:]
        for pbx in settings.nodePBXs {
            guard let outgoing = pbx.spoolFolder else { continue }
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: outgoing, isDirectory: &isDirectory) || !isDirectory.boolValue {
                missing[pbx.name] = outgoing
            }
        }
        if !missing.isEmpty, lastSpoolWarning.map({ now.timeIntervalSince($0) > 600 }) ?? true {
            logger.warning("Asterisk's spool folder does not exist; no calls are placed on its PBX until it does",
                           metadata: ["spool": "\(missing.values.sorted().joined(separator: ", "))",
                                      "pbx": "\(missing.keys.sorted().joined(separator: ", "))"])
            lastSpoolWarning = now
        }
        return settings.nodeTrunks.filter { missing[$0.pbx] == nil }
    }

    /// Places one claimed call; `false` when Asterisk did not take it and the pass must stop.
    private func place(_ claim: FollowUpClaim, now: Date, into result: inout Pass) async throws -> Bool {
        let (contact, state) = (claim.contact, claim.state)
        guard let contactID = contact.id else { return true }
        guard let trunk = settings.nodeTrunks.first(where: { $0.name == claim.trunk }) else {
            try await giveBack(claim, "trunk \(claim.trunk) is not configured on this node", into: &result)
            return true
        }
        let channel: String
        do {
            channel = try trunk.channel(for: contact.phone)
        } catch {
            try await giveBack(claim, "\(error)", into: &result)
            logger.error("Contact's number cannot be dialled", metadata: ["contact": "\(contactID)", "error": "\(error)"])
            return true
        }
        let plan: PlannedMessage
        do {
            let prepared = try await messages.prepare(for: contact, state: state, at: now)
            plan = PlannedMessage(prepared)
            try await store.recordMessage(MessageRecord(contactID: contactID, step: state.step, text: prepared.words.text,
                                                        promise: prepared.promise?.phrase, audioPath: plan.audioPath,
                                                        voice: plan.voice, renderedAt: now))
        } catch {
            try await giveBack(claim, "message not ready: \(error)", into: &result)
            logger.error("Message could not be rendered; the contact waits for the next pass",
                         metadata: ["contact": "\(contactID)", "error": "\(error)"])
            return true
        }
        // Recorded the moment it is handed over (a pass may take seconds to render and place
        // its calls): pacing, the log and the CDR join read this time.
        let handedOver = clock()
        let callID = CallID.make(now: handedOver)
        let audioSocketID = detector == .touchbase ? UUID() : nil
        do {
            try await store.beginClaimedCall(CallStart(callID: callID, contactID: contactID, step: state.step,
                                                       dialNumber: state.dialsThisStep + 1, startedAt: handedOver, origin: .dialer,
                                                       trunk: claim.trunk, plannedMessage: plan, audioSocketID: audioSocketID),
                                             claim: claim)
        } catch let lost as ClaimLost {
            result.skipped.append("contact \(contactID): \(lost)")
            logger.warning("Claim taken over by another node before the call was placed", metadata: ["contact": "\(contactID)"])
            return true
        }
        let call = OutboundCall(callID: callID, channel: channel, callerIDName: contact.owner.name,
                                callerIDNumber: settings.callerIDNumber ?? contact.owner.callbackNumber,
                                ringSeconds: settings.ringSeconds, context: settings.context,
                                audioSocketID: audioSocketID, detector: detector, pbx: trunk.pbx)
        do {
            try await originator.originate(call) { report in await self.received(report) }
        } catch {
            try await settleNotPlaced(callID: callID, reason: "\(error)")
            result.skipped.append("contact \(contactID): not placed: \(error)")
            return false
        }
        result.placed.append(callID)
        logger.info("Call placed", metadata: [
            "call": "\(callID)", "contact": "\(contactID)", "step": "\(state.step.rawValue)", "trunk": "\(claim.trunk)",
            "voice": "\(plan.voice)", "node": "\(settings.node)",
        ])
        return true
    }

    /// Releases a claim the pass could not call, so the contact is due again at once.
    private func giveBack(_ claim: FollowUpClaim, _ reason: String, into result: inout Pass) async throws {
        try await store.releaseClaim(claim)
        result.skipped.append("contact \(claim.contact.id ?? 0): \(reason)")
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

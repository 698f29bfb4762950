import AGI
import Cadence
import Dialer
import Foundation
import Logging
import Speech
import Store
import Telemetry

/// TouchBase's AGI routes: `answered`, `failed`, `outcome`, `drop` and `inbound`.
///
/// Every route finds its call by the `TOUCHBASE_CALL` channel variable TouchBase set when it
/// originated the call, and otherwise by number (a hand-dialled call's two reports, the hook's
/// and the drop's, by the call's linkedid); records the outcome and the cadence's decision in
/// the store (committed before the route goes on), with the channel's uniqueid and the call's
/// linkedid; and sets `CDR(userfield)` to the call id, so Asterisk's CDRs join TouchBase's log.
public struct CallRoutes: Sendable {
    public var store: any Store
    public var policy: CallingPolicy
    public var settings: CallHandlingSettings
    public var messages: MessagePreparation
    public var metrics: TouchBaseMetrics
    /// The clock; tests pass a simulated one.
    public var clock: @Sendable () -> Date
    /// Called after each decision that schedules another call, to pre-render its message.
    public var scheduled: @Sendable (Contact, FollowUpState) -> Void
    /// Whether this node serves its messages to the PBXs over HTTP (`[audio]`), and the folder
    /// it serves: then a message plays by URL, fetched into Asterisk's media cache before the beep.
    public var audio: (serving: MessageAudioServing, soundsFolder: String)

    /// Creates the routes.
    public init(store: any Store, policy: CallingPolicy, settings: CallHandlingSettings = .init(), messages: MessagePreparation,
                metrics: TouchBaseMetrics, clock: @escaping @Sendable () -> Date = Date.init,
                scheduled: @escaping @Sendable (Contact, FollowUpState) -> Void = { _, _ in },
                audio: (serving: MessageAudioServing, soundsFolder: String) = (MessageAudioServing(), "")) {
        self.store = store
        self.policy = policy
        self.settings = settings
        self.messages = messages
        self.metrics = metrics
        self.clock = clock
        self.scheduled = scheduled
        self.audio = audio
    }

    /// How the routes settle a call: the one path the dialer shares.
    var settlement: CallSettlement {
        CallSettlement(store: store, policy: policy, metrics: metrics, scheduled: scheduled)
    }

    /// Adds the routes to a router.
    public func add(to router: inout AGIRouter) {
        router.on("answered") { try await self.answered($0) }
        router.on("failed") { try await self.failed($0) }
        router.on("outcome") { try await self.outcome($0) }
        router.on("drop") { try await self.drop($0) }
        router.on("inbound") { try await self.inbound($0) }
    }

    // MARK: answered

    /// After AMD() on an originated call: voicemail gets the message after the beep, a person is
    /// connected to the owner (or hears the message), and the outcome is recorded. After the
    /// call's AudioSocket (`detector = "touchbase"`), the stored greeting result is recorded
    /// instead and nothing is played again (``answeredAfterGreeting(_:call:ids:amdStatus:)``).
    ///
    /// The dialog: GET VARIABLE AMDSTATUS, AMDCAUSE, TOUCHBASE_CALL; for voicemail EXEC
    /// WaitForSilence and STREAM FILE of the message prepared before the call (by URL when
    /// `[audio]` serves messages, first fetched silently: ``playAfterBeep(_:_:)``); the outcome
    /// is committed; SET VARIABLE CDR(userfield); for a person, EXEC Dial of the owner last.
    func answered(_ session: AGISession) async throws {
        let amdStatus = try await session.getVariable("AMDSTATUS")
        let amdCause = try await session.getVariable("AMDCAUSE")
        let callID = try await session.getVariable("TOUCHBASE_CALL")
        let ids = try await channelIDs(session)
        guard let call = try await placedCall(session, callID: callID, route: "answered") else { return }
        if try await answeredAfterGreeting(session, call: call, ids: ids, amdStatus: amdStatus) { return }
        let variables = AsteriskCallVariables(amdStatus: amdStatus, amdCause: amdCause)
        let detection = variables.machineDetection(notSureIsMachine: settings.notSureIsMachine)

        if detection.verdict == .machine {
            let (plan, planned) = try await message(for: call, at: clock())
            let played = try await playAfterBeep(session, plan)
            let outcome = variables.outcome(playedSamples: played, audioSamples: plan.samples, notSureIsMachine: settings.notSureIsMachine)
            try await finish(session, call: call, ids: ids, .init(variables: variables, outcome: outcome, message: plan,
                                                                  promised: planned ? plan.promise : nil))
            try? await session.setVariable("CDR(userfield)", to: call.record.callID)
            return
        }
        let outcome = variables.outcome(notSureIsMachine: settings.notSureIsMachine)
        try await finish(session, call: call, ids: ids, .init(variables: variables, outcome: outcome))
        try? await session.setVariable("CDR(userfield)", to: call.record.callID)
        guard detection.verdict == .person else { return }
        try await answerPerson(session, call: call)
    }

    /// Connects a person to the owner, or plays them the message, as `human_answer` says.
    func answerPerson(_ session: AGISession, call: PlacedCall) async throws {
        guard !session.isHungUp else { return }
        switch settings.humanAnswer {
        case .connect:
            try await connectToOwner(session, call.contact)
        case .message:
            let (plan, _) = try await message(for: call, at: clock())
            _ = try await session.streamFile(playable(plan))
        }
    }

    // MARK: failed

    /// The `failed` extension of an originated call: REASON says why it was not answered.
    func failed(_ session: AGISession) async throws {
        let reason = try await session.getVariable("REASON")
        let callID = try await session.getVariable("TOUCHBASE_CALL")
        let dialStatus = try await session.getVariable("DIALSTATUS")
        let hangupCause = try await session.getVariable("HANGUPCAUSE")
        let ids = try await channelIDs(session)
        guard let call = try await placedCall(session, callID: callID, route: "failed") else { return }
        let variables = AsteriskCallVariables(dialStatus: dialStatus, reason: reason, hangupCause: hangupCause)
        try await finish(session, call: call, ids: ids, .init(variables: variables, outcome: variables.outcome()))
        try? await session.setVariable("CDR(userfield)", to: call.record.callID)
    }

    // MARK: inbound

    /// An inbound call: a caller who is a contact is marked as responded, the cadence ends, and
    /// `TOUCHBASE_OWNER_DIAL` gets the owner's dial string so the dialplan rings the owner. Any
    /// other caller passes through untouched.
    func inbound(_ session: AGISession) async throws {
        let number = session.arguments.first.flatMap { $0.isEmpty ? nil : $0 } ?? session.environment.callerIDNumber
        guard let number, let e164 = try? PhoneNumber.e164(number, defaultCountryCode: settings.countryCode),
              let contact = try await store.contact(phone: e164) else {
            session.logger.debug("Inbound caller is not a contact")
            return
        }
        guard Self.isSafeDialString(contact.owner.dialString) else {
            session.logger.error("Owner's dial string refused", metadata: ["dial": "\(contact.owner.dialString)"])
            return
        }
        let callID = try await record(session, contact: contact, origin: .inbound, ids: try await channelIDs(session),
                                      .init(variables: AsteriskCallVariables(), outcome: .calledBack))
        try await session.setVariable("TOUCHBASE_OWNER_DIAL", to: contact.owner.dialString)
        try? await session.setVariable("CDR(userfield)", to: callID)
    }

    // MARK: shared steps

    /// A call TouchBase placed, with its contact and follow-up.
    struct PlacedCall {
        var record: CallRecord
        var contact: Contact
        var state: FollowUpState
    }

    func placedCall(_ session: AGISession, callID: String?, route: String) async throws -> PlacedCall? {
        var record: CallRecord?
        if let callID, !callID.isEmpty {
            record = try await store.call(callID: callID)
        } else if let number = session.arguments.first, let e164 = try? PhoneNumber.e164(number, defaultCountryCode: settings.countryCode),
                  let contact = try await store.contact(phone: e164), let id = contact.id {
            record = try await store.openCalls().last { $0.contactID == id }
        }
        guard let record, let contact = try await store.contact(id: record.contactID),
              let state = try await store.followUp(contactID: record.contactID) else {
            session.logger.warning("AGI \(route) for a call TouchBase does not know", metadata: ["call": "\(callID ?? "none")"])
            try? await session.verbose("TouchBase: no call \(Self.printable(callID ?? "(TOUCHBASE_CALL unset)")); nothing recorded")
            return nil
        }
        return PlacedCall(record: record, contact: contact, state: state)
    }

    func contact(_ session: AGISession, number: String?, route: String) async throws -> Contact? {
        guard let raw = number?.split(separator: "@").first.map(String.init), !raw.isEmpty else {
            try? await session.verbose("TouchBase \(route): no number given; nothing recorded")
            return nil
        }
        guard let e164 = try? PhoneNumber.e164(raw, defaultCountryCode: settings.countryCode),
              let contact = try await store.contact(phone: e164) else {
            session.logger.info("Number is not a contact", metadata: ["route": "\(route)", "number": "\(raw)"])
            try? await session.verbose("TouchBase \(route): \(Self.printable(raw)) is not a contact; nothing recorded")
            return nil
        }
        return contact
    }

    /// The message prepared for the call before it was placed, or one prepared now; the flag
    /// says whether it was prepared before (its promise then stands).
    func message(for call: PlacedCall, at now: Date) async throws -> (PlannedMessage, Bool) {
        if let plan = call.record.plannedMessage, MessageAudio.isPlayable(atPath: plan.audioPath) {
            return (plan, true)
        }
        var state = call.state
        state.step = call.record.step
        return (PlannedMessage(try await messages.prepare(for: call.contact, state: state, at: now)), false)
    }

    /// What STREAM FILE plays for a message: its URL on this node's audio server when `[audio]`
    /// serves messages (any PBX can fetch it), else its path in the sounds folder.
    func playable(_ plan: PlannedMessage) -> String {
        audio.serving.url(forAudioPath: plan.audioPath, soundsFolder: audio.soundsFolder) ?? plan.audioPath
    }

    /// Waits out the greeting and the beep, then plays the message; returns how much played.
    ///
    /// A message played by URL is first fetched into Asterisk's media cache while the greeting
    /// still plays: STREAM FILE from its last sample downloads the file and plays nothing, so
    /// the STREAM FILE after the beep starts at once from the cache instead of downloading then.
    func playAfterBeep(_ session: AGISession, _ plan: PlannedMessage) async throws -> Int {
        guard !session.isHungUp else { return 0 }
        var file = playable(plan)
        if file != plan.audioPath, try await session.streamFile(file, offset: plan.samples).failed, !session.isHungUp {
            // The PBX cannot reach this node's audio server: its own sounds folder is the last chance.
            session.logger.warning("Asterisk could not fetch the message's audio; playing its path", metadata: ["url": "\(file)"])
            file = plan.audioPath
        }
        guard !session.isHungUp else { return 0 }
        try await session.exec("WaitForSilence", [String(settings.silenceMilliseconds), String(settings.silenceIterations),
                                                  String(settings.silenceTimeoutSeconds)])
        guard !session.isHungUp else { return 0 }
        do {
            return try await session.streamFile(file).endpos
        } catch AGIError.deadChannel {
            // The callee hung up during WaitForSilence; Asterisk's HANGUP came after its answer.
            return 0
        }
    }

    func connectToOwner(_ session: AGISession, _ contact: Contact) async throws {
        guard Self.isSafeDialString(contact.owner.dialString) else {
            session.logger.error("Owner's dial string refused", metadata: ["dial": "\(contact.owner.dialString)"])
            try? await session.verbose("TouchBase: the owner's dial string is not usable; not connected")
            return
        }
        // The owner's phone shows who is on the line, not the owner's own number.
        try? await session.setVariable("CALLERID(num)", to: contact.phone)
        try? await session.setVariable("CALLERID(name)", to: Self.printable(contact.name))
        // `r`: the person hears ringing, not silence, while the owner's phone rings.
        try await session.exec("Dial", [contact.owner.dialString, String(settings.ownerRingSeconds), "r"])
    }

    /// Settles a placed call with what the route learned; a late report is logged and dropped.
    func finish(_ session: AGISession, call: PlacedCall, ids: ChannelIDs, _ report: CallSettlement.Report) async throws {
        var report = report
        (report.asteriskUniqueID, report.asteriskLinkedID) = (ids.uniqueID, ids.linkedID)
        do {
            try await settlement.settle(.placed(call.record), contact: call.contact, state: call.state, report: report,
                                        at: clock(), logger: session.logger)
        } catch let already as CallAlreadyFinished {
            session.logger.warning("Late report for a call already settled; the first report stands",
                                   metadata: ["call": "\(already.callID)", "outcome": "\(report.outcome.name)"])
            try? await session.verbose("TouchBase: call \(already.callID) was already settled as \(already.outcome?.logValue ?? "unknown")")
        }
    }

    /// Records a call that starts and ends in this report; returns its id.
    func record(_ session: AGISession, contact: Contact, origin: CallOrigin, ids: ChannelIDs,
                _ report: CallSettlement.Report) async throws -> String {
        guard let id = contact.id else { throw StoreError("contact \(contact.name) has no id") }
        let state = try await store.followUp(contactID: id) ?? FollowUpState()
        var report = report
        (report.asteriskUniqueID, report.asteriskLinkedID) = (ids.uniqueID, ids.linkedID)
        return try await settlement.settle(.reported(origin), contact: contact, state: state, report: report, at: clock(),
                                           logger: session.logger).callID
    }

    /// Whether a dial string can go into `Dial()` whole: `Tech/resource`, and nothing that
    /// would split the application's arguments or a line.
    static func isSafeDialString(_ dial: String) -> Bool {
        DialString.problemForDial(dial) == nil
    }

    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(80))
    }
}

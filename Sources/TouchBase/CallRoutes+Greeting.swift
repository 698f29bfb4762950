import AGI
import Cadence
import Dialer
import Store

extension CallRoutes {
    /// The `answered` route's part for TouchBase's own detector: records what the call's
    /// AudioSocket learnt, and never plays the message again.
    ///
    /// A machine's message is recorded by the share played there (whole: message left; less: cut
    /// short, tried again); a person is connected to the owner (or hears the message) as with AMD;
    /// a number not in service ends the follow-up. A call the AudioSocket side already settled
    /// (the connection failed and the dialplan went on through `TryExec` to AMD) is left as it is.
    /// With no result and no AMDSTATUS either (the dialplan ran neither), the failure is logged and
    /// the call recorded as an unknown outcome, so the step is tried again.
    ///
    /// - Returns: whether the call was dealt with here; `false` sends it down the AMD path (no
    ///   greeting result, and AMD ran: the dialplan's fallback when AudioSocket could not connect).
    func answeredAfterGreeting(_ session: AGISession, call: PlacedCall, ids: ChannelIDs, amdStatus: String?) async throws -> Bool {
        if let outcome = call.record.outcome, call.record.greeting != nil {
            session.logger.info("Call already settled on its AudioSocket; nothing more to record",
                                metadata: ["call": "\(call.record.callID)", "outcome": "\(outcome.logValue)"])
            return true
        }
        guard let greeting = try await finishedGreeting(call.record) else {
            guard settings.detector == .touchbase else { return false }
            guard (amdStatus ?? "").isEmpty else {
                session.logger.warning("AudioSocket never reached TouchBase, so AMD judged the greeting: check TOUCHBASE_AUDIOSOCKET in the dialplan's [globals] against [audiosocket]",
                                       metadata: ["call": "\(call.record.callID)", "amd": "\(amdStatus ?? "")"])
                return false
            }
            session.logger.error("No greeting result and no AMD: the dialplan ran neither AudioSocket nor AMD; tried again later",
                                 metadata: ["call": "\(call.record.callID)"])
            try await finish(session, call: call, ids: ids, .init(variables: AsteriskCallVariables(),
                                                        outcome: .unknown("no greeting result from AudioSocket and no AMDSTATUS")))
            try? await session.setVariable("CDR(userfield)", to: call.record.callID)
            return true
        }
        let outcome = greeting.dialOutcome
        let plan = outcome.reachedVoicemail ? call.record.plannedMessage : nil
        try await finish(session, call: call, ids: ids, .init(variables: AsteriskCallVariables(), outcome: outcome, message: plan,
                                                    promised: plan?.promise))
        try? await session.setVariable("CDR(userfield)", to: call.record.callID)
        if greeting.verdict == .person { try await answerPerson(session, call: call) }
        return true
    }

    /// The call's greeting result once its AudioSocket has ended: the handler writes a machine's
    /// playback's end just after its hangup frame, so the route waits up to 2 s for it; after that
    /// (TouchBase restarted mid-message) the last result written stands.
    private func finishedGreeting(_ record: CallRecord) async throws -> GreetingResult? {
        var greeting = record.greeting
        for _ in 0..<20 {
            guard let current = greeting, current.ending == nil else { break }
            try await Task.sleep(for: .milliseconds(100))
            greeting = try await store.call(callID: record.callID)?.greeting ?? current
        }
        return greeting
    }
}

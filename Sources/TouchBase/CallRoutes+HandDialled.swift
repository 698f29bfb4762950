import AGI
import Cadence
import Dialer
import Foundation
import Speech
import Store

/// The routes of calls an agent dials by hand: the hook that reports how the agent's `Dial()`
/// ended, and the drop that leaves the message on the callee's leg the agent sent away.
///
/// A dropped call reaches TouchBase twice: the drop key's routine marks the agent's channel
/// (`TOUCHBASE_DROPPED`) and sends the callee's leg to `touchbase-drop`, whose `drop` route
/// plays the message; the agent's `Dial()` then returns ANSWER and the hook reports from the
/// agent's channel. Both channels share Asterisk's linkedid, which joins the two reports into
/// one call record whichever comes first; only the drop's report decides the follow-up, so a
/// dropped call is never "a person answered".
extension CallRoutes {
    // MARK: outcome

    /// The hook after a call dialled by hand: `touchbase-hook` as the agent channel's hangup
    /// handler. DIALSTATUS says what happened; the contact is found by the number. A call the
    /// agent dropped is left to the drop's report and joined to it.
    func outcome(_ session: AGISession) async throws {
        let variables = AsteriskCallVariables(dialStatus: try await session.getVariable("DIALSTATUS"),
                                              hangupCause: try await session.getVariable("HANGUPCAUSE"))
        let callID = try await session.getVariable("TOUCHBASE_CALL")
        let dropped = try await session.getVariable("TOUCHBASE_DROPPED")
        let ids = try await channelIDs(session)
        if let callID, !callID.isEmpty, let call = try await placedCall(session, callID: callID, route: "outcome") {
            try await finish(session, call: call, ids: ids, .init(variables: variables, outcome: variables.outcome()))
            try? await session.setVariable("CDR(userfield)", to: call.record.callID)
            return
        }
        let joined = try await linkedCall(ids)
        if dropped == "1" || joined?.origin == .drop {
            guard let contact = try await dropContact(session, joined: joined, route: "outcome") else { return }
            let record = try await join(contact: contact, ids: ids, leg: .caller)
            session.logger.info("Hand-dialled call dropped to voicemail; the drop's report settles it",
                                metadata: ["call": "\(record.callID)", "contact": "\(record.contactID)"])
            try? await session.setVariable("CDR(userfield)", to: record.callID)
            return
        }
        guard let contact = try await contact(session, number: session.arguments.first, route: "outcome") else { return }
        let id = try await record(session, contact: contact, origin: .hook, ids: ids, .init(variables: variables, outcome: variables.outcome()))
        try? await session.setVariable("CDR(userfield)", to: id)
    }

    // MARK: drop

    /// An agent pressed the drop key on a call dialled by hand: the callee's leg is here, at
    /// their voicemail. The message for the contact's current step plays after the beep, and is
    /// recorded as a dialled message is: its words in the contact's timeline, the share played,
    /// the voice and the promise on the call, the next call at the time it promised.
    func drop(_ session: AGISession) async throws {
        let ids = try await channelIDs(session)
        let joined = try await linkedCall(ids)
        guard let contact = try await dropContact(session, joined: joined, route: "drop"), let id = contact.id,
              let state = try await store.followUp(contactID: id) else { return }
        let record = try await join(contact: contact, ids: ids, leg: .callee)
        if let settled = record.outcome?.logValue {
            session.logger.warning("""
                The hook settled this call before the drop: is touchbase_drop in features.conf the Gosub of \
                features_touchbase.conf?
                """, metadata: ["call": "\(record.callID)", "outcome": "\(settled)"])
        }
        var plan: PlannedMessage?
        var played = 0
        if state.phase == .active {
            let now = clock()
            let prepared = try await messages.prepare(for: contact, state: state, at: now)
            try await store.recordMessage(MessageRecord(contactID: id, step: state.step, text: prepared.words.text,
                                                        promise: prepared.promise?.phrase, audioPath: prepared.audio.path,
                                                        voice: prepared.audio.voice, renderedAt: now))
            let planned = PlannedMessage(prepared)
            plan = planned
            played = try await playAfterBeep(session, planned)
        } else {
            try? await session.verbose("TouchBase: the follow-up with this contact has ended; no message dropped")
        }
        // The agent heard the greeting: it is voicemail, and a message counts only if it played.
        let variables = AsteriskCallVariables(amdStatus: "MACHINE", amdCause: "AGENT-DROP")
        let outcome = variables.outcome(playedSamples: played, audioSamples: plan?.samples)
        try await finish(session, call: PlacedCall(record: record, contact: contact, state: state), ids: ids,
                         .init(variables: variables, outcome: outcome, message: plan, promised: plan?.promise))
        try? await session.setVariable("CDR(userfield)", to: record.callID)
    }

    // MARK: joining the two reports

    /// The hand-dialled call (hook or drop) already recorded under the channel's linkedid, if any.
    private func linkedCall(_ ids: ChannelIDs) async throws -> CallRecord? {
        guard let linkedID = ids.linkedID, let call = try await store.call(linkedID: linkedID),
              call.origin == .hook || call.origin == .drop else { return nil }
        return call
    }

    /// The contact of a dropped call: the one of the call its other leg recorded, else the one
    /// whose number the dialplan passed.
    private func dropContact(_ session: AGISession, joined: CallRecord?, route: String) async throws -> Contact? {
        if let joined, let contact = try await store.contact(id: joined.contactID) { return contact }
        return try await contact(session, number: session.arguments.first, route: route)
    }

    /// Records this leg's report of a dropped call, or joins the call its other leg recorded.
    private func join(contact: Contact, ids: ChannelIDs, leg: CallLeg) async throws -> CallRecord {
        guard let id = contact.id else { throw StoreError("contact \(contact.name) has no id") }
        let state = try await store.followUp(contactID: id) ?? FollowUpState()
        let now = clock()
        return try await store.joinCall(CallStart(callID: CallID.make(now: now), contactID: id, step: state.step,
                                                  dialNumber: state.dialsThisStep + 1, startedAt: now, origin: .drop,
                                                  asteriskUniqueID: ids.uniqueID, asteriskLinkedID: ids.linkedID), leg: leg)
    }
}

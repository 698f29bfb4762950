import Foundation

extension FollowUp {
    /// An active follow-up paused until a day: its next call moves to the first calling window
    /// on or after the start of `until` in the contact's zone. A call a message already promised
    /// and still ahead is kept, so the promise is not broken.
    ///
    /// - Returns: the new state, or `nil` when the follow-up is not active or the zone unknown.
    public static func paused(_ state: FollowUpState, contact: Contact, until: Date, now: Date, policy: CallingPolicy) -> FollowUpState? {
        guard state.phase == .active, let zone = ZonedCalendar.cached(contact.timeZone) else { return nil }
        if state.promise != nil, let next = state.nextCall, next.end > now { return state }
        var paused = state
        paused.nextCall = policy.nextWindow(from: max(zone.startOfDay(until), now), in: zone, bands: policy.bands)
        return paused
    }

    /// An active follow-up called as soon as the dialer next looks: its next call starts now,
    /// when now is inside the contact's calling hours.
    ///
    /// - Returns: the new state, or `nil` outside calling hours or when the follow-up is not active.
    public static func callingNow(_ state: FollowUpState, contact: Contact, now: Date, policy: CallingPolicy) -> FollowUpState? {
        guard state.phase == .active, !contact.doNotCall, let zone = ZonedCalendar.cached(contact.timeZone),
              isInsideCallingHours(now, zone: zone, policy: policy),
              let window = policy.nextWindow(from: now, in: zone, bands: policy.bands), window.start == now else { return nil }
        var called = state
        called.nextCall = window
        return called
    }
}

import Foundation

/// Where one contact's follow-up stands.
public struct FollowUpState: Sendable, Hashable, Codable {
    /// Whether the follow-up goes on, and if not, why.
    public enum Phase: Sendable, Hashable, Codable {
        /// Calls go on.
        case active
        /// A person answered: the follow-up reached them.
        case reached
        /// The contact called back.
        case responded
        /// Three messages were left, or the steps ran out of dials: no more calls; get back in
        /// touch on the date given.
        case parked(until: Date, note: String)
        /// The follow-up ended for good (the number does not exist, do not call).
        case stopped(reason: String)

        /// A short name: `active`, `reached`, `responded`, `parked`, `stopped`.
        public var name: String {
            switch self {
            case .active: return "active"
            case .reached: return "reached"
            case .responded: return "responded"
            case .parked: return "parked"
            case .stopped: return "stopped"
            }
        }
    }

    /// Whether the follow-up goes on.
    public var phase: Phase
    /// The message the next voicemail gets.
    public var step: MessageStep
    /// Calls made for the current step.
    public var dialsThisStep: Int
    /// Messages left so far (never above 3).
    public var messagesLeft: Int
    /// The bands of the day the messages were left in, in order.
    public var messageBands: [String]
    /// The bands already tried for the current step.
    public var bandsTriedThisStep: [String]
    /// When the next call is to be made; `nil` when no call follows.
    public var nextCall: CallingWindow?
    /// What the last message promised about the next call, if it promised anything.
    public var promise: SpokenPromise?

    /// Creates a state.
    public init(phase: Phase = .active, step: MessageStep = .first, dialsThisStep: Int = 0, messagesLeft: Int = 0,
                messageBands: [String] = [], bandsTriedThisStep: [String] = [], nextCall: CallingWindow? = nil,
                promise: SpokenPromise? = nil) {
        self.phase = phase
        self.step = step
        self.dialsThisStep = dialsThisStep
        self.messagesLeft = messagesLeft
        self.messageBands = messageBands
        self.bandsTriedThisStep = bandsTriedThisStep
        self.nextCall = nextCall
        self.promise = promise
    }
}

/// What the cadence decided after a call.
public struct FollowUpDecision: Sendable, Hashable {
    /// The contact's state after the call.
    public var state: FollowUpState
    /// The message that counts as left on this call, if one does.
    public var messageLeft: MessageStep?
    /// Why, in words for the call log.
    public var note: String

    /// Creates a decision.
    public init(state: FollowUpState, messageLeft: MessageStep? = nil, note: String) {
        self.state = state
        self.messageLeft = messageLeft
        self.note = note
    }
}

/// The follow-up cadence: pure functions of (contact, state, outcome, now, policy).
///
/// The rules (DESIGN.md):
/// - voicemail on step N: message N is left; after message 1 the next call is the next business
///   day around noon ("tomorrow around noon"), after message 2 a day or two (or next week) later
///   in a part of the day no message has used yet, after message 3 the contact is parked for
///   ``CallingPolicy/revisitDays`` with a note;
/// - no voicemail (no answer, busy, congestion, unavailable, a message cut short that does not
///   count): no message; the next call is at least ``CallingPolicy/retryGapMinutes`` later in
///   another part of the day; after ``CallingPolicy/dialsPerStep`` calls on one step the contact
///   is parked with a note;
/// - a person answers, or the contact calls back: the follow-up ends (reached, responded);
/// - the number does not exist, the callee refuses calls, or the contact is on the do-not-call
///   list: the follow-up stops with the reason.
public enum FollowUp {
    /// The state of a new follow-up: message 1 next, first call in the earliest calling window.
    public static func start(contact: Contact, now: Date, policy: CallingPolicy) -> FollowUpState {
        guard let zone = ZonedCalendar.cached(contact.timeZone) else {
            return FollowUpState(phase: .stopped(reason: "unknown time zone \(contact.timeZone)"))
        }
        if contact.doNotCall { return FollowUpState(phase: .stopped(reason: "on the do-not-call list")) }
        return FollowUpState(nextCall: policy.nextWindow(from: now, in: zone, bands: policy.bands))
    }

    /// Whether a contact is to be called now: active, past the start of its next call, and inside
    /// its calling hours.
    public static func isDue(contact: Contact, state: FollowUpState, now: Date, policy: CallingPolicy) -> Bool {
        guard !contact.doNotCall, state.phase == .active, let next = state.nextCall, now >= next.start,
              let zone = ZonedCalendar.cached(contact.timeZone) else { return false }
        return isInsideCallingHours(now, zone: zone, policy: policy)
    }

    /// Whether a moment is inside the calling hours of a business day in a zone.
    public static func isInsideCallingHours(_ date: Date, zone: ZonedCalendar, policy: CallingPolicy) -> Bool {
        guard policy.isBusinessDay(date, in: zone), let hours = policy.hours(onWeekday: zone.weekday(date)) else { return false }
        let time = zone.clockTime(date)
        return time >= hours.lowerBound && time < hours.upperBound
    }

    /// The promise message `step` makes when left at `now`: the window the next call will be made
    /// in, and its words. `nil` for message 3, which promises no call.
    ///
    /// ``decide(contact:state:outcome:now:policy:)`` schedules exactly this window when the
    /// message is left at the same moment, so a message rendered with this promise keeps it.
    public static func promise(forLeaving step: MessageStep, contact: Contact, state: FollowUpState, now: Date,
                               policy: CallingPolicy) -> SpokenPromise? {
        guard let zone = ZonedCalendar.cached(contact.timeZone) else { return nil }
        let here = policy.band(at: zone.clockTime(now)).name
        switch step {
        case .first:
            let day = policy.businessDay(after: now, count: 1, in: zone)
            guard let hours = policy.hours(onWeekday: zone.weekday(day)) else { return nil }
            let tolerance = max(5, policy.promiseToleranceMinutes)
            let start = max(ClockTime(0, policy.firstPromiseTime.minutes - tolerance), hours.lowerBound)
            let end = min(ClockTime(0, policy.firstPromiseTime.minutes + tolerance), hours.upperBound)
            guard start < end else { return nil }
            let window = CallingWindow(start: zone.date(onDayOf: day, at: start), end: zone.date(onDayOf: day, at: end))
            return SpokenPromise(window: window, heardAt: now, zone: zone, policy: policy)
        case .second:
            let used = Set(state.messageBands + [here])
            let fresh = policy.bands.filter { !used.contains($0.name) }
            let candidates = fresh.isEmpty ? policy.bands.filter { $0.name != here } : fresh
            var day: Date
            let precision: SpokenPromise.Precision
            switch policy.secondMessageGap {
            case .dayOrTwo:
                day = policy.businessDay(after: now, count: 2, in: zone)
                precision = .dayOrTwo
            case .nextWeek:
                let weekday = zone.weekday(now)
                let toMonday = (9 - weekday) % 7 == 0 ? 7 : (9 - weekday) % 7
                day = policy.businessDay(onOrAfter: zone.adding(days: toMonday + 1, to: now), in: zone)
                precision = .nextWeek
            }
            for _ in 0..<14 {
                for band in candidates {
                    if let window = policy.window(for: band, onDayOf: day, in: zone) {
                        return SpokenPromise(window: window, heardAt: now, zone: zone, policy: policy, precision: precision)
                    }
                }
                day = policy.businessDay(after: day, count: 1, in: zone)
            }
            return nil
        case .last:
            return nil
        }
    }

    /// Decides what follows a call.
    ///
    /// - Parameters:
    ///   - contact: the contact called (or who called back).
    ///   - state: the follow-up's state before the call.
    ///   - outcome: what happened.
    ///   - now: when the call ended (the message's promise is computed from it).
    ///   - policy: the cadence's rules.
    ///   - promised: the promise the message that played actually spoke, when it was rendered
    ///     before the call; the next call is scheduled in its window, so the words heard and the
    ///     schedule cannot disagree even if the call ended in another part of the day.
    public static func decide(contact: Contact, state: FollowUpState, outcome: DialOutcome, now: Date,
                              policy: CallingPolicy, promised: SpokenPromise? = nil) -> FollowUpDecision {
        var next = state
        guard let zone = ZonedCalendar.cached(contact.timeZone) else {
            next.phase = .stopped(reason: "unknown time zone \(contact.timeZone)")
            next.nextCall = nil
            return FollowUpDecision(state: next, messageLeft: nil, note: "stopped: unknown time zone \(contact.timeZone)")
        }
        func end(_ phase: FollowUpState.Phase, _ note: String) -> FollowUpDecision {
            next.phase = phase
            next.nextCall = nil
            return FollowUpDecision(state: next, messageLeft: nil, note: note)
        }
        if case .calledBack = outcome { return end(.responded, "the contact called back: follow-up ends") }
        guard state.phase == .active else {
            return FollowUpDecision(state: state, messageLeft: nil, note: "follow-up is \(state.phase.name): call logged only")
        }
        if contact.doNotCall { return end(.stopped(reason: "on the do-not-call list"), "stopped: do not call") }

        let here = policy.band(at: zone.clockTime(now)).name
        next.dialsThisStep += 1
        switch outcome {
        case .human:
            return end(.reached, "a person answered: reached, follow-up ends")
        case .invalidNumber:
            return end(.stopped(reason: "the number does not exist"), "stopped: the number does not exist")
        case .refused:
            return end(.stopped(reason: "the callee refuses calls"), "stopped: the callee's privacy manager refused the call")
        case .calledBack:
            return end(.responded, "the contact called back")
        case .voicemail(let share) where share >= policy.completeShare || policy.cutShortMessagesCount:
            let step = state.step
            next.messagesLeft += 1
            next.messageBands.append(here)
            next.bandsTriedThisStep = []
            next.dialsThisStep = 0
            let cut = share < policy.completeShare ? " (cut short at \(Int((share * 100).rounded()))%, counted by policy)" : ""
            guard let following = step.next else {
                let until = zone.adding(days: policy.revisitDays, to: zone.startOfDay(now))
                next.promise = nil
                return FollowUpDecision(
                    state: { var s = next; s.phase = .parked(until: until, note: "three messages left without a reply; get back in touch on \(zone.dayKey(until))"); s.nextCall = nil; return s }(),
                    messageLeft: step, note: "message 3 left\(cut): parked in the pipeline until \(zone.dayKey(until))")
            }
            let promise = promised ?? promise(forLeaving: step, contact: contact, state: state, now: now, policy: policy)
            next.step = following
            next.promise = promise
            next.nextCall = promise?.window
            if promise == nil {
                return end(.parked(until: zone.adding(days: policy.revisitDays, to: now), note: "no calling window for the next message"),
                           "message \(step.rawValue) left\(cut), but no calling window follows: parked")
            }
            return FollowUpDecision(state: next, messageLeft: step,
                                    note: "message \(step.rawValue) left\(cut); next call \(promise!.phrase)")
        default:
            break
        }

        // No message counted: a dial, not a message. Try again in another part of the day.
        let why: String
        switch outcome {
        case .voicemail(let share): why = "message cut short at \(Int((share * 100).rounded()))%, not counted"
        case .unknown(let raw): why = "unknown outcome \(raw)"
        default: why = outcome.name
        }
        if next.dialsThisStep >= policy.dialsPerStep {
            let until = zone.adding(days: policy.revisitDays, to: zone.startOfDay(now))
            return end(.parked(until: until, note: "no voicemail reached for message \(state.step.rawValue) after \(next.dialsThisStep) calls"),
                       "\(why): \(next.dialsThisStep) calls for message \(state.step.rawValue), parked until \(zone.dayKey(until))")
        }
        if !next.bandsTriedThisStep.contains(here) { next.bandsTriedThisStep.append(here) }
        // A call before the time the last message promised (dialled by hand, say) does not move
        // the promised call: the contact was told when we would call.
        if let promised = state.promise, let window = state.nextCall, promised.window == window, window.start > now {
            return FollowUpDecision(state: next, messageLeft: nil, note: "\(why): the promised call stays \(promised.phrase)")
        }
        // Message 3 must come at a part of the day no earlier message used, so its retries stay
        // in those parts; other steps may use any.
        let unusedByMessages = policy.bands.filter { !state.messageBands.contains($0.name) }
        let allowed = state.step == .last && !unusedByMessages.isEmpty ? unusedByMessages : policy.bands
        var untried = allowed.filter { !next.bandsTriedThisStep.contains($0.name) }
        if untried.isEmpty {
            next.bandsTriedThisStep = [here]
            untried = allowed.filter { $0.name != here }
            if untried.isEmpty { untried = allowed }
        }
        let earliest = now.addingTimeInterval(Double(policy.retryGapMinutes) * 60)
        next.nextCall = policy.nextWindow(from: earliest, in: zone, bands: untried)
        guard let window = next.nextCall else {
            return end(.parked(until: zone.adding(days: policy.revisitDays, to: now), note: "no calling window left"), "\(why): no calling window left")
        }
        return FollowUpDecision(state: next, messageLeft: nil,
                                note: "\(why): try again \(SpokenPromise(window: window, heardAt: now, zone: zone, policy: policy).phrase)")
    }
}

/// What app_amd's `AMD()` concluded about an answered call, read from `AMDSTATUS` and `AMDCAUSE`.
///
/// The one place TouchBase interprets answering-machine detection: the `answered` route asks it
/// whether to wait for the beep or to connect a person, and ``AsteriskCallVariables`` asks it for
/// the outcome.
public struct MachineDetection: Sendable, Hashable {
    /// Who AMD says answered.
    public enum Verdict: Sendable, Hashable {
        /// A machine (`MACHINE`, or `NOTSURE` when that counts as a machine): wait for the beep.
        case machine
        /// A person (`HUMAN`, or `NOTSURE` when that counts as a person).
        case person
        /// The callee hung up during detection (`HANGUP`).
        case hungUp
        /// A status TouchBase does not know, as Asterisk sent it.
        case unrecognized(String)
    }

    /// The verdict; `nil` when AMD did not run (no `AMDSTATUS`).
    public var verdict: Verdict?
    /// `AMDCAUSE`'s cause, e.g. `MAXWORDS`, `LONGGREETING`, `INITIALSILENCE`.
    public var cause: String?
    /// `AMDCAUSE`'s figures after the cause, e.g. `[3, 2]` for `MAXWORDS-3-2`.
    public var figures: [Int]

    /// Reads AMD's variables.
    ///
    /// - Parameters:
    ///   - status: `AMDSTATUS`: MACHINE, HUMAN, NOTSURE, HANGUP; `nil` or empty when AMD did not run.
    ///   - cause: `AMDCAUSE`: the cause and figures joined by `-`.
    ///   - notSureIsMachine: whether `NOTSURE` counts as a machine (a setting).
    public init(status: String?, cause: String?, notSureIsMachine: Bool) {
        switch status?.uppercased() {
        case "MACHINE": verdict = .machine
        case "NOTSURE": verdict = notSureIsMachine ? .machine : .person
        case "HUMAN": verdict = .person
        case "HANGUP": verdict = .hungUp
        case nil, "": verdict = nil
        case let other?: verdict = .unrecognized(other)
        }
        let parts = (cause ?? "").split(separator: "-", omittingEmptySubsequences: false)
        self.cause = parts.first.flatMap { $0.isEmpty ? nil : String($0) }
        figures = parts.dropFirst().compactMap { Int($0) }
    }

    /// The outcome the verdict alone decides, with the message's played share for a machine;
    /// `nil` when AMD did not run.
    public func outcome(playedShare: Double) -> DialOutcome? {
        switch verdict {
        case .machine: return .voicemail(playedShare: playedShare)
        case .person: return .human
        case .hungUp: return .noAnswer
        case .unrecognized(let status): return .unknown("AMDSTATUS=\(status)")
        case nil: return nil
        }
    }
}

extension AsteriskCallVariables {
    /// What answering-machine detection concluded, from ``amdStatus`` and ``amdCause``.
    public func machineDetection(notSureIsMachine: Bool = true) -> MachineDetection {
        MachineDetection(status: amdStatus, cause: amdCause, notSureIsMachine: notSureIsMachine)
    }
}

import AudioSocket
import Cadence
import Dialer
import Foundation
import Greeting
import Logging
import Speech
import Store
import Synchronization
import VoicemailDrop

/// The AudioSocket side of a call TouchBase originated with `[calls] detector = "touchbase"`:
/// judges the greeting, leaves the message right after a machine's, and records both.
///
/// The call is found by the UUID the dialplan gave `AudioSocket()` (`TOUCHBASE_AUDIOSOCKET_ID`).
/// The decision is written to the store the moment it is made, and the playback's end (samples
/// played of the total, how the connection ended) before the handler returns, so the `answered`
/// route and any other node read them. When the dialplan does not go on to the `answered` route
/// (the callee hung up, the connection dropped, the peer sent garbage), the handler settles the
/// call itself through the shared ``CallSettlement``: a machine's message cut short is a dial to
/// try again, never a call that reached no one.
public struct GreetingCallHandler: Sendable {
    /// Where calls are kept.
    public var store: any Store
    /// How calls are settled (the routes and the dialer share it).
    public var settlement: CallSettlement
    /// The detector's thresholds and the listening limit.
    public var settings: GreetingCallSettings
    /// Paces the message and the keep-alive; tests pass one that needs no waiting.
    public var pacing: any Clock<Duration>
    /// The wall clock, for the settlement.
    public var clock: @Sendable () -> Date

    /// Creates the handler.
    public init(store: any Store, settlement: CallSettlement, settings: GreetingCallSettings = .init(),
                pacing: any Clock<Duration> = ContinuousClock(), clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.settlement = settlement
        self.settings = settings
        self.pacing = pacing
        self.clock = clock
    }

    /// Runs one call's AudioSocket connection to its end. Never throws: a call TouchBase does not
    /// know is hung up at once (the dialplan goes on), a store failure is logged.
    public func handle(_ connection: AudioSocketConnection, logger: Logger) async {
        let record: CallRecord
        do {
            guard let found = try await store.call(audioSocketID: connection.callID), found.endedAt == nil else {
                logger.warning("AudioSocket for a call TouchBase does not know, or one already settled; hanging up")
                try? await connection.outbound.hangUp()
                return
            }
            record = found
        } catch {
            logger.error("AudioSocket call not looked up", metadata: ["error": "\(error)"])
            try? await connection.outbound.hangUp()
            return
        }
        var logger = logger
        logger[metadataKey: "call"] = "\(record.callID)"
        let message = Result { () throws -> [Int16] in
            guard let plan = record.plannedMessage else { throw SpeechError.badAudio("no message was prepared for the call") }
            return try MessageAudio.narrowbandSamples(atPath: plan.audioPath)
        }
        let total = (try? message.get().count) ?? 0
        let reports = GreetingReports(store: store, callID: record.callID, logger: logger)
        let judge = ReportingJudge(detector: GreetingDetector(configuration: settings.detector)) { decision, heard in
            reports.write(GreetingResult(decision, heard: heard, messageSampleCount: decision.isMachine ? total : 0))
        }
        let outcome = await leaveMessageAfterGreeting(on: connection, detector: judge, settings: settings.drop, clock: pacing) {
            try message.get()
        }
        var result = GreetingResult(outcome.decision, heard: outcome.samplesHeard, messageSampleCount: outcome.messageSampleCount)
        result.messageSamplesPlayed = outcome.messageSamplesPlayed
        result.ending = outcome.ending.logValue
        await reports.write(result).value
        logger.info("Greeting analysed", metadata: [
            "verdict": "\(result.verdict.rawValue)", "played": "\(result.messageSamplesPlayed)/\(result.messageSampleCount)",
            "ending": "\(result.ending ?? "")",
        ])
        guard outcome.ending.isSettledHere else { return }
        await settle(record, outcome: result, logger: logger)
    }

    /// Settles a call whose dialplan ends here, with what the AudioSocket learnt.
    private func settle(_ record: CallRecord, outcome result: GreetingResult, logger: Logger) async {
        let dialOutcome = result.dialOutcome
        if case .voicemail = dialOutcome, result.playedShare < 1 {
            logger.warning("Message cut short on the AudioSocket; the step is tried again", metadata: [
                "played_share": "\(result.playedShare)", "ending": "\(result.ending ?? "")",
            ])
        }
        do {
            guard let contact = try await store.contact(id: record.contactID),
                  let state = try await store.followUp(contactID: record.contactID) else { return }
            let plan = dialOutcome.reachedVoicemail ? record.plannedMessage : nil
            let report = CallSettlement.Report(variables: AsteriskCallVariables(), outcome: dialOutcome, message: plan,
                                               promised: plan?.promise)
            try await settlement.settle(.placed(record), contact: contact, state: state, report: report, at: clock(), logger: logger)
        } catch is CallAlreadyFinished {
            logger.debug("Call already settled; the first report stands")
        } catch {
            logger.error("AudioSocket outcome not recorded", metadata: ["error": "\(error)"])
        }
    }
}

/// The detector, reporting its decision the moment it is final.
private struct ReportingJudge: GreetingJudge {
    var detector: GreetingDetector
    /// Called once, with the decision and the samples heard when it was made.
    let decided: @Sendable (GreetingDecision, Int) -> Void
    var reported = false

    mutating func consume(_ samples: [Int16]) -> GreetingDecision {
        let decision = detector.consume(samples)
        if decision.isFinal, !reported {
            reported = true
            decided(decision, detector.samplesConsumed)
        }
        return decision
    }
}

/// Writes a call's greeting results to the store in the order they were made.
private final class GreetingReports: Sendable {
    private let store: any Store
    private let callID: String
    private let logger: Logger
    private let last = Mutex<Task<Void, Never>?>(nil)

    init(store: any Store, callID: String, logger: Logger) {
        self.store = store
        self.callID = callID
        self.logger = logger
    }

    /// Starts writing `result` after the writes before it; the task ends when it is committed.
    @discardableResult
    func write(_ result: GreetingResult) -> Task<Void, Never> {
        last.withLock { last in
            let previous = last
            let task = Task { [store, callID, logger] in
                await previous?.value
                do {
                    try await store.recordGreeting(callID: callID, result)
                } catch {
                    logger.error("Greeting result not recorded", metadata: ["error": "\(error)"])
                }
            }
            last = task
            return task
        }
    }
}

extension GreetingResult {
    /// The result of a decision made after `heard` samples, before anything played.
    init(_ decision: GreetingDecision, heard: Int, messageSampleCount: Int) {
        switch decision {
        case .listening:
            self.init(verdict: .undecided)
        case .person(let decidedAt):
            self.init(verdict: .person, decidedAt: decidedAt)
        case .invalidNumber(let decidedAt):
            self.init(verdict: .invalidNumber, decidedAt: decidedAt)
        case .machine(let ended, let beep):
            self.init(verdict: .machine, decidedAt: heard, greetingEndedAt: ended, beepFrequency: beep?.frequency,
                      messageSampleCount: messageSampleCount)
        }
    }
}

extension GreetingResult {
    /// The call's outcome from what the AudioSocket learnt: a machine's message by the share
    /// played (cut short is a dial to try again), a person reached, a number not in service.
    /// Undecided, a callee who hung up counts as AMD's HANGUP does (no answer); any other ending
    /// is an unknown outcome, tried again.
    var dialOutcome: DialOutcome {
        switch verdict {
        case .machine: return .voicemail(playedShare: playedShare)
        case .person: return .human
        case .invalidNumber: return .invalidNumber
        case .undecided:
            return ending == VoicemailDropOutcome.Ending.calleeHungUp.logValue ? .noAnswer : .unknown("greeting undecided, \(ending ?? "no ending")")
        }
    }
}

extension GreetingDecision {
    var isMachine: Bool {
        if case .machine = self { return true }
        return false
    }
}

extension VoicemailDropOutcome.Ending {
    /// How the call log names the ending.
    var logValue: String {
        switch self {
        case .hungUp: return "hung-up"
        case .calleeHungUp: return "callee-hung-up"
        case .connectionDropped(let why): return "connection-dropped: \(why)"
        case .peerSentGarbage(let error): return "peer-sent-garbage: \(error)"
        case .messageUnavailable(let why): return "message-unavailable: \(why)"
        }
    }

    /// Whether the handler settles the call itself: every ending but TouchBase's own hangup
    /// frame. After a callee's hangup the dialplan stops; after a failed connection it goes on
    /// only through `TryExec` to AMD, and the `answered` route then finds the call settled.
    var isSettledHere: Bool {
        switch self {
        case .hungUp, .messageUnavailable: return false
        case .calleeHungUp, .connectionDropped, .peerSentGarbage: return true
        }
    }
}

import Cadence
import Foundation
import Logging

/// A call for Asterisk to place: where to dial, what the callee sees, and where the answered
/// call goes in the dialplan.
public struct OutboundCall: Sendable, Hashable {
    /// TouchBase's id for the call; set on the channel as `TOUCHBASE_CALL`.
    public var callID: String
    /// The channel to dial, e.g. `PJSIP/+16175550100@trunk`.
    public var channel: String
    /// The caller id's name and number.
    public var callerIDName: String
    public var callerIDNumber: String
    /// Seconds to ring before the call counts as unanswered.
    public var ringSeconds: Int
    /// Where the answered call goes: `touchbase-outbound`, extension `answered`.
    public var context: String
    public var `extension`: String
    /// The UUID the dialplan gives `AudioSocket()`; set as `TOUCHBASE_AUDIOSOCKET_ID`.
    public var audioSocketID: UUID?
    /// Who judges the greeting (`touchbase` or `amd`); set as `TOUCHBASE_DETECTOR`, which the
    /// dialplan's `answered` extension reads to choose AudioSocket or AMD.
    public var detector: CallHandlingSettings.Detector
    /// The PBX the call's trunk lives on, which ``PBXOriginators`` hands it to.
    public var pbx: String

    /// Creates a call.
    public init(callID: String, channel: String, callerIDName: String, callerIDNumber: String, ringSeconds: Int = 45,
                context: String = "touchbase-outbound", extension: String = "answered", audioSocketID: UUID? = nil,
                detector: CallHandlingSettings.Detector = .amd, pbx: String = PBX.defaultName) {
        self.callID = callID
        self.pbx = pbx
        self.channel = channel
        self.callerIDName = callerIDName
        self.callerIDNumber = callerIDNumber
        self.ringSeconds = ringSeconds
        self.context = context
        self.extension = `extension`
        self.audioSocketID = audioSocketID
        self.detector = detector
    }

    /// The caller id name as it may be shown: characters caller id syntax reserves (`"`, `<`,
    /// `>`), characters a call file reads as comments (`;`, `#`) and control characters are
    /// dropped, so a name from contact data can only ever be a name and never fails the call.
    public var displayName: String {
        let kept = callerIDName.unicodeScalars.map { scalar -> Character in
            scalar.value < 0x20 || scalar.value == 0x7F || "\"<>\\;#".unicodeScalars.contains(scalar) ? " " : Character(scalar)
        }
        return String(kept).split(separator: " ").joined(separator: " ")
    }

    /// The variables the originated channel starts with: the call id as `TOUCHBASE_CALL`, and as
    /// `CDR(userfield)`, so the channel's CDR joins TouchBase's log even when the call fails
    /// before any dialplan runs on it; then the detector as `TOUCHBASE_DETECTOR`, which the
    /// `answered` extension reads to choose AudioSocket or AMD, and the AudioSocket UUID as
    /// `TOUCHBASE_AUDIOSOCKET_ID` when there is one.
    public var channelVariables: [(name: String, value: String)] {
        var variables = [(name: "TOUCHBASE_CALL", value: callID), (name: "CDR(userfield)", value: callID),
                         (name: "TOUCHBASE_DETECTOR", value: detector.rawValue)]
        if let audioSocketID { variables.append((name: "TOUCHBASE_AUDIOSOCKET_ID", value: audioSocketID.uuidString.lowercased())) }
        return variables
    }

    /// The call as a call file: no retries by Asterisk (TouchBase schedules its own), the
    /// ``channelVariables`` as `Setvar`.
    public var callFile: CallFile {
        CallFile(channel: channel, callerID: (displayName, callerIDNumber), waitTime: ringSeconds, maxRetries: 0,
                 context: context, extension: `extension`, variables: channelVariables.map { ($0.name, $0.value) })
    }
}

/// What Asterisk reported about an originated call that did not go to the dialplan's answered
/// extension.
public enum OriginationReport: Sendable, Hashable {
    /// Asterisk could not place the call at all (the spool or AMI refused it, AMI unreachable):
    /// it never rang, so it does not count as a dial.
    case notPlaced(callID: String, reason: String)
    /// The call rang and failed; `reason` is Originate's REASON (0 failed, 3 no answer, 5 busy,
    /// 8 congestion).
    case failed(callID: String, reason: Int?)
}

/// Hands calls to Asterisk.
public protocol CallOriginator: Sendable {
    /// Asks Asterisk to place a call. Returns once Asterisk has it; how it ends comes back
    /// through the AGI routes, or through `report` when Asterisk tells the originator itself.
    ///
    /// - Throws: when the call cannot be handed over; nothing was placed.
    func originate(_ call: OutboundCall, report: @escaping @Sendable (OriginationReport) async -> Void) async throws
    /// A short description for logs: `call files in /var/spool/asterisk/outgoing`.
    var summary: String { get }
    /// Lets go of what the originator holds open (AMI logs off); the dialer calls it when it stops.
    func shutdown() async
}

extension CallOriginator {
    /// Nothing to let go of.
    public func shutdown() async {}
}

/// Originates through call files renamed into Asterisk's `outgoing/` spool. Asterisk runs the
/// context's `failed` extension when such a call fails, so failures come back over AGI.
public struct CallFileOriginator: CallOriginator {
    /// The spool.
    public var spool: CallFileSpool

    /// Creates the originator.
    public init(spool: CallFileSpool) { self.spool = spool }

    public func originate(_ call: OutboundCall, report: @escaping @Sendable (OriginationReport) async -> Void) async throws {
        try spool.place(call.callFile, name: "touchbase-\(call.callID)")
    }

    public var summary: String { "call files into \(spool.outgoingDirectory)" }
}

/// Originates with AMI `Originate` (Async), for an Asterisk on another host. Every call goes
/// over one logged-in ``AMIConnection``, which reconnects with backoff; each call's task waits
/// for its own `OriginateResponse` event, matched by `ActionID`.
public struct AMIOriginator: CallOriginator {
    /// The AMI login.
    public var configuration: AMIClient.Configuration
    public var logger: Logger
    /// The connection every call shares.
    public let connection: AMIConnection

    /// Creates the originator; it connects when the first call is placed.
    public init(configuration: AMIClient.Configuration, backoff: ReconnectBackoff = ReconnectBackoff(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        connection = AMIConnection(configuration: configuration, backoff: backoff, logger: logger)
    }

    public func originate(_ call: OutboundCall, report: @escaping @Sendable (OriginationReport) async -> Void) async throws {
        let name = call.displayName
        let request = AMIOriginate(channel: call.channel, context: call.context, extension: call.extension,
                                   ringTimeout: .seconds(call.ringSeconds),
                                   callerID: name.isEmpty ? "<\(call.callerIDNumber)>" : "\"\(name)\" <\(call.callerIDNumber)>",
                                   variables: Dictionary(uniqueKeysWithValues: call.channelVariables.map { ($0.name, $0.value) }))
        // Refuse bad values now, before anything is sent.
        _ = try request.action.encoded()
        let connection = connection, logger = logger
        Task {
            do {
                let client = try await connection.client()
                let result = try await client.originate(request, timeout: .seconds(call.ringSeconds + 60))
                if !result.answered { await report(.failed(callID: call.callID, reason: result.reason)) }
            } catch AMIError.timedOut(let action) where action == "OriginateResponse" {
                // Asterisk took the call but never said how it ended: the dialer's reconciliation
                // settles it when no AGI report comes either.
                logger.warning("AMI Originate accepted, no OriginateResponse in time", metadata: ["call": "\(call.callID)"])
            } catch {
                logger.error("AMI Originate failed", metadata: ["call": "\(call.callID)", "error": "\(error)"])
                await report(.notPlaced(callID: call.callID, reason: "AMI: \(error)"))
            }
        }
    }

    public var summary: String { "AMI Originate on \(configuration.host):\(configuration.port)" }

    /// Logs off and stops reconnecting.
    public func shutdown() async { await connection.shutdown() }
}

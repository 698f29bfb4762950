import Logging
import NIOConcurrencyHelpers

/// Carries AGI lines between a session and Asterisk: a TCP connection for FastAGI, or
/// stdin and stdout for process AGI.
public protocol AGITransport {
    /// Writes one command line; the transport adds the `\n`.
    mutating func write(line: String) async throws
    /// The next frame from Asterisk, or `nil` when its side has ended.
    mutating func next() async throws -> AGIInbound?
}

/// A flag raised from outside the dialog when the channel hangs up: process AGI learns of a
/// hangup through SIGHUP, not through a `HANGUP` line.
public final class AGIHangupSignal: Sendable {
    private let raised = NIOLockedValueBox(false)

    /// Creates a flag that is not raised.
    public init() {}

    /// Raises the flag.
    public func raise() { raised.withLockedValue { $0 = true } }

    /// Whether the flag has been raised.
    public var isRaised: Bool { raised.withLockedValue { $0 } }
}

/// One AGI session, as a route's handler sees it: the environment Asterisk sent, and commands
/// sent one at a time, each awaiting its answer.
///
/// A hangup does not end the session: Asterisk keeps the dialog open ("dead AGI") until the
/// program closes it, and still answers the commands allowed on a dead channel (EXEC, GET and SET
/// VARIABLE, VERBOSE, NOOP, DATABASE). Others fail with ``AGIError/deadChannel(_:)``. Check
/// ``isHungUp`` to learn whether the caller is still there.
///
/// A session belongs to the task that runs its handler; it is not shared between tasks.
public final class AGISession {
    /// The `agi_*` variables Asterisk sent when the session started.
    public let environment: AGIEnvironment
    /// A logger with the session's unique id and route in its metadata.
    public var logger: Logger

    private var transport: any AGITransport
    private var dialog = AGIDialogStateMachine()
    private let hangupSignal: AGIHangupSignal?

    /// Creates a session over a transport whose environment has already been read.
    ///
    /// - Parameters:
    ///   - environment: the environment block.
    ///   - transport: where commands go and answers come from.
    ///   - hangupSignal: a flag raised from outside when the channel hangs up (SIGHUP).
    ///   - logger: the logger for this session.
    public init(environment: AGIEnvironment, transport: any AGITransport,
                hangupSignal: AGIHangupSignal? = nil, logger: Logger) {
        self.environment = environment
        self.transport = transport
        self.hangupSignal = hangupSignal
        self.logger = logger
    }

    /// Whether the channel has hung up: a `HANGUP` line or SIGHUP arrived, or a command got 511.
    public var isHungUp: Bool {
        dialog.isHungUp || (hangupSignal?.isRaised ?? false)
    }

    /// The route's script path (`answered` for `agi://host/answered?x=1`).
    public var scriptPath: String { environment.scriptPath }
    /// The route's query, in order.
    public var query: [(name: String, value: String)] { environment.query }
    /// The arguments the dialplan passed, in order.
    public var arguments: [String] { environment.arguments }

    /// Sends a command and waits for its answer.
    ///
    /// Interim `100` answers are skipped; a `HANGUP` line arriving before the answer marks the
    /// session hung up and the answer is still read.
    ///
    /// - Returns: the result of a `200` answer.
    /// - Throws: ``AGIError`` for 510, 511, 520, a broken protocol or a peer that went away.
    @discardableResult
    public func send(_ command: AGICommand) async throws -> AGIResult {
        if hangupSignal?.isRaised == true { dialog.channelHungUp() }
        switch dialog.send(command) {
        case .refuse(let error):
            throw error
        case .write(let line):
            logger.trace("AGI >", metadata: ["command": "\(line)"])
            try await transport.write(line: line)
        }
        while true {
            let inbound: AGIInbound?
            do {
                inbound = try await transport.next()
            } catch let error as AGIProtocolError {
                throw AGIError.protocolViolation(error)
            }
            guard let inbound else { throw dialog.endOfInput() }
            switch dialog.receive(inbound) {
            case .keepReading:
                if case .hangup = inbound { logger.debug("AGI channel hung up") }
                continue
            case .deliver(let result):
                return result
            case .fail(let error):
                throw error
            }
        }
    }
}

extension AGISession {
    /// Reads a channel variable: its value, or `nil` when it is not set.
    public func getVariable(_ name: String) async throws -> String? {
        let result = try await send(.getVariable(name))
        return result.code == 1 ? (result.data ?? "") : nil
    }

    /// Evaluates an expression such as `${CALLERID(num)}`: its value, or `nil` when unset.
    public func getFullVariable(_ expression: String) async throws -> String? {
        let result = try await send(.getFullVariable(expression))
        return result.code == 1 ? (result.data ?? "") : nil
    }

    /// Sets a channel variable or function.
    public func setVariable(_ name: String, to value: String) async throws {
        try await send(.setVariable(name, to: value))
    }

    /// Writes a line to Asterisk's console and log.
    public func verbose(_ message: String, level: Int = 1) async throws {
        try await send(.verbose(message, level: level))
    }

    /// Runs a dialplan application; returns its result code.
    ///
    /// - Throws: ``AGIError/applicationNotFound(_:)`` when Asterisk has no such application.
    @discardableResult
    public func exec(_ application: String, _ arguments: [String] = []) async throws -> Int {
        let result = try await send(.exec(application, arguments))
        if result.code == -2 { throw AGIError.applicationNotFound(application) }
        return result.code ?? 0
    }

    /// Plays a sound file and reports how it ended.
    ///
    /// - Parameters:
    ///   - file: a path without extension, or a URL with one (through Asterisk's media cache).
    ///   - escapeDigits: the DTMF digits that stop playback.
    ///   - offset: the sample to start at; the file's length plays nothing (yet opens the file).
    public func streamFile(_ file: String, escapeDigits: String = "", offset: Int? = nil) async throws -> AGIPlayback {
        AGIPlayback(try await send(.streamFile(file, escapeDigits: escapeDigits, offset: offset)))
    }

    /// Answers the channel.
    public func answer() async throws { try await send(.answer) }

    /// Hangs up the channel.
    public func hangup() async throws { try await send(.hangup()) }
}

/// How a `STREAM FILE` ended.
public struct AGIPlayback: Sendable, Hashable {
    /// The sample offset where playback stopped, in the file's own samples (16,000 a second
    /// for `.sln16`).
    public var endpos: Int
    /// The DTMF digit that stopped playback, if any.
    public var digit: Character?
    /// Whether playback failed or was cut by a hangup (`result=-1`).
    public var failed: Bool

    /// Reads a STREAM FILE result.
    public init(_ result: AGIResult) {
        endpos = result.endpos ?? 0
        failed = result.code == -1
        if let code = result.code, code > 0, let scalar = Unicode.Scalar(code) {
            digit = Character(scalar)
        } else {
            digit = nil
        }
    }
}

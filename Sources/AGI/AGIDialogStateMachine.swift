/// The AGI dialog as a pure state machine: one command outstanding at a time, the channel's
/// hangup, and what each arriving frame means for the command waiting on it.
///
/// It does no I/O. ``AGISession`` asks it what to do and carries the answer out, in the manner
/// of async-http-client's connection state machines.
public struct AGIDialogStateMachine: Sendable {
    /// Where the dialog stands.
    public enum State: Sendable, Hashable {
        /// No command outstanding.
        case idle
        /// A command was written; its answer has not arrived.
        case awaitingAnswer(AGICommand)
    }

    /// What to do before sending a command.
    public enum SendAction: Sendable, Hashable {
        /// Write the command's line.
        case write(String)
        /// Do not send: another command is still outstanding.
        case refuse(AGIError)
    }

    /// What to do with a frame that arrived.
    public enum ReceiveAction: Sendable, Hashable {
        /// Keep reading: the frame was an interim answer or the hangup notice.
        case keepReading
        /// The outstanding command succeeded with this result.
        case deliver(AGIResult)
        /// The outstanding command failed with this error.
        case fail(AGIError)
    }

    /// Where the dialog stands now.
    public private(set) var state: State = .idle
    /// Whether the channel has hung up (a `HANGUP` line, a 511, or a signal from outside).
    public private(set) var isHungUp = false

    /// Creates a state machine for a dialog whose environment has been read.
    public init() {}

    /// Records a hangup learnt outside the dialog, e.g. SIGHUP for process AGI.
    public mutating func channelHungUp() { isHungUp = true }

    /// Decides whether a command may be sent now.
    public mutating func send(_ command: AGICommand) -> SendAction {
        guard case .idle = state else {
            return .refuse(.commandOutstanding(command.name))
        }
        state = .awaitingAnswer(command)
        return .write(command.line)
    }

    /// Decides what an arriving frame means.
    public mutating func receive(_ inbound: AGIInbound) -> ReceiveAction {
        switch inbound {
        case .hangup:
            isHungUp = true
            return .keepReading
        case .environment:
            return .fail(.protocolViolation(.unexpectedResponse("a second environment block")))
        case .response(let response):
            guard case .awaitingAnswer(let command) = state else {
                return .fail(.protocolViolation(.unexpectedResponse(String(describing: response))))
            }
            switch response {
            case .trying:
                return .keepReading
            case .success(let result):
                state = .idle
                return .deliver(result)
            case .invalidCommand:
                state = .idle
                return .fail(.invalidCommand(command.line))
            case .deadChannel:
                state = .idle
                isHungUp = true
                return .fail(.deadChannel(command.line))
            case .usage(let help):
                state = .idle
                return .fail(.usage(command: command.line, help: help))
            }
        }
    }

    /// Decides what the end of the peer's stream means.
    public func endOfInput() -> AGIError {
        if case .awaitingAnswer(let command) = state {
            return .protocolViolation(.connectionClosed(during: command.name))
        }
        return .protocolViolation(.connectionClosed(during: "the dialog"))
    }
}

/// An AGI command that did not succeed, as a handler sees it.
public enum AGIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `510`: Asterisk does not know the command.
    case invalidCommand(String)
    /// `511`: the channel has hung up and the command needs a live one.
    case deadChannel(String)
    /// `520`: Asterisk rejected the command's syntax; `help` is its usage text, if any.
    case usage(command: String, help: String)
    /// `EXEC` of an application Asterisk does not have (`result=-2`).
    case applicationNotFound(String)
    /// A second command was sent before the first one's answer.
    case commandOutstanding(String)
    /// The peer broke the protocol or went away.
    case protocolViolation(AGIProtocolError)

    public var description: String {
        switch self {
        case .invalidCommand(let line): return "Asterisk does not know the AGI command \(AGIProtocolError.shown(line)) (510)"
        case .deadChannel(let line): return "AGI command \(AGIProtocolError.shown(line)) is not permitted on a hung-up channel (511)"
        case .usage(let line, let help):
            return "Asterisk rejected the syntax of \(AGIProtocolError.shown(line)) (520)" + (help.isEmpty ? "" : ": \(help)")
        case .applicationNotFound(let app): return "Asterisk has no dialplan application \(AGIProtocolError.shown(app))"
        case .commandOutstanding(let name): return "AGI command \(name) sent while another is still awaiting its answer"
        case .protocolViolation(let error): return error.description
        }
    }
}

import Histogram
import NIOCore

/// How a session ended, from the simulated Asterisk's side.
enum SessionEnd: Sendable, Equatable {
    /// The server sent at least one command and then closed the connection, as it should.
    case closedByServer(sawHangup: Bool)
    /// The server closed without sending any command.
    case closedBeforeCommand
    /// The connection failed mid-session (reset, broken pipe).
    case failed
    /// The session ran past the session timeout and was closed by the generator.
    case timedOut
    /// The server sent a line longer than Asterisk accepts.
    case protocolViolation
}

/// The counts and turnarounds of one event loop's sessions; merged across loops at the end.
struct LoadStats: Sendable {
    /// Sessions the server closed after sending commands.
    var completed = 0
    /// Of those, sessions whose dialog reached HANGUP.
    var reachedHangup = 0
    /// Command lines received from the server.
    var commands = 0
    /// Commands answered with 510 (unknown to Asterisk).
    var unknownCommands = 0
    /// Connections the server refused or that could not be made.
    var connectFailures = 0
    /// Sessions closed without any command.
    var closedBeforeCommand = 0
    /// Sessions cut by a reset or broken pipe.
    var failures = 0
    /// Sessions closed by the generator's session timeout.
    var timeouts = 0
    /// Sessions where the server sent an overlong line.
    var protocolViolations = 0
    /// Time from each answer written to the server's next command received.
    var turnaround = Histogram<UInt64>()
    /// Time from the environment written to the server's first command received.
    var firstCommand = Histogram<UInt64>()
    /// How late the generator's loop ran a task due every 10 ms: the generator's own delay.
    var loopLag = Histogram<UInt64>()

    /// Everything that went wrong.
    var errors: Int { connectFailures + closedBeforeCommand + failures + timeouts + protocolViolations }

    /// Counts one ended session.
    mutating func record(_ end: SessionEnd) {
        switch end {
        case .closedByServer(let sawHangup):
            completed += 1
            if sawHangup { reachedHangup += 1 }
        case .closedBeforeCommand: closedBeforeCommand += 1
        case .failed: failures += 1
        case .timedOut: timeouts += 1
        case .protocolViolation: protocolViolations += 1
        }
    }

    /// Adds another loop's figures.
    mutating func merge(_ other: LoadStats) {
        completed += other.completed
        reachedHangup += other.reachedHangup
        commands += other.commands
        unknownCommands += other.unknownCommands
        connectFailures += other.connectFailures
        closedBeforeCommand += other.closedBeforeCommand
        failures += other.failures
        timeouts += other.timeouts
        protocolViolations += other.protocolViolations
        turnaround.add(other.turnaround)
        firstCommand.add(other.firstCommand)
        loopLag.add(other.loopLag)
    }
}

/// What Asterisk sends an AGI program, one complete unit at a time.
public enum AGIInbound: Sendable, Hashable {
    /// The `agi_*` block that opens the session, ended by an empty line.
    case environment(AGIEnvironment)
    /// The answer to the outstanding command (or a `100` interim before it).
    case response(AGIResponse)
    /// The `HANGUP` line: the channel hung up. FastAGI sends it in the middle of the dialog,
    /// before the answer to the outstanding command, which still follows.
    case hangup
}

/// Turns the lines Asterisk sends into ``AGIInbound`` values.
///
/// Pure and I/O-free: the FastAGI decoder (``AGIInboundDecoder``) and the process-AGI reader
/// both feed it one line at a time, without the line ending. It knows the session's phases:
/// first the environment, then answers; and it assembles the multi-line `520-` usage answer into
/// one ``AGIResponse/usage(_:)``.
public struct AGIInboundParser: Sendable {
    /// The most environment lines accepted before the empty line that ends them.
    public let maximumEnvironmentLines: Int

    private enum Phase: Sendable {
        case environment([(name: String, value: String)])
        case dialog
        case usage([Substring])
    }

    private var phase: Phase = .environment([])

    /// Creates a parser at the start of a session.
    ///
    /// - Parameter maximumEnvironmentLines: the bound on environment lines; Asterisk sends
    ///   about 25 plus one per argument.
    public init(maximumEnvironmentLines: Int = 256) {
        self.maximumEnvironmentLines = maximumEnvironmentLines
    }

    /// Whether the environment has been read and the dialog has begun.
    public var hasEnvironment: Bool {
        if case .environment = phase { return false }
        return true
    }

    /// Parses one line, without its `\n` (a trailing `\r` is accepted and dropped).
    ///
    /// - Returns: a complete ``AGIInbound``, or `nil` when the line is part of one still open.
    /// - Throws: ``AGIProtocolError`` when the line breaks the protocol.
    public mutating func parse(line rawLine: Substring) throws(AGIProtocolError) -> AGIInbound? {
        let line = rawLine.last == "\r" ? rawLine.dropLast() : rawLine
        switch phase {
        case .environment(var variables):
            if line.isEmpty {
                phase = .dialog
                return .environment(AGIEnvironment(variables: variables))
            }
            guard variables.count < maximumEnvironmentLines else {
                throw .tooManyEnvironmentLines(limit: maximumEnvironmentLines)
            }
            guard let colon = line.firstIndex(of: ":"), line.hasPrefix("agi_") else {
                throw .malformedEnvironmentLine(String(line))
            }
            var value = line[line.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
            variables.append((String(line[..<colon]), String(value)))
            phase = .environment(variables)
            return nil

        case .dialog:
            if line == "HANGUP" { return .hangup }
            if line.hasPrefix("520-") {
                phase = .usage([line.dropFirst(4)])
                return nil
            }
            if line.isEmpty { return nil }
            return .response(try AGIResponse(parsing: line))

        case .usage(var lines):
            if line.hasPrefix("520 ") {
                phase = .dialog
                return .response(.usage(lines.joined(separator: "\n")))
            }
            lines.append(line)
            phase = .usage(lines)
            return nil
        }
    }
}

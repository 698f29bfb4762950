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
        // Byte-level tests throughout: Character operations on a Substring break graphemes, and
        // every environment line and answer passes through here.
        let line = rawLine.utf8.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine
        switch phase {
        case .environment(var variables):
            if line.isEmpty {
                phase = .dialog
                return .environment(AGIEnvironment(variables: variables))
            }
            guard variables.count < maximumEnvironmentLines else {
                throw .tooManyEnvironmentLines(limit: maximumEnvironmentLines)
            }
            guard let colon = line.utf8.firstIndex(of: UInt8(ascii: ":")), line.utf8.starts(with: "agi_".utf8) else {
                throw .malformedEnvironmentLine(String(line))
            }
            var value = line[line.utf8.index(after: colon)...]
            if value.utf8.first == UInt8(ascii: " ") { value = value[value.utf8.index(after: value.utf8.startIndex)...] }
            // Release the phase's copy first, so the append does not copy the whole array.
            phase = .dialog
            variables.append((String(line[..<colon]), String(value)))
            phase = .environment(variables)
            return nil

        case .dialog:
            if line.utf8.elementsEqual("HANGUP".utf8) { return .hangup }
            if line.utf8.starts(with: "520-".utf8) {
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
            phase = .dialog
            lines.append(line)
            phase = .usage(lines)
            return nil
        }
    }
}

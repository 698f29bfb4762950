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
        case usage([String])
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
    public mutating func parse(line: Substring) throws(AGIProtocolError) -> AGIInbound? {
        var line = line
        return try line.withUTF8 { bytes in
            Result { () throws(AGIProtocolError) in try self.parse(bytes: bytes) }
        }.get()
    }

    /// Parses one line from its bytes, without its `\n`: what ``parse(line:)`` does, without
    /// making a `String` of the line first. Every environment line and answer passes through
    /// here, so it works on bytes throughout; only the values it returns become strings.
    public mutating func parse(bytes rawLine: UnsafeBufferPointer<UInt8>) throws(AGIProtocolError) -> AGIInbound? {
        let line = rawLine.last == UInt8(ascii: "\r") ? UnsafeBufferPointer(rebasing: rawLine.dropLast()) : rawLine
        switch phase {
        case .environment(var variables):
            if line.isEmpty {
                phase = .dialog
                return .environment(AGIEnvironment(variables: variables))
            }
            guard variables.count < maximumEnvironmentLines else {
                throw .tooManyEnvironmentLines(limit: maximumEnvironmentLines)
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), line.hasPrefix("agi_") else {
                throw .malformedEnvironmentLine(String(decoding: line, as: UTF8.self))
            }
            var valueStart = colon + 1
            if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
            // Release the phase's copy first, so the append does not copy the whole array.
            phase = .dialog
            variables.append((String(decoding: UnsafeBufferPointer(rebasing: line[..<colon]), as: UTF8.self),
                              String(decoding: UnsafeBufferPointer(rebasing: line[valueStart...]), as: UTF8.self)))
            phase = .environment(variables)
            return nil

        case .dialog:
            if line.equals("HANGUP") { return .hangup }
            if line.hasPrefix("520-") {
                phase = .usage([String(decoding: UnsafeBufferPointer(rebasing: line.dropFirst(4)), as: UTF8.self)])
                return nil
            }
            if line.isEmpty { return nil }
            return .response(try AGIResponse(parsingBytes: line))

        case .usage(var lines):
            if line.hasPrefix("520 ") {
                phase = .dialog
                return .response(.usage(lines.joined(separator: "\n")))
            }
            phase = .dialog
            lines.append(String(decoding: line, as: UTF8.self))
            phase = .usage(lines)
            return nil
        }
    }
}

extension UnsafeBufferPointer<UInt8> {
    // Byte loops against a StaticString: Sequence.starts(with:) over a String.UTF8View showed
    // in profiles of the answer path.

    /// Whether the bytes begin with the ASCII text of `prefix`.
    func hasPrefix(_ prefix: StaticString) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard count >= length else { return false }
        let text = prefix.utf8Start
        for index in 0..<length where self[index] != text[index] { return false }
        return true
    }

    /// Whether the bytes are exactly the ASCII text of `other`.
    func equals(_ other: StaticString) -> Bool {
        count == other.utf8CodeUnitCount && hasPrefix(other)
    }
}

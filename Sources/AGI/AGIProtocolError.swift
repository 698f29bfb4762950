/// A violation of the AGI protocol by the peer: what arrived, and why it cannot be understood.
public enum AGIProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A line longer than the limit (Asterisk's own is 8,192 bytes).
    case lineTooLong(limit: Int)
    /// More environment lines than the limit before the empty line that ends them.
    case tooManyEnvironmentLines(limit: Int)
    /// An environment line that is not `agi_name: value`.
    case malformedEnvironmentLine(String)
    /// A line where a command's answer was expected that is no AGI answer.
    case malformedResponse(String)
    /// An answer arrived while no command was outstanding.
    case unexpectedResponse(String)
    /// The peer closed the connection, or sent end of file, before it finished what it started.
    case connectionClosed(during: String)

    public var description: String {
        switch self {
        case .lineTooLong(let limit):
            return "AGI line longer than \(limit) bytes"
        case .tooManyEnvironmentLines(let limit):
            return "more than \(limit) AGI environment lines without the empty line that ends them"
        case .malformedEnvironmentLine(let line):
            return "AGI environment line is not 'agi_name: value': \(Self.shown(line))"
        case .malformedResponse(let line):
            return "not an AGI answer: \(Self.shown(line))"
        case .unexpectedResponse(let line):
            return "AGI answer with no command outstanding: \(Self.shown(line))"
        case .connectionClosed(let during):
            return "the AGI peer closed the connection during \(during)"
        }
    }

    /// Quotes a line for an error message, cut short and with control characters made visible,
    /// so a hostile peer cannot write into our logs.
    static func shown(_ line: String) -> String {
        var out = ""
        for scalar in line.unicodeScalars.prefix(120) {
            // C1 controls too: U+009B is a terminal's CSI, as dangerous as ESC.
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                out += "\\x" + String(scalar.value, radix: 16, uppercase: true)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        if line.unicodeScalars.count > 120 { out += "…" }
        return "\"" + out + "\""
    }
}

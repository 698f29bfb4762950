/// One answer from Asterisk to one AGI command.
///
/// Asterisk answers each command with a single status line, except for the usage answer to a
/// malformed command, which may span several lines:
///
/// | line | case |
/// | --- | --- |
/// | `200 result=1 (MACHINE)` | ``success(_:)`` with result `1` and data `MACHINE` |
/// | `200 result=0 endpos=107555` | ``success(_:)`` with ``AGIResult/endpos`` 107555 |
/// | `200 result= (timeout)` | ``success(_:)`` with an empty result and data `timeout` |
/// | `100 result=0 Trying...` | ``trying(_:)``, an interim line before the real answer (GOSUB) |
/// | `510 Invalid or unknown command` | ``invalidCommand`` |
/// | `511 Command Not Permitted on a dead channel or intercept routine` | ``deadChannel`` |
/// | `520 Invalid command syntax.  Proper usage not available.` | ``usage(_:)`` |
/// | `520-...` lines up to `520 End of proper usage.` | ``usage(_:)`` with the text between |
public enum AGIResponse: Sendable, Hashable {
    /// `200`: the command ran.
    case success(AGIResult)
    /// `100`: an interim answer; the final one follows.
    case trying(AGIResult)
    /// `510`: Asterisk does not know the command.
    case invalidCommand
    /// `511`: the command is not allowed on a hung-up channel.
    case deadChannel
    /// `520`: the command's syntax was wrong; the text is Asterisk's usage help, if it sent any.
    case usage(String)
}

/// The `result=...` part of a `200` or `100` line, with its optional data and `endpos`.
public struct AGIResult: Sendable, Hashable {
    /// The text after `result=`, e.g. `1`, `-1` or empty (GET DATA on timeout).
    public var result: String
    /// The text inside the parentheses after the result, e.g. the value of GET VARIABLE.
    public var data: String?
    /// `endpos=N`: for STREAM FILE and friends, the sample offset where playback stopped.
    public var endpos: Int?
    /// Any further text on the line, e.g. `Gosub complete` or `Trying...`.
    public var trailer: String?

    /// Creates a result as Asterisk would report it.
    public init(result: String, data: String? = nil, endpos: Int? = nil, trailer: String? = nil) {
        self.result = result
        self.data = data
        self.endpos = endpos
        self.trailer = trailer
    }

    /// The result as a number, or `nil` when it is empty or not numeric.
    public var code: Int? { Int(result) }
}

extension AGIResponse {
    /// Parses one complete status line (without its line ending).
    ///
    /// The multi-line `520-` form is assembled by ``AGIInboundParser``; this parses its
    /// single-line forms.
    ///
    /// - Parameter line: a line such as `200 result=1 (MACHINE)`.
    /// - Throws: ``AGIProtocolError/malformedResponse(_:)`` when the line is no AGI answer.
    public init(parsing line: Substring) throws(AGIProtocolError) {
        // Byte-level throughout, as Asterisk writes these lines: every answer passes through here.
        let bytes = line.utf8
        guard bytes.count >= 3 else { throw .malformedResponse(String(line)) }
        let codeEnd = bytes.index(bytes.startIndex, offsetBy: 3)
        guard bytes[..<codeEnd].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let code = Int(line[..<codeEnd]) else {
            throw .malformedResponse(String(line))
        }
        let rest = line[codeEnd...]
        switch code {
        case 200, 100:
            guard rest.utf8.first == UInt8(ascii: " ") else { throw .malformedResponse(String(line)) }
            let result = try Self.parseResult(rest[rest.utf8.index(after: rest.startIndex)...], line: line)
            self = code == 200 ? .success(result) : .trying(result)
        case 510:
            self = .invalidCommand
        case 511:
            self = .deadChannel
        case 520:
            self = .usage(String(Self.dropping(rest) { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "-") }))
        default:
            throw .malformedResponse(String(line))
        }
    }

    /// The text after its leading bytes that match.
    private static func dropping(_ text: Substring, while matches: (UInt8) -> Bool) -> Substring {
        text[(text.utf8.firstIndex { !matches($0) } ?? text.endIndex)...]
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") }

    private static func parseResult(_ text: Substring, line: Substring) throws(AGIProtocolError) -> AGIResult {
        guard text.utf8.starts(with: "result=".utf8) else { throw .malformedResponse(String(line)) }
        var rest = text[text.utf8.index(text.startIndex, offsetBy: 7)...]
        let resultEnd = rest.utf8.firstIndex(where: isSpace) ?? rest.endIndex
        let resultText = rest[..<resultEnd]
        rest = dropping(rest[resultEnd...], while: isSpace)

        var data: String?
        if rest.utf8.first == UInt8(ascii: "(") {
            // A variable's value may itself hold parentheses; Asterisk writes it raw between the
            // first "(" and the last ")".
            guard let close = rest.utf8.lastIndex(of: UInt8(ascii: ")")) else { throw .malformedResponse(String(line)) }
            data = String(rest[rest.utf8.index(after: rest.startIndex)..<close])
            rest = dropping(rest[rest.utf8.index(after: close)...], while: isSpace)
        }

        var endpos: Int?
        if rest.utf8.starts(with: "endpos=".utf8) {
            let start = rest.utf8.index(rest.startIndex, offsetBy: 7)
            let end = rest.utf8[start...].firstIndex(where: isSpace) ?? rest.endIndex
            guard let value = Int(rest[start..<end]) else { throw .malformedResponse(String(line)) }
            endpos = value
            rest = dropping(rest[end...], while: isSpace)
        }
        return AGIResult(result: String(resultText), data: data, endpos: endpos,
                         trailer: rest.isEmpty ? nil : String(rest))
    }
}

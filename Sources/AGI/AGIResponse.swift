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
        var line = line
        self = try line.withUTF8 { bytes in
            Result { () throws(AGIProtocolError) in try AGIResponse(parsingBytes: bytes) }
        }.get()
    }

    /// Parses a status line from its bytes; every answer passes through here, so it makes no
    /// `String` but the values it returns.
    init(parsingBytes line: UnsafeBufferPointer<UInt8>) throws(AGIProtocolError) {
        func malformed() -> AGIProtocolError { .malformedResponse(String(decoding: line, as: UTF8.self)) }
        guard line.count >= 3, line[0..<3].allSatisfy(Self.isDigit) else { throw malformed() }
        let code = Int(line[0] &- 48) * 100 + Int(line[1] &- 48) * 10 + Int(line[2] &- 48)
        let rest = line[3...]
        switch code {
        case 200, 100:
            guard rest.first == UInt8(ascii: " ") else { throw malformed() }
            guard let result = Self.parseResult(rest.dropFirst()) else { throw malformed() }
            self = code == 200 ? .success(result) : .trying(result)
        case 510:
            self = .invalidCommand
        case 511:
            self = .deadChannel
        case 520:
            self = .usage(Self.string(Self.dropping(rest) { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "-") }))
        default:
            throw malformed()
        }
    }

    private typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") }

    private static func string(_ bytes: Bytes) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes), as: UTF8.self)
    }

    /// The bytes after the leading ones that match.
    private static func dropping(_ bytes: Bytes, while matches: (UInt8) -> Bool) -> Bytes {
        bytes[(bytes.firstIndex { !matches($0) } ?? bytes.endIndex)...]
    }

    /// The `result=...` part, or `nil` when it is malformed.
    private static func parseResult(_ text: Bytes) -> AGIResult? {
        guard UnsafeBufferPointer(rebasing: text).hasPrefix("result=") else { return nil }
        var rest = text.dropFirst(7)
        let resultEnd = rest.firstIndex(where: isSpace) ?? rest.endIndex
        let resultText = rest[..<resultEnd]
        rest = dropping(rest[resultEnd...], while: isSpace)

        var data: String?
        if rest.first == UInt8(ascii: "(") {
            // A variable's value may itself hold parentheses; Asterisk writes it raw between the
            // first "(" and the last ")".
            guard let close = rest.lastIndex(of: UInt8(ascii: ")")) else { return nil }
            data = string(rest[(rest.startIndex + 1)..<close])
            rest = dropping(rest[(close + 1)...], while: isSpace)
        }

        var endpos: Int?
        if UnsafeBufferPointer(rebasing: rest).hasPrefix("endpos=") {
            let start = rest.startIndex + 7
            let end = rest[start...].firstIndex(where: isSpace) ?? rest.endIndex
            guard let value = Int(string(rest[start..<end])) else { return nil }
            endpos = value
            rest = dropping(rest[end...], while: isSpace)
        }
        return AGIResult(result: string(resultText), data: data, endpos: endpos,
                         trailer: rest.isEmpty ? nil : string(rest))
    }
}

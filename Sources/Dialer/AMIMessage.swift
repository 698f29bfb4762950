/// One Asterisk Manager Interface message: `Key: Value` lines ended by an empty line.
///
/// Used both ways: actions TouchBase sends (`Action: Originate`) and the responses and events
/// Asterisk sends (`Response: Success`, `Event: OriginateResponse`). Headers keep their order and
/// may repeat (`Variable:`); lookups ignore case, as Asterisk's do.
public struct AMIMessage: Sendable, Hashable, CustomStringConvertible {
    /// The headers in order.
    public var headers: [(name: String, value: String)]

    /// Creates a message from headers in order.
    public init(_ headers: [(name: String, value: String)]) {
        self.headers = headers
    }

    /// The first value of a header, ignoring case, or `nil`.
    public subscript(name: String) -> String? {
        headers.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// Every value of a header, ignoring case.
    public func values(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    /// The `ActionID` that ties a response or event to the action that caused it.
    public var actionID: String? { self["ActionID"] }
    /// The event's name, for events.
    public var event: String? { self["Event"] }
    /// `Success`, `Error`, `Follows` or `Goodbye`, for responses.
    public var response: String? { self["Response"] }

    // Tuples are neither Equatable nor Hashable, so both compare through the same pairs.
    private var pairs: [[String]] { headers.map { [$0.0, $0.1] } }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.pairs == rhs.pairs }

    public func hash(into hasher: inout Hasher) { hasher.combine(pairs) }

    public var description: String {
        headers.map { "\($0.name): \($0.value)" }.joined(separator: ", ")
    }

    /// The message as AMI writes it on the wire, ending with the empty line.
    ///
    /// - Throws: ``AMIError/uncarriableValue(header:value:)`` when a name or value holds a line
    ///   break or NUL (it would start a header or a message of its own), or a name holds `:`.
    public func encoded() throws(AMIError) -> String {
        var out = ""
        for (name, value) in headers {
            guard !name.isEmpty, !name.contains(":"), !Self.breaksLine(name) else {
                throw .uncarriableValue(header: name, value: value)
            }
            guard !Self.breaksLine(value) else { throw .uncarriableValue(header: name, value: value) }
            out += "\(name): \(value)\r\n"
        }
        return out + "\r\n"
    }

    private static func breaksLine(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" }
    }
}

private extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && lowercased() == other.lowercased()
    }
}

/// Turns the lines Asterisk's manager sends into messages. Pure: the connection feeds it lines
/// without their line endings.
public struct AMIMessageParser: Sendable {
    /// The most headers accepted in one message (Asterisk's own limit is 128 for actions).
    public let maximumHeaders: Int
    private var sawBanner = false
    private var headers: [(name: String, value: String)] = []

    /// Creates a parser for a new connection, which starts with the banner line.
    public init(maximumHeaders: Int = 512) {
        self.maximumHeaders = maximumHeaders
    }

    /// What one line completed.
    public enum Output: Sendable, Hashable {
        /// The greeting, e.g. `Asterisk Call Manager/13.0.0`, with its version.
        case banner(version: String)
        /// A whole message.
        case message(AMIMessage)
    }

    /// Parses one line; returns what it completes, if anything.
    ///
    /// - Throws: ``AMIError/protocolViolation(_:)`` for a wrong banner, a line that is no header,
    ///   or too many headers.
    public mutating func parse(line rawLine: Substring) throws(AMIError) -> Output? {
        let line = rawLine.last == "\r" ? rawLine.dropLast() : rawLine
        if !sawBanner {
            guard line.hasPrefix("Asterisk Call Manager/") else {
                throw .protocolViolation("expected the 'Asterisk Call Manager/' greeting, got \(String(line.prefix(80)).debugDescription)")
            }
            sawBanner = true
            return .banner(version: String(line.dropFirst("Asterisk Call Manager/".count)))
        }
        if line.isEmpty {
            guard !headers.isEmpty else { return nil }
            defer { headers = [] }
            return .message(AMIMessage(headers))
        }
        guard let colon = line.firstIndex(of: ":") else {
            throw .protocolViolation("AMI line is not 'Key: Value': \(String(line.prefix(80)).debugDescription)")
        }
        guard headers.count < maximumHeaders else {
            throw .protocolViolation("AMI message with more than \(maximumHeaders) headers")
        }
        var value = line[line.index(after: colon)...]
        if value.first == " " { value = value.dropFirst() }
        headers.append((String(line[..<colon]), String(value)))
        return nil
    }
}

/// Failures talking to Asterisk's manager interface.
public enum AMIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A header or value holds a line break or NUL; nothing was sent.
    case uncarriableValue(header: String, value: String)
    /// Asterisk's answers broke the protocol.
    case protocolViolation(String)
    /// Login was refused; the message is Asterisk's.
    case loginRefused(String)
    /// An action got `Response: Error`; the message is Asterisk's.
    case actionFailed(action: String, message: String)
    /// No answer came in time.
    case timedOut(action: String)
    /// The connection closed.
    case connectionClosed

    public var description: String {
        switch self {
        case .uncarriableValue(let header, let value):
            return "AMI header \(header.debugDescription) value \(value.debugDescription) holds a line break or NUL; refused so it cannot add a header or action"
        case .protocolViolation(let text): return "AMI protocol violation: \(text)"
        case .loginRefused(let message): return "AMI login refused: \(message)"
        case .actionFailed(let action, let message): return "AMI \(action) failed: \(message)"
        case .timedOut(let action): return "AMI \(action): no answer in time"
        case .connectionClosed: return "AMI connection closed"
        }
    }
}

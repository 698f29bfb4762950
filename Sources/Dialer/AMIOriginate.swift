import NIOCore

/// An `Originate` action: the call to place and where it enters the dialplan when answered.
public struct AMIOriginate: Sendable, Hashable {
    /// The channel to dial, `Tech/Destination`.
    public var channel: String
    /// The dialplan context the answered call enters.
    public var context: String
    /// The extension the answered call enters.
    public var `extension`: String
    /// The priority the answered call enters.
    public var priority: Int
    /// How long to ring before giving up.
    public var ringTimeout: Duration
    /// The caller id, e.g. `"Sam Ortiz" <+16175550199>`.
    public var callerID: String?
    /// Channel variables, in order.
    public var variables: [String: String]
    /// The unique id to give the channel, so TouchBase knows it before the call starts.
    public var channelID: String?

    /// Creates an originate request.
    public init(channel: String, context: String, extension: String, priority: Int = 1,
                ringTimeout: Duration = .seconds(45), callerID: String? = nil,
                variables: [String: String] = [:], channelID: String? = nil) {
        self.channel = channel
        self.context = context
        self.extension = `extension`
        self.priority = priority
        self.ringTimeout = ringTimeout
        self.callerID = callerID
        self.variables = variables
        self.channelID = channelID
    }

    var action: AMIMessage {
        var headers: [(String, String)] = [
            ("Action", "Originate"), ("Channel", channel), ("Context", context), ("Exten", `extension`),
            ("Priority", String(priority)),
            ("Timeout", String(Int(ringTimeout / .milliseconds(1)))),
            ("Async", "true"),
        ]
        if let callerID { headers.append(("CallerID", callerID)) }
        if let channelID { headers.append(("ChannelId", channelID)) }
        for (name, value) in variables.sorted(by: { $0.key < $1.key }) { headers.append(("Variable", "\(name)=\(value)")) }
        return AMIMessage(headers)
    }
}

/// How an originated call attempt ended, from the `OriginateResponse` event.
public struct AMIOriginateResult: Sendable, Hashable {
    /// Whether the callee answered and the call entered the dialplan.
    public var answered: Bool
    /// Asterisk's reason code: 0 failed, 1 hung up, 3 ring timeout, 4 answered, 5 busy, 8 congestion.
    public var reason: Int?
    /// The channel's unique id.
    public var uniqueID: String?
    /// The whole event, for the log.
    public var event: AMIMessage

    init(_ event: AMIMessage) {
        self.event = event
        answered = event["Response"] == "Success"
        reason = event["Reason"].flatMap { Int($0) }
        uniqueID = event["Uniqueid"].flatMap { $0 == "<unknown>" ? nil : $0 }
    }
}

/// Frames AMI's CRLF lines into ``AMIMessageParser`` output.
struct AMILineDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = AMIMessageParser.Output
    private var parser = AMIMessageParser()
    private let maximumLineLength = 16_384

    mutating func decode(buffer: inout ByteBuffer) throws -> AMIMessageParser.Output? {
        while true {
            let readable = buffer.readableBytesView
            guard let newline = readable.firstIndex(of: UInt8(ascii: "\n")) else {
                if readable.count > maximumLineLength { throw AMIError.protocolViolation("AMI line longer than \(maximumLineLength) bytes") }
                return nil
            }
            let line = buffer.readString(length: newline - readable.startIndex)!
            buffer.moveReaderIndex(forwardBy: 1)
            if let output = try parser.parse(line: line[...]) { return output }
        }
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> AMIMessageParser.Output? {
        try decode(buffer: &buffer)
    }
}

import NIOCore

/// Frames the bytes Asterisk sends into ``AGIInbound`` values for a SwiftNIO pipeline.
///
/// Splits on `\n` with a bound on line length (Asterisk's own limit is 8,192 bytes), then hands
/// each line to an ``AGIInboundParser``. A line over the bound, or one that breaks the protocol,
/// fails the channel with ``AGIProtocolError``; nothing is guessed.
public struct AGIInboundDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = AGIInbound

    /// The longest line accepted, in bytes, without its `\n`.
    public let maximumLineLength: Int
    private var parser: AGIInboundParser

    /// Creates a decoder at the start of a session.
    ///
    /// - Parameters:
    ///   - maximumLineLength: the longest line accepted; default 8,192 bytes as in Asterisk.
    ///   - maximumEnvironmentLines: the most environment lines before the empty line.
    public init(maximumLineLength: Int = 8192, maximumEnvironmentLines: Int = 256) {
        self.maximumLineLength = maximumLineLength
        self.parser = AGIInboundParser(maximumEnvironmentLines: maximumEnvironmentLines)
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> AGIInbound? {
        while true {
            let readable = buffer.readableBytesView
            guard let newline = readable.firstIndex(of: UInt8(ascii: "\n")) else {
                if readable.count > maximumLineLength {
                    throw AGIProtocolError.lineTooLong(limit: maximumLineLength)
                }
                return nil
            }
            let length = newline - readable.startIndex
            guard length <= maximumLineLength else {
                throw AGIProtocolError.lineTooLong(limit: maximumLineLength)
            }
            let line = buffer.readString(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            if let inbound = try parser.parse(line: line[...]) {
                return inbound
            }
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> AGIInbound? {
        try decode(buffer: &buffer)
    }
}

/// Writes AGI commands as lines for a SwiftNIO pipeline.
public struct AGICommandEncoder: MessageToByteEncoder {
    public typealias OutboundIn = AGICommand

    public init() {}

    public func encode(data: AGICommand, out: inout ByteBuffer) throws {
        out.writeString(data.line)
        out.writeInteger(UInt8(ascii: "\n"))
    }
}

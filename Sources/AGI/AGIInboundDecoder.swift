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
        while buffer.readableBytes > 0 {
            // The line is parsed where it lies in the buffer: no String is made of it.
            let (consumed, inbound) = try buffer.readableBytesView.withContiguousStorageIfAvailable { bytes in
                try nextFrame(in: bytes)
            }!
            buffer.moveReaderIndex(forwardBy: consumed)
            if let inbound { return inbound }
            if consumed == 0 { return nil }
        }
        return nil
    }

    /// Parses the first complete line in `bytes`: how many bytes it took (0 when no line is
    /// complete yet), and the frame it completed, if any.
    private mutating func nextFrame(in bytes: UnsafeBufferPointer<UInt8>) throws -> (Int, AGIInbound?) {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            if bytes.count > maximumLineLength {
                throw AGIProtocolError.lineTooLong(limit: maximumLineLength)
            }
            return (0, nil)
        }
        guard newline <= maximumLineLength else {
            throw AGIProtocolError.lineTooLong(limit: maximumLineLength)
        }
        return (newline + 1, try parser.parse(bytes: UnsafeBufferPointer(rebasing: bytes[..<newline])))
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

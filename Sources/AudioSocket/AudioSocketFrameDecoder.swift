import NIOCore
import struct Foundation.UUID

/// Frames the bytes Asterisk sends into ``AudioSocketFrame`` values for a SwiftNIO pipeline.
///
/// The header's kind and length are checked as soon as the three header bytes are in, before any
/// payload is awaited: an unknown kind, a length over ``maximumPayloadLength``, or a length that
/// does not fit the kind fails at once with ``AudioSocketProtocolError``. A stream that ends inside
/// a frame fails with ``AudioSocketProtocolError/truncatedFrame(bytesReceived:)``.
public struct AudioSocketFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = AudioSocketFrame

    /// The longest payload accepted, in bytes.
    public let maximumPayloadLength: Int

    /// Creates a decoder.
    ///
    /// - Parameter maximumPayloadLength: the longest payload accepted; default 8,192 bytes,
    ///   room for 20 ms at 192 kHz (7,680 bytes). Asterisk's 8 kHz frames are 320 bytes.
    public init(maximumPayloadLength: Int = 8192) {
        self.maximumPayloadLength = maximumPayloadLength
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> AudioSocketFrame? {
        let start = buffer.readerIndex
        guard let kind = buffer.getInteger(at: start, as: UInt8.self),
              let announced = buffer.getInteger(at: start + 1, endianness: .big, as: UInt16.self)
        else { return nil }
        let length = Int(announced)
        try check(kind: kind, length: length)
        guard buffer.readableBytes >= 3 + length else { return nil }
        buffer.moveReaderIndex(forwardBy: 3)
        return try Self.frame(kind: kind, payload: buffer.readSlice(length: length)!)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> AudioSocketFrame? {
        if let frame = try decode(buffer: &buffer) { return frame }
        if buffer.readableBytes > 0 { throw AudioSocketProtocolError.truncatedFrame(bytesReceived: buffer.readableBytes) }
        return nil
    }

    /// Checks a header before its payload is awaited.
    private func check(kind: UInt8, length: Int) throws(AudioSocketProtocolError) {
        let known = [AudioSocketFrame.hangupKind, AudioSocketFrame.uuidKind, AudioSocketFrame.dtmfKind, AudioSocketFrame.errorKind]
        guard known.contains(kind) || AudioSocketSampleRate(rawValue: kind) != nil else { throw .unknownKind(kind) }
        guard length <= maximumPayloadLength else {
            throw .payloadTooLong(kind: kind, length: length, limit: maximumPayloadLength)
        }
        let expected: String?
        switch kind {
        case AudioSocketFrame.hangupKind: expected = length == 0 ? nil : "no payload"
        case AudioSocketFrame.uuidKind: expected = length == 16 ? nil : "16 bytes of UUID"
        case AudioSocketFrame.dtmfKind: expected = length == 1 ? nil : "1 byte of DTMF digit"
        case AudioSocketFrame.errorKind: expected = nil
        default: expected = length > 0 && length % 2 == 0 ? nil : "a whole number of 16-bit samples"
        }
        if let expected { throw .malformedPayload(kind: kind, length: length, expected: expected) }
    }

    /// The frame a checked header and its payload make.
    private static func frame(kind: UInt8, payload: ByteBuffer) throws(AudioSocketProtocolError) -> AudioSocketFrame {
        switch kind {
        case AudioSocketFrame.hangupKind:
            return .hangup
        case AudioSocketFrame.uuidKind:
            let bytes = payload.getBytes(at: payload.readerIndex, length: 16)!
            return .uuid(UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                                     bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15])))
        case AudioSocketFrame.dtmfKind:
            let digit = payload.getInteger(at: payload.readerIndex, as: UInt8.self)!
            guard AudioSocketFrame.dtmfDigits.contains(digit) else {
                throw .malformedPayload(kind: kind, length: 1, expected: "a DTMF digit (0-9, *, #, A-D), not \(AudioSocketProtocolError.hex(digit))")
            }
            return .dtmf(Character(Unicode.Scalar(digit)))
        case AudioSocketFrame.errorKind:
            return .error(payload.getInteger(at: payload.readerIndex, as: UInt8.self).map(AudioSocketErrorCode.init(rawValue:)))
        default:
            return .audio(payload, rate: AudioSocketSampleRate(rawValue: kind)!)
        }
    }
}

/// Writes ``AudioSocketFrame`` values as bytes for a SwiftNIO pipeline.
public struct AudioSocketFrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = AudioSocketFrame

    /// Creates an encoder.
    public init() {}

    public func encode(data: AudioSocketFrame, out: inout ByteBuffer) throws {
        out.writeInteger(data.kind)
        switch data {
        case .hangup:
            out.writeInteger(UInt16(0), endianness: .big)
        case .uuid(let id):
            out.writeInteger(UInt16(16), endianness: .big)
            withUnsafeBytes(of: id.uuid) { _ = out.writeBytes($0) }
        case .dtmf(let digit):
            out.writeInteger(UInt16(1), endianness: .big)
            out.writeInteger(digit.asciiValue ?? UInt8(ascii: "?"))
        case .audio(var payload, _):
            guard payload.readableBytes <= Int(UInt16.max) else {
                throw AudioSocketProtocolError.payloadTooLong(kind: data.kind, length: payload.readableBytes, limit: Int(UInt16.max))
            }
            out.writeInteger(UInt16(payload.readableBytes), endianness: .big)
            out.writeBuffer(&payload)
        case .error(let code):
            out.writeInteger(UInt16(code == nil ? 0 : 1), endianness: .big)
            if let code { out.writeInteger(code.rawValue) }
        }
    }
}

/// A violation of the AudioSocket protocol by the peer: what arrived and why it cannot be
/// understood. The connection is closed; nothing is guessed.
public enum AudioSocketProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A frame kind the protocol does not define (kinds are 0x00, 0x01, 0x03, 0x10–0x18, 0xFF).
    case unknownKind(UInt8)
    /// A payload longer than the limit this server accepts.
    case payloadTooLong(kind: UInt8, length: Int, limit: Int)
    /// A payload whose length or content does not fit its kind.
    case malformedPayload(kind: UInt8, length: Int, expected: String)
    /// The stream ended inside a frame: this many bytes of it had arrived.
    case truncatedFrame(bytesReceived: Int)
    /// A frame that is well formed but out of place, e.g. audio before the UUID frame.
    case unexpectedFrame(kind: UInt8, during: String)
    /// The peer closed the connection before it sent the UUID frame.
    case closedBeforeUUID

    public var description: String {
        switch self {
        case .unknownKind(let kind):
            return "AudioSocket frame of unknown kind \(Self.hex(kind))"
        case .payloadTooLong(let kind, let length, let limit):
            return "AudioSocket frame of kind \(Self.hex(kind)) announces \(length) bytes, over the limit of \(limit)"
        case .malformedPayload(let kind, let length, let expected):
            return "AudioSocket frame of kind \(Self.hex(kind)) with \(length) bytes of payload: expected \(expected)"
        case .truncatedFrame(let bytes):
            return "AudioSocket stream ended inside a frame (\(bytes) bytes of it received)"
        case .unexpectedFrame(let kind, let during):
            return "AudioSocket frame of kind \(Self.hex(kind)) is out of place \(during)"
        case .closedBeforeUUID:
            return "the AudioSocket peer closed the connection before sending its UUID frame"
        }
    }

    static func hex(_ byte: UInt8) -> String {
        "0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
    }
}

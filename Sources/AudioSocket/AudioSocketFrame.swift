import NIOCore
import struct Foundation.UUID

/// One AudioSocket message, as Asterisk's res_audiosocket frames it: one byte of kind, two bytes
/// of payload length (big-endian), then the payload.
///
/// Asterisk sends ``uuid(_:)`` first, then ``audio(_:rate:)`` and ``dtmf(_:)``; it never sends
/// ``hangup`` (a callee who hangs up closes the socket). A server sends audio and, to end the
/// application with 0 so the dialplan goes on, ``hangup``.
public enum AudioSocketFrame: Sendable, Hashable {
    /// Kind `0x00`, no payload: the server asks Asterisk to end the application.
    case hangup
    /// Kind `0x01`, 16 bytes: the call's identifier, as given to `AudioSocket(uuid,host:port)`.
    case uuid(UUID)
    /// Kind `0x03`, 1 byte: a DTMF digit the callee pressed (`0`–`9`, `*`, `#`, `A`–`D`).
    case dtmf(Character)
    /// Kinds `0x10`–`0x18`: signed 16-bit little-endian mono samples at the kind's rate.
    case audio(ByteBuffer, rate: AudioSocketSampleRate)
    /// Kind `0xFF`: an error on Asterisk's side, with its code when the payload carries one.
    case error(AudioSocketErrorCode?)

    /// Kind byte of a hangup frame.
    public static let hangupKind: UInt8 = 0x00
    /// Kind byte of a UUID frame.
    public static let uuidKind: UInt8 = 0x01
    /// Kind byte of a DTMF frame.
    public static let dtmfKind: UInt8 = 0x03
    /// Kind byte of an error frame.
    public static let errorKind: UInt8 = 0xFF

    /// The DTMF digits Asterisk can send.
    static let dtmfDigits: Set<UInt8> = Set("0123456789*#ABCD".utf8)

    /// The kind byte this frame is sent with.
    public var kind: UInt8 {
        switch self {
        case .hangup: return Self.hangupKind
        case .uuid: return Self.uuidKind
        case .dtmf: return Self.dtmfKind
        case .audio(_, let rate): return rate.rawValue
        case .error: return Self.errorKind
        }
    }

    /// An 8 kHz audio frame holding these samples, little-endian as Asterisk reads them.
    ///
    /// - Parameters:
    ///   - samples: the samples, in order.
    ///   - allocator: where the payload's buffer comes from.
    /// - Returns: a ``audio(_:rate:)`` frame at ``AudioSocketSampleRate/slin8k``.
    public static func audio(samples: some Collection<Int16>, allocator: ByteBufferAllocator = .init()) -> AudioSocketFrame {
        var payload = allocator.buffer(capacity: samples.count * 2)
        for sample in samples { payload.writeInteger(sample, endianness: .little) }
        return .audio(payload, rate: .slin8k)
    }

    /// Reads little-endian 16-bit samples out of an audio payload (a trailing odd byte is not read).
    ///
    /// - Parameter payload: an audio frame's payload.
    /// - Returns: the samples, in order.
    public static func samples(of payload: ByteBuffer) -> [Int16] {
        let count = payload.readableBytes / 2
        return [Int16](unsafeUninitializedCapacity: count) { samples, initialized in
            payload.withUnsafeReadableBytes { bytes in
                for index in 0..<count {
                    samples[index] = Int16(bitPattern: UInt16(bytes[2 * index]) | UInt16(bytes[2 * index + 1]) << 8)
                }
            }
            initialized = count
        }
    }
}

/// The sample rate of an audio frame, named by its kind byte (`0x10` is 8 kHz, the only rate the
/// `AudioSocket()` dialplan application sends; the others come from the AudioSocket channel driver).
public enum AudioSocketSampleRate: UInt8, Sendable, Hashable, CaseIterable {
    /// 8 kHz signed linear (`slin`), kind `0x10`.
    case slin8k = 0x10
    /// 12 kHz, kind `0x11`.
    case slin12k = 0x11
    /// 16 kHz, kind `0x12`.
    case slin16k = 0x12
    /// 24 kHz, kind `0x13`.
    case slin24k = 0x13
    /// 32 kHz, kind `0x14`.
    case slin32k = 0x14
    /// 44.1 kHz, kind `0x15`.
    case slin44k = 0x15
    /// 48 kHz, kind `0x16`.
    case slin48k = 0x16
    /// 96 kHz, kind `0x17`.
    case slin96k = 0x17
    /// 192 kHz, kind `0x18`.
    case slin192k = 0x18

    /// Samples per second.
    public var hertz: Int {
        switch self {
        case .slin8k: return 8_000
        case .slin12k: return 12_000
        case .slin16k: return 16_000
        case .slin24k: return 24_000
        case .slin32k: return 32_000
        case .slin44k: return 44_100
        case .slin48k: return 48_000
        case .slin96k: return 96_000
        case .slin192k: return 192_000
        }
    }
}

/// The code an error frame (`0xFF`) carries: its payload's first byte.
///
/// The protocol's description lists three codes Asterisk may send; any other byte is kept as is.
public struct AudioSocketErrorCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The byte as sent.
    public var rawValue: UInt8

    /// Wraps a code byte.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `0x01`: the calling party hung up.
    public static let callerHungUp = AudioSocketErrorCode(rawValue: 0x01)
    /// `0x02`: Asterisk could not forward a frame.
    public static let frameForwardingFailed = AudioSocketErrorCode(rawValue: 0x02)
    /// `0x04`: Asterisk could not allocate memory.
    public static let memoryError = AudioSocketErrorCode(rawValue: 0x04)

    public var description: String {
        switch self {
        case .callerHungUp: return "calling party hung up (0x01)"
        case .frameForwardingFailed: return "frame forwarding failed (0x02)"
        case .memoryError: return "memory error (0x04)"
        default: return "application error 0x" + String(rawValue, radix: 16, uppercase: true)
        }
    }
}

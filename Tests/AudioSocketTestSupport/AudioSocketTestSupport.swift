import AudioSocket
import Foundation
import NIOCore
import NIOEmbedded
import Synchronization

/// The recorded sessions in Tests/Fixtures/audiosocket, read from inside the repository.
public enum AudioSocketFixture: String, CaseIterable, Sendable {
    case greetingAndBeep = "mailbox-greeting-beep.bin"
    case messagePlayed = "mailbox-message-played.bin"
    case calleeHangsUp = "callee-hangs-up.bin"

    /// The UUID every recording's dialplan gave `AudioSocket()`.
    public static let callID = UUID(uuidString: "3c6e2f1a-9b0d-4e57-8a21-5f0c7d9e4b12")!

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/audiosocket")

    /// Every byte Asterisk sent, in order.
    public var bytes: [UInt8] { Self.file(rawValue) }

    /// The message streamed into the mailbox: 8 kHz signed 16-bit little-endian samples.
    public static var messageSamples: [Int16] {
        AudioSocketFrame.samples(of: ByteBuffer(bytes: file("message-sent.sln")))
    }

    /// The raw message file.
    public static var messageBytes: [UInt8] { file("message-sent.sln") }

    static func file(_ name: String) -> [UInt8] {
        Array(try! Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

/// A connection's pipeline without its NIOAsyncChannel, on an EmbeddedChannel.
public func makeAudioSocketPipeline() throws -> (EmbeddedChannel, AudioSocketSessionHandler) {
    let channel = EmbeddedChannel()
    let session = AudioSocketSessionHandler(eventLoop: channel.eventLoop)
    try channel.pipeline.syncOperations.addHandlers([
        ByteToMessageHandler(AudioSocketFrameDecoder()), MessageToByteHandler(AudioSocketFrameEncoder()), session,
    ])
    return (channel, session)
}

/// Feeds bytes in chunks of `chunkSize` and collects the events that come out.
public func replay(_ bytes: [UInt8], into channel: EmbeddedChannel, chunkSize: Int = 1000) throws -> [AudioSocketEvent] {
    var events: [AudioSocketEvent] = []
    for start in stride(from: 0, to: bytes.count, by: chunkSize) {
        try channel.writeInbound(ByteBuffer(bytes: bytes[start..<min(start + chunkSize, bytes.count)]))
        while let event = try channel.readInbound(as: AudioSocketEvent.self) { events.append(event) }
    }
    return events
}

/// Encodes frames to bytes as they go on the wire.
public func wireBytes(_ frames: [AudioSocketFrame]) throws -> [UInt8] {
    var out = ByteBuffer()
    for frame in frames { try AudioSocketFrameEncoder().encode(data: frame, out: &out) }
    return Array(out.readableBytesView)
}

/// A clock whose sleeps return at once, moving its time to their deadline: pacing is checked
/// against its readings with no waiting.
public final class InstantClock: Clock {
    /// Creates a clock at time zero.
    public init() {}

    /// A reading: the time since the clock started.
    public struct Instant: InstantProtocol {
        /// The time since the clock started.
        public var offset: Duration
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let current = Mutex(Instant(offset: .zero))

    public var now: Instant { current.withLock { $0 } }
    public var minimumResolution: Duration { .zero }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        current.withLock { $0 = max($0, deadline) }
        await Task.yield()
    }

    /// Moves time on, as a write that stalls would.
    public func advance(by duration: Duration) {
        current.withLock { $0 = $0.advanced(by: duration) }
    }
}

extension AudioSocketFixture {
    /// The events a handler receives from this recording, after its UUID.
    public func events() throws -> [AudioSocketEvent] {
        let (channel, _) = try makeAudioSocketPipeline()
        return try replay(bytes, into: channel)
    }
}

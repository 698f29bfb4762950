/// A message's audio as the browser plays it: the `.sln16` file Asterisk streamed (16-bit
/// signed linear, 16 kHz, mono, little-endian) with a RIFF/WAVE header in front. Pure.
enum MessageWAV {
    static let sampleRate: UInt32 = 16_000

    /// The WAV file of raw `.sln16` samples; an odd trailing byte is dropped.
    static func wrap(sln16 samples: [UInt8]) -> [UInt8] {
        let dataLength = UInt32(samples.count & ~1)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(44 + Int(dataLength))
        func le32(_ value: UInt32) { bytes += withUnsafeBytes(of: value.littleEndian, Array.init) }
        func le16(_ value: UInt16) { bytes += withUnsafeBytes(of: value.littleEndian, Array.init) }
        bytes += Array("RIFF".utf8); le32(36 + dataLength); bytes += Array("WAVE".utf8)
        bytes += Array("fmt ".utf8); le32(16); le16(1); le16(1); le32(sampleRate); le32(sampleRate * 2); le16(2); le16(16)
        bytes += Array("data".utf8); le32(dataLength)
        bytes += samples.prefix(Int(dataLength))
        return bytes
    }
}

import Foundation

extension PCMAudio {
    /// The samples as signed 16-bit little-endian bytes, as `.sln` files and AudioSocket hold them.
    public var pcm16Bytes: [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(samples.count * 2)
        for sample in samples {
            let bits = UInt16(bitPattern: sample)
            bytes.append(UInt8(bits & 0xFF))
            bytes.append(UInt8(bits >> 8))
        }
        return bytes
    }
}

extension MessageAudio {
    /// A rendered message's audio as AudioSocket sends it: 8 kHz signed 16-bit mono samples.
    ///
    /// Read from the `.sln8` beside the `.sln16` when one is there, else converted from the
    /// `.sln16` (16 kHz, as Asterisk plays it) and kept as the `.sln8` for the next call.
    ///
    /// - Parameter path: a ``path`` as rendered, without extension.
    /// - Returns: the samples.
    /// - Throws: ``SpeechError`` naming the file when the audio is missing or cannot be read.
    public static func narrowbandSamples(atPath path: String) throws -> [Int16] {
        if let bytes = FileManager.default.contents(atPath: path + ".sln8"), !bytes.isEmpty {
            return AudioDecoding.pcm16([UInt8](bytes))
        }
        guard let wide = FileManager.default.contents(atPath: path + ".sln16"), !wide.isEmpty else {
            throw SpeechError.badAudio("the message audio \(path).sln16 is missing or empty")
        }
        let narrow = try PCMAudio(samples: AudioDecoding.pcm16([UInt8](wide)), sampleRate: 16_000).resampled(to: 8_000)
        // A cache only: a folder that cannot be written still plays the message.
        try? MessageSpeaker.writeAtomically(narrow.pcm16Bytes, to: path + ".sln8")
        return narrow.samples
    }
}

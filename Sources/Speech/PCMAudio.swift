import CSoxr
import Foundation

/// Mono 16-bit linear audio at a sample rate.
public struct PCMAudio: Sendable, Hashable {
    /// The samples.
    public var samples: [Int16]
    /// Samples a second.
    public var sampleRate: Int

    /// Creates audio.
    public init(samples: [Int16], sampleRate: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
    }

    /// The length in seconds.
    public var duration: Double { sampleRate > 0 ? Double(samples.count) / Double(sampleRate) : 0 }

    /// The same audio at another rate, resampled with libsoxr (high quality).
    public func resampled(to rate: Int) throws -> PCMAudio {
        guard rate != sampleRate else { return self }
        guard rate > 0, sampleRate > 0 else { throw SpeechError.badAudio("cannot resample from \(sampleRate) Hz to \(rate) Hz") }
        let outCount = Int((Double(samples.count) * Double(rate) / Double(sampleRate)).rounded(.up)) + 16
        var output = [Int16](repeating: 0, count: outCount)
        var done = 0
        var io = soxr_io_spec(SOXR_INT16_I, SOXR_INT16_I)
        var quality = soxr_quality_spec(UInt(SOXR_HQ), 0)
        let error = samples.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                soxr_oneshot(Double(sampleRate), Double(rate), 1, input.baseAddress, input.count, nil,
                             out.baseAddress, out.count, &done, &io, &quality, nil)
            }
        }
        if let error { throw SpeechError.badAudio("libsoxr: \(String(cString: error))") }
        return PCMAudio(samples: Array(output.prefix(done)), sampleRate: rate)
    }

    /// The audio without the silence before the first word, keeping `lead` seconds of it, so the
    /// words start right after the beep.
    public func trimmingLeadingSilence(threshold: Int16 = 500, lead: Double = 0.05) -> PCMAudio {
        guard let first = samples.firstIndex(where: { abs(Int($0)) > Int(threshold) }) else { return self }
        let keep = max(0, first - Int(lead * Double(sampleRate)))
        return PCMAudio(samples: Array(samples[keep...]), sampleRate: sampleRate)
    }

    /// The audio brought to a loudness: RMS at `targetRMSdBFS`, peaks no higher than `peakdBFS`.
    public func normalized(targetRMSdBFS: Double = -20, peakdBFS: Double = -1) -> PCMAudio {
        guard !samples.isEmpty else { return self }
        var sum = 0.0
        var peak = 0
        for s in samples {
            sum += Double(s) * Double(s)
            peak = max(peak, abs(Int(s)))
        }
        let rms = (sum / Double(samples.count)).squareRoot()
        guard rms > 1, peak > 0 else { return self }
        let wanted = 32767 * pow(10, targetRMSdBFS / 20) / rms
        let ceiling = 32767 * pow(10, peakdBFS / 20) / Double(peak)
        let gain = min(wanted, ceiling)
        return PCMAudio(samples: samples.map { Int16(clamping: Int((Double($0) * gain).rounded())) }, sampleRate: sampleRate)
    }
}

/// Decoding the audio formats speech providers send.
public enum AudioDecoding {
    /// Decodes a WAV file: PCM 16-bit (mono or stereo, mixed down), or 8-bit mu-law.
    ///
    /// A streamed WAV whose RIFF or data size is 0 or 0xFFFFFFFF (as Piper and others send when
    /// they do not know the length up front, and which Asterisk's own reader refuses) is read to
    /// the end of the bytes.
    public static func wav(_ bytes: [UInt8]) throws -> PCMAudio {
        func u32(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 | Int(bytes[i + 3]) << 24 }
        func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WAVE".utf8) else {
            throw SpeechError.badAudio("not a WAV file (no RIFF/WAVE header)")
        }
        var offset = 12
        var format: (code: Int, channels: Int, rate: Int, bits: Int)?
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            var size = u32(offset + 4)
            let start = offset + 8
            if id == "fmt " {
                guard start + 16 <= bytes.count else { throw SpeechError.badAudio("WAV fmt chunk is truncated") }
                format = (u16(start), u16(start + 2), u32(start + 4), u16(start + 14))
            } else if id == "data" {
                guard let format else { throw SpeechError.badAudio("WAV data chunk comes before its fmt chunk") }
                if size == 0 || size == 0xFFFF_FFFF || start + size > bytes.count { size = bytes.count - start }
                let data = Array(bytes[start..<start + size])
                switch (format.code, format.bits) {
                case (1, 16), (0xFFFE, 16):
                    return PCMAudio(samples: mixDown(pcm16(data), channels: format.channels), sampleRate: format.rate)
                case (7, 8):
                    return PCMAudio(samples: mixDown(data.map(MuLaw.decode), channels: format.channels), sampleRate: format.rate)
                default:
                    throw SpeechError.badAudio("WAV format \(format.code) with \(format.bits)-bit samples is not supported (16-bit PCM or mu-law)")
                }
            }
            offset = start + size + (size & 1)
        }
        throw SpeechError.badAudio("WAV file has no data chunk")
    }

    /// Decodes raw 16-bit little-endian PCM.
    public static func pcm16(_ bytes: [UInt8]) -> [Int16] {
        var samples = [Int16](repeating: 0, count: bytes.count / 2)
        for i in 0..<samples.count { samples[i] = Int16(bitPattern: UInt16(bytes[2 * i]) | UInt16(bytes[2 * i + 1]) << 8) }
        return samples
    }

    static func mixDown(_ samples: [Int16], channels: Int) -> [Int16] {
        guard channels > 1 else { return samples }
        return stride(from: 0, to: samples.count - channels + 1, by: channels).map { i in
            Int16(clamping: (i..<i + channels).reduce(0) { $0 + Int(samples[$1]) } / channels)
        }
    }
}

/// G.711 mu-law, the format Asterisk's `.ulaw` files hold.
public enum MuLaw {
    /// Encodes one linear sample.
    public static func encode(_ sample: Int16) -> UInt8 {
        let bias = 0x84, clip = 32635
        var value = Int(sample)
        let sign = value < 0 ? 0x80 : 0
        if value < 0 { value = -value }
        value = min(value, clip) + bias
        var exponent = 7
        var mask = 0x4000
        while exponent > 0 && value & mask == 0 {
            exponent -= 1
            mask >>= 1
        }
        let mantissa = (value >> (exponent + 3)) & 0x0F
        return ~UInt8(sign | exponent << 4 | mantissa)
    }

    /// Decodes one mu-law byte.
    public static func decode(_ byte: UInt8) -> Int16 {
        let value = ~byte
        let sign = value & 0x80
        let exponent = Int((value >> 4) & 0x07)
        let mantissa = Int(value & 0x0F)
        let magnitude = ((mantissa << 3) + 0x84) << exponent - 0x84
        return Int16(sign != 0 ? -magnitude : magnitude)
    }
}

/// A speech or audio failure, in words an administrator can act on.
public enum SpeechError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The audio could not be decoded or converted.
    case badAudio(String)
    /// The provider answered with an error.
    case provider(name: String, status: Int, message: String)
    /// Every voice in the chain failed; each failure is listed.
    case allVoicesFailed([String])
    /// A file could not be written.
    case file(path: String, reason: String)

    public var description: String {
        switch self {
        case .badAudio(let why): return "audio: \(why)"
        case .provider(let name, let status, let message): return "\(name) answered HTTP \(status): \(message)"
        case .allVoicesFailed(let failures): return "no voice could speak the message: " + failures.joined(separator: "; ")
        case .file(let path, let reason): return "\(path): \(reason)"
        }
    }
}

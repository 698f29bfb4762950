import Crypto

/// The digests Speech needs, over swift-crypto: the audio cache's content addresses and AWS
/// request signing both want lower-case hex and plain byte arrays.
extension SHA256 {
    /// The SHA-256 digest of `message` as lower-case hex.
    static func hex(_ message: [UInt8]) -> String {
        hexString(Array(hash(data: message)))
    }

    /// HMAC-SHA256 (RFC 2104): the 32-byte authentication code of `message` under `key`.
    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    /// Bytes as lower-case hex, two digits each.
    static func hexString(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

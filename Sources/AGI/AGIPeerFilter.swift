#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Which peers may open FastAGI sessions.
///
/// FastAGI has no authentication: anyone who reaches the port can ask TouchBase to act on a call.
/// Loopback peers (127.0.0.0/8, ::1) are always allowed; any other peer must match an entry,
/// written as an address (`192.0.2.10`, `2001:db8::5`) or a network (`192.0.2.0/24`).
public struct AGIPeerFilter: Sendable, Hashable, CustomStringConvertible {
    private struct Network: Sendable, Hashable {
        var bytes: [UInt8]
        var prefixLength: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefixLength
            for (a, b) in zip(address, bytes) where remaining > 0 {
                let bits = min(8, remaining)
                let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if a & mask != b & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    private let networks: [Network]
    private let entries: [String]

    /// Creates a filter from address or network entries.
    ///
    /// - Throws: ``AGIPeerFilterError`` naming the first entry that is not an address or network.
    public init(allowing entries: [String]) throws(AGIPeerFilterError) {
        var networks: [Network] = []
        for entry in entries {
            let parts = entry.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let bytes = Self.addressBytes(String(parts[0])) else { throw .notAnAddress(entry) }
            var prefix = bytes.count * 8
            if parts.count == 2 {
                guard let value = Int(parts[1]), (0...bytes.count * 8).contains(value) else {
                    throw .notAnAddress(entry)
                }
                prefix = value
            }
            networks.append(Network(bytes: bytes, prefixLength: prefix))
        }
        self.networks = networks
        self.entries = entries
    }

    /// This filter with more entries allowed.
    ///
    /// - Throws: ``AGIPeerFilterError`` naming the first new entry that is not an address or network.
    public func adding(_ more: [String]) throws(AGIPeerFilterError) -> AGIPeerFilter {
        try AGIPeerFilter(allowing: entries + more)
    }

    /// A filter that allows loopback peers only.
    public static let loopbackOnly = try! AGIPeerFilter(allowing: [])

    /// Whether a peer with this textual IP address may open a session.
    public func allows(ipAddress: String) -> Bool {
        guard let bytes = Self.addressBytes(ipAddress) else { return false }
        return allows(addressBytes: bytes)
    }

    /// Whether the peer of an accepted connection may open a session.
    ///
    /// Reads the address's bytes: formatting it as text first would cost more than the check.
    public func allows(_ peer: SocketAddress) -> Bool {
        switch peer {
        case .v4(let address):
            return allows(addressBytes: withUnsafeBytes(of: address.address.sin_addr) { Array($0) })
        case .v6(let address):
            return allows(addressBytes: withUnsafeBytes(of: address.address.sin6_addr) { Array($0) })
        case .unixDomainSocket:
            return false
        }
    }

    /// Whether a peer with this address, in network byte order (4 bytes for IPv4, 16 for IPv6),
    /// may open a session. An IPv4 address mapped into IPv6 (`::ffff:a.b.c.d`) counts as IPv4.
    private func allows(addressBytes: [UInt8]) -> Bool {
        var bytes = addressBytes
        if bytes.count == 16, bytes[..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12...])
        }
        if Self.isLoopback(bytes) { return true }
        return networks.contains { $0.contains(bytes) }
    }

    public var description: String {
        entries.isEmpty ? "loopback only" : "loopback and " + entries.joined(separator: ", ")
    }

    /// Whether a textual address is a loopback address.
    public static func isLoopback(_ ipAddress: String) -> Bool {
        if ipAddress == "localhost" { return true }
        return addressBytes(ipAddress).map(isLoopback) ?? false
    }

    private static func isLoopback(_ bytes: [UInt8]) -> Bool {
        if bytes.count == 4 { return bytes[0] == 127 }
        return bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    private static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}

/// An allow-list entry that is not an IP address or network.
public enum AGIPeerFilterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The entry, as written.
    case notAnAddress(String)

    public var description: String {
        switch self {
        case .notAnAddress(let entry):
            return "allowed peer '\(entry)' is not an IP address or network (examples: 192.0.2.10, 192.0.2.0/24, 2001:db8::/32)"
        }
    }
}

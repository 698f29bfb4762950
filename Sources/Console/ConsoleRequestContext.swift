import Hummingbird
import NIOCore

/// The request context of the console: Hummingbird's, with the peer's address for throttling.
public struct ConsoleRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connected peer: the client, or the reverse proxy in front of it.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// The client's address: the peer's own, or, when the peer is a trusted proxy, the address
/// the proxy wrote last into `X-Forwarded-For`.
struct ClientAddress {
    let trustedProxies: Set<String>

    func of(peer: String?, forwardedFor: String?) -> String {
        let peer = peer ?? "unknown"
        guard trustedProxies.contains(peer), let forwardedFor else { return peer }
        // Walk from the right: the nearest hop the trusted proxies did not add is the client.
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.reversed().first { !trustedProxies.contains($0) } ?? peer
    }
}

import NIOCore
import Settings

extension FastAGIServer.Configuration {
    /// Reads the `[agi]` section; settings it leaves out keep their defaults.
    ///
    /// - Throws: ``SettingsProblem`` naming the key: a port out of range, a peer that is not an
    ///   address or network, a timeout that is not a number of seconds above 0.
    public init(reading settings: inout SettingsReader) throws {
        self.init()
        if let host = try settings.string("host") { self.host = host }
        if let port = try settings.int("port", in: 0...65535) { self.port = port }
        if let peers = try settings.strings("allowed_peers") {
            do {
                allowedPeers = try AGIPeerFilter(allowing: peers)
            } catch {
                throw settings.error("allowed_peers", String(describing: error))
            }
        }
        func amount(_ seconds: Double) -> TimeAmount { .nanoseconds(Int64(seconds * 1_000_000_000)) }
        if let seconds = try settings.positiveSeconds("environment_timeout_seconds") { environmentTimeout = amount(seconds) }
        if let seconds = try settings.positiveSeconds("session_timeout_seconds") { sessionTimeout = amount(seconds) }
        if let seconds = try settings.positiveSeconds("shutdown_grace_seconds") { shutdownGracePeriod = amount(seconds) }
    }
}

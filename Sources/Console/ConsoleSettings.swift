import Foundation
import Settings

/// `[console]`: where `touchbase serve` answers the web console, and what it trusts.
public struct ConsoleSettings: Sendable, Hashable {
    /// The address the console binds.
    public var host = "127.0.0.1"
    /// Its port; 0 turns the console off.
    public var port = 8080
    /// Whether a reverse proxy terminates TLS in front of the console: session cookies are then
    /// marked `Secure`.
    public var behindTLSProxy = false
    /// The proxies' addresses whose `X-Forwarded-For` is believed; from any other peer the
    /// header is ignored and the peer's own address is the client's.
    public var trustedProxies: [String] = []
    /// How long a session lasts without use, in seconds.
    public var sessionSeconds: Double = 8 * 3600
    /// The zone times are shown in (Today, Report, System) when the browser does not say its
    /// own; by default the machine's. A browser's zone, sent by the console's script, wins.
    public var timeZone = TimeZone.current.identifier

    /// The defaults.
    public init() {}
}

extension ConsoleSettings {
    /// Reads the `[console]` section; settings it leaves out keep their defaults.
    ///
    /// - Throws: ``SettingsProblem`` naming the key of a value of the wrong type or a port out
    ///   of range.
    public init(reading settings: inout SettingsReader) throws {
        self.init()
        if let host = try settings.string("host") { self.host = host }
        if let port = try settings.int("port", in: 0...65535) { self.port = port }
        if let behind = try settings.bool("behind_tls_proxy") { behindTLSProxy = behind }
        if let proxies = try settings.strings("trusted_proxies") { trustedProxies = proxies }
        if let seconds = try settings.positiveSeconds("session_seconds") { sessionSeconds = seconds }
        if let zone = try settings.string("time_zone") {
            guard TimeZone(identifier: zone) != nil else {
                throw settings.error("time_zone", "\"\(zone)\" is not a time zone; use a name such as \"America/New_York\" or \"UTC\"")
            }
            timeZone = zone
        }
    }
}

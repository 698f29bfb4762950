import Settings

/// `[metrics]`: where Prometheus scrapes `touchbase serve`.
public struct MetricsSettings: Sendable, Hashable {
    /// The address the metrics server binds.
    public var host = "127.0.0.1"
    /// Its port; 0 turns the metrics server off.
    public var port = 9464

    /// The defaults.
    public init() {}
}

extension MetricsSettings {
    /// Reads the `[metrics]` section; settings it leaves out keep their defaults.
    ///
    /// - Throws: ``SettingsProblem`` naming the key of a value of the wrong type or a port out
    ///   of range.
    public init(reading settings: inout SettingsReader) throws {
        self.init()
        if let host = try settings.string("host") { self.host = host }
        if let port = try settings.int("port", in: 0...65535) { self.port = port }
    }
}

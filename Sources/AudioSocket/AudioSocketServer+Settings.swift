import Settings

extension AudioSocketServer.Configuration {
    /// Reads the `[audiosocket]` section (`host`, `port`); settings it leaves out keep their
    /// defaults. The peer allow-list is FastAGI's (`[agi] allowed_peers`), set by the caller.
    ///
    /// - Throws: ``SettingsProblem`` naming the key: a host that is empty, a port out of range.
    public init(reading settings: inout SettingsReader) throws {
        self.init()
        if let host = try settings.string("host") {
            guard !host.isEmpty else { throw settings.error("host", "must be an address, e.g. \"127.0.0.1\"") }
            self.host = host
        }
        if let port = try settings.int("port", in: 0...65535) { self.port = port }
    }
}

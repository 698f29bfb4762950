import AGI
import AudioSocket
import Cadence
import Console
import Dialer
import Settings
import Speech
import Store
import Telemetry
import VoicemailDrop

/// Everything TouchBase can be told, with a default for each setting: the composition of each
/// module's own settings, read from one TOML file.
///
/// Read from `touchbase.toml`, or the path given by `--config` or `TOUCHBASE_CONFIG`; with no
/// file at all, the defaults run a FastAGI server on 127.0.0.1:4573 and keep data in
/// `touchbase.sqlite` in the working directory. Each section is read by the module that owns
/// it (``FastAGIServer/Configuration/init(reading:)``, ``CallingPolicy/init(reading:)``,
/// ``SpeechSettings/init(reading:)``, ``CallHandlingSettings/init(reading:)``,
/// ``DialerSettings/init(reading:)``, ``AudioSocketServer/Configuration/init(reading:)``,
/// ``GreetingCallSettings/init(reading:)``, ``MetricsSettings/init(reading:)``, ``ConsoleSettings/init(reading:)``); this layer knows the
/// file, its syntax and its lines. `touchbase.example.toml` in the repository lists every
/// setting with its default; the README's configuration section explains each.
public struct TouchBaseConfiguration: Sendable {
    /// The FastAGI server's settings (`[agi]`).
    public var agi = FastAGIServer.Configuration()
    /// The SQLite database file (`[database] path`).
    public var databasePath = "touchbase.sqlite"
    /// The shared PostgreSQL database (`[database] url`, `password_env`, `tls`); it replaces the
    /// SQLite file when set.
    public var sharedDatabase: SharedDatabaseSettings?
    /// The follow-up cadence's rules (`[cadence]`).
    public var policy = CallingPolicy()
    /// Voices, templates and the sounds folder (`[speech]`).
    public var speech = SpeechSettings()
    /// How the routes treat answered calls (`[calls]`).
    public var calls = CallHandlingSettings()
    /// The dialer inside `touchbase serve` (`[dialer]`).
    public var dialer = DialerSettings()
    /// The AudioSocket server the `touchbase` detector listens on (`[audiosocket]`); its peer
    /// allow-list is FastAGI's.
    public var audioSocket = AudioSocketServer.Configuration()
    /// The greeting analysis's thresholds and listening limit (`[greeting]`).
    public var greeting = GreetingCallSettings()
    /// Where Prometheus metrics are served (`[metrics]`).
    public var metrics = MetricsSettings()
    /// The web console (`[console]`).
    public var console = ConsoleSettings()
    /// Whether prepared messages are served to the PBXs over HTTP (`[audio]`).
    public var audio = MessageAudioServing()
    /// Who may fetch this node's messages from its audio server: the PBXs (`[agi] allowed_peers`)
    /// and the other nodes whose consoles play them (`[audio] allowed_peers`).
    public var audioPeers: AGIPeerFilter {
        (try? agi.allowedPeers.adding(audio.allowedPeers)) ?? agi.allowedPeers
    }
    /// The file read, or `nil` for the embedded defaults.
    public var file: String?
    /// Settings used, but not quite as written, each with its file, line and key.
    public var warnings: [SettingsProblem] = []
    /// Where each key of the file is.
    private var keyLines = TOMLKeyLines("")

    /// The embedded defaults.
    public init() {}

    /// Parses configuration text; `file` names it in problems. Settings it leaves out keep
    /// their defaults.
    ///
    /// - Throws: ``SettingsProblem`` with the file, the line and the key: TOML syntax errors,
    ///   unknown keys, values of the wrong type or out of range.
    public static func parse(_ text: String, file: String) throws -> TouchBaseConfiguration {
        var reader = SettingsReader(table: try TOMLSettings.table(parsing: text, file: file))
        var configuration = TouchBaseConfiguration()
        configuration.file = file
        configuration.keyLines = TOMLKeyLines(text)
        let located = configuration.located
        do {
            try reader.section("agi") { configuration.agi = try FastAGIServer.Configuration(reading: &$0) }
            try reader.section("database") { database in
                if let path = try database.string("path") {
                    guard !path.isEmpty else { throw database.error("path", "must not be empty") }
                    configuration.databasePath = path
                }
                configuration.sharedDatabase = try SharedDatabaseSettings.read(&database)
            }
            try reader.section("cadence") { configuration.policy = try CallingPolicy(reading: &$0) }
            try reader.section("speech") { configuration.speech = try SpeechSettings(reading: &$0) }
            try reader.section("calls") { configuration.calls = try CallHandlingSettings(reading: &$0) }
            try reader.section("audiosocket") { configuration.audioSocket = try AudioSocketServer.Configuration(reading: &$0) }
            try reader.section("greeting") { configuration.greeting = try GreetingCallSettings(reading: &$0) }
            try reader.section("dialer") { configuration.dialer = try DialerSettings(reading: &$0) }
            try reader.section("metrics") { configuration.metrics = try MetricsSettings(reading: &$0) }
            try reader.section("console") { configuration.console = try ConsoleSettings(reading: &$0) }
            try reader.section("audio") { audio in
                configuration.audio = try MessageAudioServing(reading: &audio)
                do {
                    _ = try configuration.agi.allowedPeers.adding(configuration.audio.allowedPeers)
                } catch {
                    throw audio.error("allowed_peers", String(describing: error))
                }
            }
            try reader.rejectUnknownKeys()
        } catch let problem as SettingsProblem {
            throw located(problem)
        }
        configuration.audioSocket.allowedPeers = configuration.agi.allowedPeers
        configuration.warnings = reader.warnings.map(located)
        return configuration
    }

    /// A problem found later with a setting (a voice's key variable not set at start-up), with
    /// the file and the key's line filled in.
    public func located(_ problem: SettingsProblem) -> SettingsProblem {
        var problem = problem
        problem.file = problem.file ?? file
        if problem.line == nil, file != nil { problem.line = keyLines.line(of: problem.key) }
        return problem
    }

    /// Reads a configuration file.
    ///
    /// - Throws: ``SettingsProblem`` naming the file when it is missing, a folder, unreadable
    ///   or not UTF-8, and as ``parse(_:file:)`` does for its content.
    public static func load(from path: String) throws -> TouchBaseConfiguration {
        try parse(ConfigurationFileText.read(path), file: path)
    }

    /// The file every command reads: `explicit` (`--config`), else `TOUCHBASE_CONFIG`, else
    /// `touchbase.toml` when the working directory has one; `nil` for the embedded defaults.
    public static func path(explicit: String?, environment: [String: String]) -> String? {
        if let path = explicit ?? environment["TOUCHBASE_CONFIG"] { return path }
        return ConfigurationFileText.exists("touchbase.toml") ? "touchbase.toml" : nil
    }

    /// Reads the configuration every command uses, found as ``path(explicit:environment:)``
    /// says; the embedded defaults when there is no file.
    ///
    /// - Throws: as ``load(from:)``.
    public static func load(explicit: String?, environment: [String: String]) throws -> TouchBaseConfiguration {
        guard let path = path(explicit: explicit, environment: environment) else { return TouchBaseConfiguration() }
        return try load(from: path)
    }
}

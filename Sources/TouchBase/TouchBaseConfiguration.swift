import AGI
import Cadence
import Dialer
import Foundation
import NIOCore
import PostgresStore
import TOMLKit

/// Everything `touchbase serve` can be told, with a default for each setting.
///
/// Read from a TOML file (`touchbase.toml`, or the path given by `--config` or
/// `TOUCHBASE_CONFIG`); with no file at all, the defaults run a FastAGI server on
/// 127.0.0.1:4573 and keep data in `touchbase.sqlite` in the working directory.
///
/// ```toml
/// [agi]
/// host = "127.0.0.1"          # FastAGI has no authentication: keep it on loopback or list peers
/// port = 4573
/// allowed_peers = []          # e.g. ["192.0.2.10", "192.0.2.0/24"] when host is not loopback
/// environment_timeout_seconds = 10
/// session_timeout_seconds = 600
/// shutdown_grace_seconds = 30
///
/// [database]
/// path = "touchbase.sqlite"
/// # url = "postgres://touchbase@db.example.com:5432/touchbase"   # several nodes: PostgreSQL instead
/// # password_env = "TOUCHBASE_DB_PASSWORD"
/// # tls = "prefer"                                                # or "disable", "require"
///
/// [cadence]
/// calling_hours = { mon = "09:00-17:30", tue = "09:00-17:30", wed = "09:00-17:30", thu = "09:00-17:30", fri = "09:00-17:30" }
/// holidays = ["2026-12-25"]
/// first_promise_time = "12:00"
/// second_message_gap = "day-or-two"   # or "next-week"
/// revisit_days = 90
/// dials_per_step = 4
/// retry_gap_minutes = 180
/// complete_share = 0.95
/// cut_short_messages_count = false
/// ```
///
/// `touchbase.example.toml` in the repository lists every setting with its default; the
/// README's configuration section explains each.
public struct TouchBaseConfiguration: Sendable {
    /// The FastAGI server's settings.
    public var agi: FastAGIServer.Configuration
    /// The SQLite database file.
    public var databasePath: String
    /// The shared PostgreSQL database, when `[database] url` is set; it replaces the SQLite file.
    public var sharedDatabase: SharedDatabaseSettings?
    /// The follow-up cadence's rules.
    public var policy: CallingPolicy
    /// Voices, templates and the sounds folder.
    public var speech = SpeechSettings()
    /// How the routes treat answered calls.
    public var calls = CallHandlingSettings()
    /// The dialer inside `touchbase serve`.
    public var dialer = DialerSettings()
    /// Where Prometheus metrics are served; port 0 turns them off.
    public var metricsHost = "127.0.0.1"
    public var metricsPort = 9464

    /// The embedded defaults.
    public init(agi: FastAGIServer.Configuration = .init(), databasePath: String = "touchbase.sqlite",
                policy: CallingPolicy = CallingPolicy()) {
        self.agi = agi
        self.databasePath = databasePath
        self.policy = policy
    }

    /// Reads a configuration file; settings it leaves out keep their defaults.
    ///
    /// - Throws: ``ConfigurationError`` naming the file, and the line and column or the key,
    ///   for unreadable files, TOML syntax errors, unknown keys and values of the wrong type.
    public static func load(from path: String) throws -> TouchBaseConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(file: path, message: "cannot be read: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// Parses configuration text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> TouchBaseConfiguration {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(file: file, line: error.source.begin.line, column: error.source.begin.column,
                                     message: error.description)
        }
        var configuration = TouchBaseConfiguration()
        var reader = TableReader(table: table, path: "", file: file)
        try reader.section("agi") { agi in
            if let host = try agi.string("host") { configuration.agi.host = host }
            if let port = try agi.int("port", in: 0...65535) { configuration.agi.port = port }
            if let peers = try agi.strings("allowed_peers") {
                do {
                    configuration.agi.allowedPeers = try AGIPeerFilter(allowing: peers)
                } catch {
                    throw agi.error("allowed_peers", String(describing: error))
                }
            }
            if let seconds = try agi.positiveSeconds("environment_timeout_seconds") { configuration.agi.environmentTimeout = seconds }
            if let seconds = try agi.positiveSeconds("session_timeout_seconds") { configuration.agi.sessionTimeout = seconds }
            if let seconds = try agi.positiveSeconds("shutdown_grace_seconds") { configuration.agi.shutdownGracePeriod = seconds }
        }
        try reader.section("database") { database in
            if let path = try database.string("path") { configuration.databasePath = path }
            if let url = try database.string("url") {
                var shared = SharedDatabaseSettings(url: url)
                do {
                    _ = try shared.storeConfiguration(environment: [:])
                } catch {
                    throw database.error("url", "\(error)")
                }
                if let name = try database.string("password_env") { shared.passwordEnvironment = name }
                if let tls = try database.string("tls") {
                    guard let mode = PostgresStoreConfiguration.TLSMode(rawValue: tls) else {
                        throw database.error("tls", "must be \"disable\", \"prefer\" or \"require\", not \"\(tls)\"")
                    }
                    shared.tls = mode
                }
                configuration.sharedDatabase = shared
            }
        }
        try reader.section("cadence") { cadence in
            var policy = configuration.policy
            if let hours = try cadence.table("calling_hours") {
                var parsed: [Int: ClosedRange<ClockTime>] = [:]
                let days = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]
                for (day, value) in hours {
                    guard let weekday = days[day.lowercased()] else {
                        throw cadence.error("calling_hours", "names '\(day)'; use mon, tue, wed, thu, fri, sat, sun")
                    }
                    let parts = value.split(separator: "-").map { ClockTime(parsing: String($0).trimmingCharacters(in: .whitespaces)) }
                    guard parts.count == 2, let start = parts[0], let end = parts[1], start < end else {
                        throw cadence.error("calling_hours", "for \(day) must be \"HH:MM-HH:MM\", not \"\(value)\"")
                    }
                    parsed[weekday] = start...end
                }
                policy.callingHours = parsed
            }
            if let holidays = try cadence.strings("holidays") {
                for day in holidays where day.count != 10 || day.split(separator: "-").count != 3 {
                    throw cadence.error("holidays", "entry \"\(day)\" is not YYYY-MM-DD")
                }
                policy.holidays = Set(holidays)
            }
            if let time = try cadence.string("first_promise_time") {
                guard let parsed = ClockTime(parsing: time) else { throw cadence.error("first_promise_time", "must be HH:MM, not \"\(time)\"") }
                policy.firstPromiseTime = parsed
            }
            if let gap = try cadence.string("second_message_gap") {
                guard let parsed = SecondMessageGap(rawValue: gap) else {
                    throw cadence.error("second_message_gap", "must be \"day-or-two\" or \"next-week\", not \"\(gap)\"")
                }
                policy.secondMessageGap = parsed
            }
            if let days = try cadence.int("revisit_days") {
                guard days > 0 else { throw cadence.error("revisit_days", "must be above 0") }
                policy.revisitDays = days
            }
            if let dials = try cadence.int("dials_per_step", in: 1...20) { policy.dialsPerStep = dials }
            if let minutes = try cadence.int("retry_gap_minutes") {
                guard minutes >= 30 else { throw cadence.error("retry_gap_minutes", "must be at least 30") }
                policy.retryGapMinutes = minutes
            }
            if let share = try cadence.double("complete_share") {
                guard (0...1).contains(share) else { throw cadence.error("complete_share", "must be between 0 and 1") }
                policy.completeShare = share
            }
            if let counts = try cadence.bool("cut_short_messages_count") { policy.cutShortMessagesCount = counts }
            if let problem = policy.problems.first(where: { !$0.contains("are cut to it") }) {
                throw cadence.error("calling_hours", problem)
            }
            configuration.policy = policy
        }
        try reader.section("speech") { speech in
            if let folder = try speech.string("sounds_folder") {
                guard !folder.isEmpty else { throw speech.error("sounds_folder", "must not be empty") }
                configuration.speech.soundsFolder = folder
            }
            if let folder = try speech.string("templates") { configuration.speech.templatesFolder = folder.isEmpty ? nil : folder }
            if let engine = try speech.string("local_engine") {
                guard ["espeak-ng", "none"].contains(engine) else { throw speech.error("local_engine", "must be \"espeak-ng\" or \"none\"") }
                configuration.speech.localEngine = engine == "espeak-ng"
            }
            if let voice = try speech.string("local_voice") { configuration.speech.localVoice = voice }
            if let prerender = try speech.bool("prerender") { configuration.speech.prerender = prerender }
            if let hours = try speech.double("prerender_hours") {
                guard hours >= 0 else { throw speech.error("prerender_hours", "must be 0 or more") }
                configuration.speech.prerenderHours = hours
            }
            if let count = try speech.int("in_flight", in: 1...64) { configuration.speech.inFlight = count }
            try speech.section("voice") { configuration.speech.voice = try Self.voice(&$0) }
            try speech.section("fallback") { configuration.speech.fallback = try Self.voice(&$0) }
        }
        try reader.section("calls") { calls in
            if let value = try calls.bool("not_sure_is_machine") { configuration.calls.notSureIsMachine = value }
            if let value = try calls.string("human_answer") {
                guard let parsed = CallHandlingSettings.HumanAnswer(rawValue: value) else {
                    throw calls.error("human_answer", "must be \"connect\" or \"message\", not \"\(value)\"")
                }
                configuration.calls.humanAnswer = parsed
            }
            if let value = try calls.int("owner_ring_seconds", in: 5...300) { configuration.calls.ownerRingSeconds = value }
            if let value = try calls.int("silence_ms", in: 300...10_000) { configuration.calls.silenceMilliseconds = value }
            if let value = try calls.int("silence_iterations", in: 1...10) { configuration.calls.silenceIterations = value }
            if let value = try calls.int("silence_timeout_seconds", in: 1...120) { configuration.calls.silenceTimeoutSeconds = value }
            if let value = try calls.string("country_code") {
                guard !value.isEmpty, value.count <= 3, value.allSatisfy(\.isNumber) else { throw calls.error("country_code", "must be 1 to 3 digits") }
                configuration.calls.countryCode = value
            }
        }
        try reader.section("dialer") { dialer in
            var settings = configuration.dialer
            if let value = try dialer.bool("enabled") { settings.enabled = value }
            let method = try dialer.string("method") ?? "call-file"
            let spool = try dialer.string("spool") ?? "/var/spool/asterisk/outgoing"
            let staging = try dialer.string("staging")
            switch method {
            case "call-file": settings.method = .callFile(outgoing: spool, staging: staging?.isEmpty == true ? nil : staging)
            case "ami": break
            default: throw dialer.error("method", "must be \"call-file\" or \"ami\", not \"\(method)\"")
            }
            var ami: AMIClientSettings?
            try dialer.section("ami") { table in
                var login = AMIClientSettings()
                if let host = try table.string("host") { login.host = host }
                if let port = try table.int("port", in: 1...65535) { login.port = port }
                if let user = try table.string("username") { login.username = user }
                if let variable = try table.string("secret_env") { login.secretEnvironment = variable }
                ami = login
            }
            if method == "ami" {
                guard let ami else { throw dialer.error("method", "is \"ami\" but [dialer.ami] is missing") }
                settings.method = .ami(ami.configuration)
                settings.amiSecretEnvironment = ami.secretEnvironment
            }
            if let value = try dialer.int("max_calls", in: 1...500) { settings.pacing.maxCalls = value }
            if let value = try dialer.int("calls_per_minute", in: 1...1000) { settings.pacing.callsPerMinute = value }
            if let value = try dialer.int("ring_seconds", in: 10...120) { settings.ringSeconds = value }
            if let value = try dialer.string("caller_id_number") {
                guard value.isEmpty || value.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "+") }) else {
                    throw dialer.error("caller_id_number", "may hold only digits and '+'")
                }
                settings.callerIDNumber = value.isEmpty ? nil : value
            }
            if let value = try dialer.string("context") {
                guard !value.isEmpty, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) }) else {
                    throw dialer.error("context", "must be a dialplan context name (letters, digits, '-', '_')")
                }
                settings.context = value
            }
            if let value = try dialer.double("poll_seconds") {
                guard value >= 1 else { throw dialer.error("poll_seconds", "must be at least 1") }
                settings.pollSeconds = value
            }
            if let node = try dialer.string("node") {
                guard !node.isEmpty, node.count <= 100 else { throw dialer.error("node", "must be a name of 1 to 100 characters") }
                settings.node = node
            }
            if let value = try dialer.double("claim_lease_seconds") {
                guard value >= 30 else { throw dialer.error("claim_lease_seconds", "must be at least 30 (rendering and handing over a call)") }
                settings.claimLeaseSeconds = value
            }
            if let value = try dialer.double("report_timeout_seconds") {
                guard value >= 60 else { throw dialer.error("report_timeout_seconds", "must be at least 60 (ring time, AMD and the message)") }
                settings.reportTimeoutSeconds = value
            }
            if let trunks = try dialer.tables("trunk") {
                var parsed: [Trunk] = []
                for var table in trunks {
                    guard let name = try table.string("name"), !name.isEmpty else { throw table.error("name", "is required for each [[dialer.trunk]]") }
                    guard let channel = try table.string("channel") else { throw table.error("channel", "is required, e.g. \"PJSIP/{number}@trunk\"") }
                    if let problem = Trunk.problem(inChannel: channel) { throw table.error("channel", problem) }
                    var trunk = Trunk(name: name, channel: channel, maxCalls: settings.pacing.maxCalls, callsPerMinute: settings.pacing.callsPerMinute)
                    if let value = try table.int("max_calls") {
                        guard value >= 1 else { throw table.error("max_calls", "must be at least 1") }
                        trunk.maxCalls = value
                    }
                    if let value = try table.int("calls_per_minute") {
                        guard value >= 1 else { throw table.error("calls_per_minute", "must be at least 1") }
                        trunk.callsPerMinute = value
                    }
                    try table.rejectUnknownKeys()
                    guard !parsed.contains(where: { $0.name == name }) else { throw table.error("name", "\"\(name)\" is used twice") }
                    parsed.append(trunk)
                }
                guard !parsed.isEmpty else { throw dialer.error("trunk", "must list at least one trunk") }
                settings.pacing.trunks = parsed
            } else if let channel = try dialer.string("channel") {
                if let problem = Trunk.problem(inChannel: channel) { throw dialer.error("channel", problem) }
                settings.pacing.trunks = [Trunk(name: "default", channel: channel, maxCalls: settings.pacing.maxCalls,
                                                callsPerMinute: settings.pacing.callsPerMinute)]
            } else {
                settings.pacing.trunks = settings.pacing.trunks.map {
                    var trunk = $0
                    trunk.maxCalls = settings.pacing.maxCalls
                    trunk.callsPerMinute = settings.pacing.callsPerMinute
                    return trunk
                }
            }
            configuration.dialer = settings
        }
        try reader.section("metrics") { metrics in
            if let host = try metrics.string("host") { configuration.metricsHost = host }
            if let port = try metrics.int("port", in: 0...65535) { configuration.metricsPort = port }
        }
        try reader.rejectUnknownKeys()
        return configuration
    }

    static func voice(_ table: inout TableReader) throws -> VoiceSettings {
        guard let provider = try table.string("provider") else {
            throw table.error("provider", "is required: one of \(VoiceSettings.providers.joined(separator: ", "))")
        }
        guard VoiceSettings.providers.contains(provider) else {
            throw table.error("provider", "\"\(provider)\" is not one of \(VoiceSettings.providers.joined(separator: ", "))")
        }
        var voice = VoiceSettings(provider: provider)
        voice.url = try table.string("url")
        if let url = voice.url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw table.error("url", "must start with http:// or https://")
        }
        voice.voice = try table.string("voice")
        voice.model = try table.string("model")
        voice.apiKeyEnvironment = try table.string("api_key_env")
        voice.secretKeyEnvironment = try table.string("secret_key_env")
        voice.sampleRate = try table.int("sample_rate")
        voice.language = try table.string("language")
        voice.region = try table.string("region")
        return voice
    }
}

/// `[dialer.ami]`: the AMI login, its secret read from an environment variable.
struct AMIClientSettings {
    var host = "127.0.0.1"
    var port = 5038
    var username = "touchbase"
    var secretEnvironment = "TOUCHBASE_AMI_SECRET"

    var configuration: AMIClient.Configuration {
        AMIClient.Configuration(host: host, port: port, username: username, secret: "")
    }
}

/// A configuration file that cannot be used, with where and why.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The file's path.
    public var file: String
    /// The line, when known.
    public var line: Int?
    /// The column, when known.
    public var column: Int?
    /// What is wrong.
    public var message: String

    /// Creates an error about a configuration file.
    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return "\(place): \(message)"
    }
}

/// Reads typed settings from one TOML table and remembers which keys were read, so that a
/// misspelt setting is an error rather than silently ignored.
struct TableReader {
    let table: TOMLTable
    let path: String
    let file: String
    private(set) var known: Set<String> = []

    init(table: TOMLTable, path: String, file: String) {
        self.table = table
        self.path = path
        self.file = file
    }

    func error(_ key: String, _ message: String) -> ConfigurationError {
        ConfigurationError(file: file, message: "\(path.isEmpty ? "" : path + ".")\(key) \(message)")
    }

    mutating func section(_ name: String, _ read: (inout TableReader) throws -> Void) throws {
        known.insert(name)
        guard let value = table[name] else { return }
        guard let inner = value.table else { throw error(name, "must be a table ([\(name)])") }
        var reader = TableReader(table: inner, path: path.isEmpty ? name : "\(path).\(name)", file: file)
        try read(&reader)
        try reader.rejectUnknownKeys()
    }

    mutating func string(_ key: String) throws -> String? {
        known.insert(key)
        guard let value = table[key] else { return nil }
        guard let string = value.string else { throw error(key, "must be a string") }
        return string
    }

    mutating func int(_ key: String) throws -> Int? {
        known.insert(key)
        guard let value = table[key] else { return nil }
        guard let int = value.int else { throw error(key, "must be a whole number") }
        return int
    }

    /// A whole number that must lie in `range`.
    mutating func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = try int(key) else { return nil }
        guard range.contains(value) else { throw error(key, "must be \(range.lowerBound) to \(range.upperBound), not \(value)") }
        return value
    }

    mutating func bool(_ key: String) throws -> Bool? {
        known.insert(key)
        guard let value = table[key] else { return nil }
        guard let bool = value.bool else { throw error(key, "must be true or false") }
        return bool
    }

    mutating func double(_ key: String) throws -> Double? {
        known.insert(key)
        guard let value = table[key] else { return nil }
        guard let number = value.double ?? value.int.map(Double.init) else { throw error(key, "must be a number") }
        return number
    }

    mutating func table(_ key: String) throws -> [(String, String)]? {
        known.insert(key)
        guard let value = table[key] else { return nil }
        guard let inner = value.table else { throw error(key, "must be a table, e.g. { mon = \"09:00-17:30\" }") }
        return try inner.keys.sorted().map { day in
            guard let text = inner[day]?.string else { throw error(key, "for \(day) must be a string") }
            return (day, text)
        }
    }

    mutating func tables(_ key: String) throws -> [TableReader]? {
        known.insert(key)
        guard let value = table[key] else { return nil }
        guard let array = value.array else { throw error(key, "must be an array of tables ([[\(path).\(key)]])") }
        return try array.enumerated().map { index, element in
            guard let inner = element.table else { throw error(key, "must be an array of tables ([[\(path).\(key)]])") }
            return TableReader(table: inner, path: "\(path).\(key)[\(index + 1)]", file: file)
        }
    }

    mutating func strings(_ key: String) throws -> [String]? {
        known.insert(key)
        guard let value = table[key] else { return nil }
        guard let array = value.array else { throw error(key, "must be an array of strings") }
        return try array.map { element in
            guard let string = element.string else { throw error(key, "must be an array of strings") }
            return string
        }
    }

    mutating func positiveSeconds(_ key: String) throws -> TimeAmount? {
        known.insert(key)
        guard let value = table[key] else { return nil }
        let seconds = value.double ?? value.int.map(Double.init)
        guard let seconds, seconds > 0, seconds < 86_400 * 365 else {
            throw error(key, "must be a number of seconds above 0")
        }
        return .nanoseconds(Int64(seconds * 1_000_000_000))
    }

    func rejectUnknownKeys() throws {
        for key in table.keys.sorted() where !known.contains(key) {
            let choices = known.sorted().joined(separator: ", ")
            throw error(key, "is not a known setting (known here: \(choices))")
        }
    }
}

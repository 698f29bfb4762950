/// One value of a settings file, whatever its syntax: the neutral form every module reads its
/// settings from, so that no module but the configuration layer knows the file format.
public enum SettingsValue: Sendable, Hashable {
    /// A string.
    case string(String)
    /// A whole number.
    case integer(Int)
    /// A number with a fraction.
    case double(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// A list of values.
    case array([SettingsValue])
    /// A table of named values.
    case table(SettingsTable)
    /// A value of a kind no setting takes (a date, a time), named for messages.
    case other(kind: String)
}

/// A table of named settings values, such as one `[section]` of a file.
public struct SettingsTable: Sendable, Hashable {
    /// The values by key.
    public var values: [String: SettingsValue]

    /// Creates a table.
    public init(_ values: [String: SettingsValue] = [:]) {
        self.values = values
    }

    /// The value of a key, if the table has it.
    public subscript(key: String) -> SettingsValue? {
        get { values[key] }
        set { values[key] = newValue }
    }

    /// The keys, sorted so that messages are stable.
    public var keys: [String] { values.keys.sorted() }
}

/// A setting that cannot be used, or one worth a warning, with where it is.
///
/// Modules throw it naming the key (its dotted path, `dialer.trunk[1].channel`); the
/// configuration layer fills in the file and line, so callers read the fields rather than
/// match text.
public struct SettingsProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// How bad a problem is.
    public enum Severity: String, Sendable, Hashable {
        /// The setting cannot be used; nothing starts.
        case error
        /// The setting is used, but not quite as written (calling hours cut to 08:00–21:00).
        case warning
    }

    /// How bad it is.
    public var severity: Severity
    /// The key's dotted path; empty for the file as a whole.
    public var key: String
    /// What is wrong, without the key or the place.
    public var message: String
    /// The file, once the configuration layer knows it.
    public var file: String?
    /// The line in the file, when known.
    public var line: Int?
    /// The column, when known (syntax errors).
    public var column: Int?

    /// Creates a problem.
    public init(_ severity: Severity = .error, key: String, message: String, file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.severity = severity
        self.key = key
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line: key message`, the form compilers use, so editors jump to the line.
    public var description: String {
        var place = file ?? ""
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        let text = key.isEmpty ? message : "\(key) \(message)"
        let warning = severity == .warning ? "warning: " : ""
        return place.isEmpty ? warning + text : "\(place): \(warning)\(text)"
    }
}

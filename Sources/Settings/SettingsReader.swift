/// Reads typed settings from one ``SettingsTable`` and remembers which keys were read, so that a
/// misspelt setting is an error rather than silently ignored.
///
/// Each module reads its own section with it (`FastAGIServer.Configuration(reading:)`,
/// `CallingPolicy(reading:)`, ...); the configuration layer hands each its table and turns the
/// keys of any ``SettingsProblem`` into lines of the file.
public struct SettingsReader: Sendable {
    /// The table read.
    public let table: SettingsTable
    /// The table's dotted path (`speech.voice`); empty at the top.
    public let path: String
    /// Warnings found so far, here and in the sections read.
    public private(set) var warnings: [SettingsProblem] = []
    private var known: Set<String> = []

    /// Creates a reader of a table at a path.
    public init(table: SettingsTable, path: String = "") {
        self.table = table
        self.path = path
    }

    /// The full dotted path of a key of this table.
    public func keyPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// An error about a key of this table.
    public func error(_ key: String, _ message: String) -> SettingsProblem {
        SettingsProblem(.error, key: keyPath(key), message: message)
    }

    /// Records a warning about a key of this table.
    public mutating func warn(_ key: String, _ message: String) {
        warnings.append(SettingsProblem(.warning, key: keyPath(key), message: message))
    }

    /// Whether the table holds the key (which counts as read).
    public mutating func contains(_ key: String) -> Bool {
        known.insert(key)
        return table[key] != nil
    }

    /// Reads a sub-table with `read`, then refuses keys `read` did not ask for.
    ///
    /// - Throws: ``SettingsProblem`` when the key holds something other than a table, or
    ///   whatever `read` throws.
    public mutating func section(_ name: String, _ read: (inout SettingsReader) throws -> Void) throws {
        known.insert(name)
        guard let value = table[name] else { return }
        guard case .table(let inner) = value else { throw error(name, "must be a table ([\(keyPath(name))])") }
        var reader = SettingsReader(table: inner, path: keyPath(name))
        try read(&reader)
        try reader.rejectUnknownKeys()
        warnings += reader.warnings
    }

    /// A string, or `nil` when the key is absent.
    public mutating func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let string) = value else { throw error(key, "must be a string") }
        return string
    }

    /// A string that must be one of `choices`.
    public mutating func string(_ key: String, oneOf choices: [String]) throws -> String? {
        guard let value = try string(key) else { return nil }
        guard choices.contains(value) else {
            throw error(key, "must be \(choices.map { "\"\($0)\"" }.joined(separator: " or ")), not \"\(value)\"")
        }
        return value
    }

    /// A whole number, or `nil` when the key is absent.
    public mutating func int(_ key: String) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard case .integer(let int) = value else { throw error(key, "must be a whole number") }
        return int
    }

    /// A whole number that must lie in `range`.
    public mutating func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = try int(key) else { return nil }
        guard range.contains(value) else { throw error(key, "must be \(range.lowerBound) to \(range.upperBound), not \(value)") }
        return value
    }

    /// A whole number that must be at least `minimum`.
    public mutating func int(_ key: String, atLeast minimum: Int) throws -> Int? {
        guard let value = try int(key) else { return nil }
        guard value >= minimum else { throw error(key, "must be at least \(minimum)") }
        return value
    }

    /// `true` or `false`, or `nil` when the key is absent.
    public mutating func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let bool) = value else { throw error(key, "must be true or false") }
        return bool
    }

    /// A number, whole or not, or `nil` when the key is absent.
    public mutating func double(_ key: String) throws -> Double? {
        guard let value = value(key) else { return nil }
        switch value {
        case .double(let number): return number
        case .integer(let number): return Double(number)
        default: throw error(key, "must be a number")
        }
    }

    /// A number that must be at least `minimum`.
    public mutating func double(_ key: String, atLeast minimum: Double, _ why: String = "") throws -> Double? {
        guard let value = try double(key) else { return nil }
        guard value >= minimum else { throw error(key, "must be at least \(minimum.formatted)\(why)") }
        return value
    }

    /// A number of seconds above 0 and below a year.
    public mutating func positiveSeconds(_ key: String) throws -> Double? {
        let problem = error(key, "must be a number of seconds above 0")
        let read: Double?
        do { read = try double(key) } catch { throw problem }
        guard let seconds = read else { return nil }
        guard seconds > 0, seconds < 86_400 * 365 else { throw problem }
        return seconds
    }

    /// A table of strings (`{ mon = "09:00-17:30" }`), sorted by key.
    public mutating func stringTable(_ key: String, example: String) throws -> [(key: String, value: String)]? {
        guard let value = value(key) else { return nil }
        guard case .table(let inner) = value else { throw error(key, "must be a table, e.g. \(example)") }
        return try inner.keys.map { name in
            guard case .string(let text) = inner[name] else { throw error(key, "for \(name) must be a string") }
            return (name, text)
        }
    }

    /// An array of tables (`[[dialer.trunk]]`), each with a reader of its own.
    public mutating func tables(_ key: String) throws -> [SettingsReader]? {
        guard let value = value(key) else { return nil }
        let problem = error(key, "must be an array of tables ([[\(keyPath(key))]])")
        guard case .array(let array) = value else { throw problem }
        return try array.enumerated().map { index, element in
            guard case .table(let inner) = element else { throw problem }
            return SettingsReader(table: inner, path: "\(keyPath(key))[\(index + 1)]")
        }
    }

    /// An array of strings.
    public mutating func strings(_ key: String) throws -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .array(let array) = value else { throw error(key, "must be an array of strings") }
        return try array.map { element in
            guard case .string(let string) = element else { throw error(key, "must be an array of strings") }
            return string
        }
    }

    /// Refuses the keys no one asked for.
    ///
    /// - Throws: ``SettingsProblem`` naming the first unknown key and the known ones.
    public func rejectUnknownKeys() throws {
        for key in table.keys where !known.contains(key) {
            throw error(key, "is not a known setting (known here: \(known.sorted().joined(separator: ", ")))")
        }
    }

    private mutating func value(_ key: String) -> SettingsValue? {
        known.insert(key)
        return table[key]
    }
}

extension Double {
    /// `60` rather than `60.0` in messages.
    fileprivate var formatted: String {
        self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}

import Foundation
import Settings
import TOMLKit

/// TOML text as neutral ``SettingsTable``s, and where each key sits in the text.
enum TOMLSettings {
    /// Parses TOML text into a settings table.
    ///
    /// - Throws: ``SettingsProblem`` with the file, line and column of a syntax error.
    static func table(parsing text: String, file: String) throws -> SettingsTable {
        do {
            return settings(try TOMLTable(string: text))
        } catch let error as TOMLParseError {
            throw SettingsProblem(key: "", message: error.description, file: file,
                                  line: error.source.begin.line, column: error.source.begin.column)
        }
    }

    private static func settings(_ table: TOMLTable) -> SettingsTable {
        var values: [String: SettingsValue] = [:]
        for (key, value) in table { values[key] = settings(value) }
        return SettingsTable(values)
    }

    private static func settings(_ value: any TOMLValueConvertible) -> SettingsValue {
        switch value.type {
        case .table: return .table(settings(value.table ?? TOMLTable()))
        case .array: return .array((value.array.map(Array.init) ?? []).map { settings($0) })
        case .string: return .string(value.string ?? "")
        case .int: return .integer(value.int ?? 0)
        case .double: return .double(value.double ?? 0)
        case .bool: return .bool(value.bool ?? false)
        case .date, .time, .dateTime: return .other(kind: value.type.description)
        }
    }
}

/// The line each key of a TOML file is written on, found by reading the text as TOML lays it
/// out: `[table]` and `[[array]]` headers, then `key = value` lines (TOMLKit keeps no positions).
struct TOMLKeyLines: Sendable {
    private var lines: [String: Int] = [:]

    /// Reads where the keys of `text` are.
    init(_ text: String) {
        var table = ""
        var arrayCounts: [String: Int] = [:]
        var inMultilineString = false
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = raw.drop { $0 == " " || $0 == "\t" }
            let quotes = line.components(separatedBy: "\"\"\"").count - 1 + line.components(separatedBy: "'''").count - 1
            defer { if quotes % 2 == 1 { inMultilineString.toggle() } }
            if inMultilineString || line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[[") {
                let name = Self.keyPath(line.dropFirst(2).prefix { $0 != "]" })
                arrayCounts[name, default: 0] += 1
                table = "\(name)[\(arrayCounts[name]!)]"
                record(name, number)
                record(table, number)
            } else if line.hasPrefix("[") {
                table = Self.keyPath(line.dropFirst().prefix { $0 != "]" })
                record(table, number)
            } else if let equals = Self.keyEnd(line) {
                let key = Self.keyPath(line[..<equals])
                record(table.isEmpty ? key : "\(table).\(key)", number)
            }
        }
    }

    /// The line of a key's dotted path (`dialer.trunk[1].channel`), or of the nearest table
    /// holding it (keys inside inline tables are on their table's line).
    func line(of key: String) -> Int? {
        var path = Substring(key)
        while !path.isEmpty {
            if let line = lines[String(path)] { return line }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            path = path[..<cut]
        }
        return nil
    }

    private mutating func record(_ key: String, _ line: Int) {
        if lines[key] == nil { lines[key] = line }
    }

    /// Where the key of a `key = value` line ends (its `=`), skipping quoted parts.
    private static func keyEnd(_ line: Substring) -> Substring.Index? {
        var quote: Character?
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "=" {
                return index
            }
        }
        return nil
    }

    /// `a . "b c"` as `a.b c`: the dotted path a key or header names.
    private static func keyPath(_ text: Substring) -> String {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "." {
                parts.append(current)
                current = ""
            } else if character != " " && character != "\t" {
                current.append(character)
            }
        }
        parts.append(current)
        return parts.joined(separator: ".")
    }
}

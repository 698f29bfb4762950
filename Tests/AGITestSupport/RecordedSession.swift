import Foundation

/// One recorded AGI session from Tests/Fixtures/agi: what Asterisk sent (`<`), what the AGI
/// program sent (`>`), and events the program saw (`!`, such as SIGHUP).
public struct RecordedSession: Sendable {
    public enum Direction: Character, Sendable { case fromAsterisk = "<", fromProgram = ">", event = "!" }

    public struct Entry: Sendable {
        public var seconds: Double
        public var direction: Direction
        public var bytes: [UInt8]
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    public var name: String
    public var entries: [Entry]

    /// The folder of recorded sessions, Tests/Fixtures/agi inside the repository.
    public static let folder: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<2 { url.deleteLastPathComponent() }  // the file, AGITestSupport
        return url.appendingPathComponent("Fixtures/agi")
    }()

    public static func load(_ name: String) throws -> RecordedSession {
        let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        var entries: [Entry] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard fields.count == 3, let seconds = Double(fields[0]),
                  let direction = Direction(rawValue: fields[1].first!) else {
                throw FixtureError("\(name): unreadable line \(line)")
            }
            entries.append(Entry(seconds: seconds, direction: direction, bytes: try pythonBytes(fields[2], in: name)))
        }
        return RecordedSession(name: name, entries: entries)
    }

    public static var allNames: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?
            .filter { $0.hasSuffix(".txt") }.sorted() ?? []
    }

    /// Everything Asterisk sent, in order.
    public var asteriskBytes: [UInt8] { entries.filter { $0.direction == .fromAsterisk }.flatMap(\.bytes) }
    /// Every line the program sent, in order.
    public var programLines: [String] { entries.filter { $0.direction == .fromProgram }.map(\.text) }

    /// Decodes a Python bytes literal such as `b'200 result=1 (x)\n'`.
    public static func pythonBytes(_ literal: Substring, in name: String) throws -> [UInt8] {
        guard literal.hasPrefix("b"), let quote = literal.dropFirst().first, literal.last == quote else {
            throw FixtureError("\(name): not a bytes literal: \(literal)")
        }
        let body = Array(literal.dropFirst(2).dropLast().utf8)
        var out: [UInt8] = []
        var i = 0
        while i < body.count {
            let byte = body[i]
            guard byte == UInt8(ascii: "\\"), i + 1 < body.count else { out.append(byte); i += 1; continue }
            let next = body[i + 1]
            switch next {
            case UInt8(ascii: "n"): out.append(0x0A); i += 2
            case UInt8(ascii: "r"): out.append(0x0D); i += 2
            case UInt8(ascii: "t"): out.append(0x09); i += 2
            case UInt8(ascii: "0"): out.append(0x00); i += 2
            case UInt8(ascii: "x"):
                guard i + 3 < body.count, let value = UInt8(String(decoding: body[(i + 2)...(i + 3)], as: UTF8.self), radix: 16)
                else { throw FixtureError("\(name): bad \\x escape") }
                out.append(value); i += 4
            default: out.append(next); i += 2
            }
        }
        return out
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension RecordedSession {
    /// The environment block Asterisk sent, as `(key, value)` pairs in order.
    public var environment: [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = []
        for entry in entries where entry.direction == .fromAsterisk {
            let line = entry.text.trimmingCharacters(in: .newlines)
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            pairs.append((String(line[..<colon]), String(line[line.index(after: colon)...].dropFirst())))
        }
        return pairs
    }

    /// Each command the program sent, with the lines Asterisk answered it with.
    public var exchanges: [(command: String, answer: [String])] {
        var result: [(command: String, answer: [String])] = []
        var inEnvironment = true
        for entry in entries {
            switch entry.direction {
            case .fromAsterisk:
                if inEnvironment {
                    if entry.bytes == [0x0A] { inEnvironment = false }
                    continue
                }
                guard !result.isEmpty else { continue }
                result[result.count - 1].answer.append(entry.text.trimmingCharacters(in: .newlines))
            case .fromProgram:
                result.append((entry.text.trimmingCharacters(in: .newlines), []))
            case .event:
                continue
            }
        }
        return result
    }
}

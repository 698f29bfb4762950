/// One AGI command, ready to be written to Asterisk as a single line.
///
/// Build commands with the typed builders (``getVariable(_:)``, ``streamFile(_:escapeDigits:offset:)``,
/// ``exec(_:_:)``, ...) rather than by hand. Each argument is written the way Asterisk's
/// `parse_args()` in res_agi.c reads it back: words split on spaces and tabs, `"` groups,
/// `\` escapes the next character. An argument is quoted, with `"` and `\` escaped, whenever it
/// is empty or holds anything but plain characters, so data can never split into more words.
///
/// A newline, carriage return or NUL cannot be carried by any quoting: Asterisk ends the command
/// at the newline and would read the rest as a second command. Such an argument is refused with
/// ``AGICommandError`` before anything is sent.
public struct AGICommand: Sendable, Hashable, CustomStringConvertible {
    /// One word of a command line.
    public enum Word: Sendable, Hashable {
        /// A keyword of the command itself, written as is (`GET`, `VARIABLE`).
        case keyword(String)
        /// An argument, quoted only when it needs to be.
        case argument(String)
        /// An argument that is always quoted, as Asterisk's own examples write free text.
        case quoted(String)
    }

    /// Asterisk reads a command line of at most this many bytes, newline included.
    public static let maximumLineLength = 8192

    /// The words of the command.
    public let words: [Word]

    /// The command line without its newline, e.g. `SET VARIABLE TB_NOTE "hello world"`.
    public let line: String

    /// Creates a command from its words, checking each argument.
    ///
    /// - Throws: ``AGICommandError`` when an argument holds a line break or NUL, a keyword is not
    ///   a plain word, or the line is longer than Asterisk accepts.
    public init(_ words: [Word]) throws(AGICommandError) {
        var parts: [String] = []
        parts.reserveCapacity(words.count)
        for word in words {
            switch word {
            case .keyword(let text):
                guard !text.isEmpty, text.unicodeScalars.allSatisfy(Self.isPlain) else {
                    throw .invalidKeyword(text)
                }
                parts.append(text)
            case .argument(let text):
                try Self.checkCarriable(text)
                parts.append(Self.needsQuotes(text) ? Self.quote(text) : text)
            case .quoted(let text):
                try Self.checkCarriable(text)
                parts.append(Self.quote(text))
            }
        }
        let line = parts.joined(separator: " ")
        guard line.utf8.count + 1 <= Self.maximumLineLength else {
            throw .tooLong(bytes: line.utf8.count + 1, limit: Self.maximumLineLength)
        }
        self.words = words
        self.line = line
    }

    /// The command line without its newline.
    public var description: String { line }

    /// The first words of the command (`GET VARIABLE`), for logs and errors.
    public var name: String {
        words.compactMap { if case .keyword(let k) = $0 { return k } else { return nil } }.joined(separator: " ")
    }

    private static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value > 0x20 && scalar.value != 0x7F && scalar != "\"" && scalar != "\\"
    }

    private static func needsQuotes(_ text: String) -> Bool {
        text.isEmpty || !text.unicodeScalars.allSatisfy(isPlain)
    }

    private static func quote(_ text: String) -> String {
        var out = "\""
        for character in text.unicodeScalars {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.unicodeScalars.append(character)
        }
        out.append("\"")
        return out
    }

    private static func checkCarriable(_ text: String) throws(AGICommandError) {
        for scalar in text.unicodeScalars where scalar == "\n" || scalar == "\r" || scalar == "\0" {
            throw .uncarriableCharacter(argument: text, character: scalar)
        }
    }
}

/// Why a command could not be built; nothing was sent.
public enum AGICommandError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An argument holds a newline, carriage return or NUL, which would end the command early.
    case uncarriableCharacter(argument: String, character: Unicode.Scalar)
    /// A keyword is empty or holds spaces, quotes or control characters.
    case invalidKeyword(String)
    /// The command line is longer than Asterisk reads.
    case tooLong(bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .uncarriableCharacter(let argument, let character):
            let name = character == "\n" ? "newline" : character == "\r" ? "carriage return" : "NUL"
            return "AGI argument \(AGIProtocolError.shown(argument)) holds a \(name); refused so it cannot become a second command"
        case .invalidKeyword(let keyword):
            return "AGI keyword \(AGIProtocolError.shown(keyword)) is not a plain word"
        case .tooLong(let bytes, let limit):
            return "AGI command of \(bytes) bytes is longer than Asterisk's limit of \(limit)"
        }
    }
}

extension AGICommand {
    /// Splits a command line into words exactly as Asterisk's `parse_args()` does.
    ///
    /// Used by tests and the load generator to read commands the way Asterisk will.
    public static func asteriskWords(of line: Substring) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false, escaped = false, whitespace = true
        for character in line.unicodeScalars {
            if character == "\"" && !escaped {
                quoted.toggle()
                if quoted && whitespace {
                    words.append("")
                    whitespace = false
                }
                continue
            }
            if (character == " " || character == "\t") && !quoted && !escaped {
                if !whitespace { whitespace = true }
                continue
            }
            if character == "\\" && !escaped {
                escaped = true
                continue
            }
            if whitespace {
                words.append("")
                whitespace = false
            }
            escaped = false
            current = words.removeLast()
            current.unicodeScalars.append(character)
            words.append(current)
        }
        return words
    }
}

import Cadence
import Mustache

/// One step's message as a checked Mustache template.
///
/// Templates are checked when they load, not at call time, so a mistake surfaces when the
/// administrator runs `touchbase check-config`, not as a silent or broken voicemail:
/// - every `{{name}}` must be one of ``MessageVariables/names`` (an error names the file and line);
/// - each step's required parts must be there: message 1 names the contact, the caller, the
///   company, the promise and the callback number; message 2 the caller and the promise or the
///   callback number; message 3 the caller and the callback number, and no promise, since no
///   call follows it;
/// - partials, delimiter changes and pragmas are refused: a message is one file;
/// - message 1 should say the callback number twice, and every message should take at most
///   30 seconds to say (warnings).
public struct MessageTemplate: Sendable {
    /// The step this template speaks.
    public let step: MessageStep
    /// Where the template came from: a file path, or `built-in`.
    public let source: String
    /// The template text as written.
    public let text: String
    /// Problems worth a look that do not stop the template from being used.
    public let warnings: [TemplateProblem]
    /// The estimated time to say the message with sample values, in seconds.
    public let estimatedSeconds: Double

    private let template: MustacheTemplate

    /// Words a second that a voice speaks: about 150 a minute.
    public static let wordsPerSecond = 2.5
    /// The longest a voicemail should run.
    public static let longestSeconds = 30.0

    /// Parses and checks a template.
    ///
    /// - Parameters:
    ///   - text: the template.
    ///   - step: which message it is.
    ///   - source: its file path, for problems.
    /// - Throws: ``TemplateError`` listing every error found, each with its file and line.
    public init(text: String, step: MessageStep, source: String) throws(TemplateError) {
        var problems: [TemplateProblem] = []
        func report(_ severity: TemplateProblem.Severity, line: Int, _ message: String) {
            problems.append(TemplateProblem(severity: severity, file: source, line: line, message: message))
        }

        let tags = Self.scanTags(text, source: source, report: { report(.error, line: $0, $1) })
        var used: [String: [Int]] = [:]
        for tag in tags {
            guard MessageVariables.names.contains(tag.name) else {
                let known = MessageVariables.documented.map(\.name).joined(separator: ", ")
                report(.error, line: tag.line, "unknown variable '\(tag.name)' (known: \(known))")
                continue
            }
            used[tag.name, default: []].append(tag.line)
        }
        func uses(_ names: String...) -> Bool { names.contains { used[$0] != nil } }

        switch step {
        case .first:
            if !uses("contact_name", "contact_first_name") { report(.error, line: 1, "message 1 must say whom it is for: {{contact_name}} or {{contact_first_name}}") }
            if !uses("owner_name", "owner_first_name") { report(.error, line: 1, "message 1 must say who is calling: {{owner_name}}") }
            if !uses("company") { report(.error, line: 1, "message 1 must say the caller's company: {{company}}") }
            if !uses("promise") { report(.error, line: 1, "message 1 must say when we will call back: {{promise}}") }
            if !uses("callback_number") {
                report(.error, line: 1, "message 1 must give the callback number: {{callback_number}}")
            } else if used["callback_number"]!.count < 2 {
                report(.warning, line: used["callback_number"]![0], "message 1 should say the callback number twice")
            }
        case .second:
            if !uses("owner_name", "owner_first_name") { report(.error, line: 1, "message 2 must say who is calling: {{owner_name}}") }
            if !uses("promise", "callback_number") { report(.error, line: 1, "message 2 must say when we will try again ({{promise}}) or how to call back ({{callback_number}})") }
        case .last:
            if !uses("owner_name", "owner_first_name") { report(.error, line: 1, "message 3 must say who is calling: {{owner_name}}") }
            if !uses("callback_number") { report(.error, line: 1, "message 3 must give the callback number: {{callback_number}}") }
            if let lines = used["promise"] { report(.error, line: lines[0], "message 3 must not promise a call: no call follows the last message") }
            if !text.lowercased().contains("last") { report(.warning, line: 1, "message 3 should say it is the last message") }
        }

        var parsed: MustacheTemplate?
        do {
            parsed = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
        } catch {
            report(.error, line: 1, "not a valid Mustache template: \(error)")
        }

        let errors = problems.filter { $0.severity == .error }
        guard errors.isEmpty, let parsed else { throw TemplateError(problems: errors) }

        let words = Self.spokenWords(parsed.render(MessageVariables.sample.values))
        let seconds = Double(words) / Self.wordsPerSecond
        if seconds > Self.longestSeconds {
            report(.warning, line: 1, "takes about \(Int(seconds.rounded())) seconds to say with sample values; keep voicemails under \(Int(Self.longestSeconds))")
        }
        self.step = step
        self.source = source
        self.text = text
        self.template = parsed
        self.estimatedSeconds = seconds
        self.warnings = problems.filter { $0.severity == .warning }
    }

    /// Renders the message's words for these values.
    public func render(_ variables: MessageVariables) -> String {
        Self.tidy(template.render(variables.values))
    }

    /// The message for these values, ready for a voice.
    public func message(_ variables: MessageVariables) -> RenderedMessage {
        let text = render(variables)
        return RenderedMessage(step: step, text: text, templateSource: source,
                               estimatedSeconds: Double(Self.spokenWords(text)) / Self.wordsPerSecond)
    }

    static func spokenWords(_ text: String) -> Int {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).count
    }

    /// Folds the template's line breaks and runs of spaces into single spaces.
    static func tidy(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
            .joined(separator: " ")
            .replacingOccurrences(of: " .", with: ".").replacingOccurrences(of: " ,", with: ",")
    }

    struct Tag {
        var name: String
        var line: Int
    }

    /// Finds the `{{...}}` tags with their line numbers, reporting tags TouchBase does not allow.
    static func scanTags(_ text: String, source: String, report: (Int, String) -> Void) -> [Tag] {
        var tags: [Tag] = []
        var line = 1
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            line += rest[..<open.lowerBound].filter { $0 == "\n" }.count
            let afterOpen = rest[open.upperBound...]
            let triple = afterOpen.hasPrefix("{")
            let closing = triple ? "}}}" : "}}"
            guard let close = afterOpen.range(of: closing) else {
                report(line, "'{{' is never closed with '\(closing)'")
                return tags
            }
            var body = afterOpen[..<close.lowerBound]
            if triple { body = body.dropFirst() }
            let tagLine = line
            line += body.filter { $0 == "\n" }.count
            rest = afterOpen[close.upperBound...]

            var name = body.trimmingCharacters(in: " \t")
            guard let sigil = name.first else {
                report(tagLine, "empty tag '{{}}'")
                continue
            }
            switch sigil {
            case "!":
                continue
            case ">", "=", "%", "<", "$":
                report(tagLine, "'{{\(sigil)' (partials, delimiters, pragmas, blocks) is not supported in message templates")
                continue
            case "#", "^", "/", "&":
                name = String(name.dropFirst()).trimmingCharacters(in: " \t")
            default:
                break
            }
            tags.append(Tag(name: name, line: tagLine))
        }
        return tags
    }
}

private extension StringProtocol {
    func trimmingCharacters(in characters: String) -> String {
        let set = Set(characters)
        return String(String(drop(while: { set.contains($0) }).reversed()).drop(while: { set.contains($0) }).reversed())
    }

    func replacingOccurrences(of target: String, with replacement: String) -> String {
        String(self).split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// One problem found in a template, with where it is.
public struct TemplateProblem: Sendable, Hashable, CustomStringConvertible {
    /// Whether the template can still be used.
    public enum Severity: String, Sendable, Hashable { case error, warning }

    /// Error or warning.
    public var severity: Severity
    /// The template's file, or `built-in`.
    public var file: String
    /// The line the problem is on (1 for problems with the whole template).
    public var line: Int
    /// What is wrong.
    public var message: String

    public var description: String { "\(file):\(line): \(severity.rawValue): \(message)" }
}

/// A template that cannot be used, with every error found in it.
public struct TemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The errors, in the order found.
    public var problems: [TemplateProblem]

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

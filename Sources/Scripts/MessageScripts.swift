import Cadence
import Foundation

/// The three message templates in force, with overrides per owner or campaign.
///
/// Built-in templates follow DESIGN.md's rules. An administrator overrides them from a folder:
///
/// ```
/// templates/message1.mustache              overrides message 1 for everyone
/// templates/<set>/message2.mustache        overrides message 2 for one owner or campaign
/// ```
///
/// where `<set>` is the owner's or campaign's key (see ``setKey(_:)``). For each message the most
/// specific template wins: campaign, then owner, then the folder's own, then the built-in one.
/// Every file is checked when the folder loads.
public struct MessageScripts: Sendable {
    private var templates: [String: [MessageStep: MessageTemplate]]

    /// The key for the folder's own templates and the built-in ones.
    static let everyone = ""

    /// The built-in templates.
    public static let builtIn: [MessageStep: String] = [
        .first: """
            Hi {{contact_name}}, this is {{owner_name}} from {{company}}. \
            {{#connection}}{{connection}}. {{/connection}}\
            {{#topic}}I'm calling about {{topic}}. {{/topic}}\
            I'll call you back {{promise}}. \
            You can reach me at {{callback_number}}. \
            Again, {{callback_number}}. Talk soon.
            """,
        .second: """
            Hi {{contact_first_name}}, it's {{owner_name}} from {{company}} again. \
            Sorry I missed you. I'll try you again {{promise}}, \
            or you can call me at {{callback_number}}.
            """,
        .last: """
            Hi {{contact_first_name}}, it's {{owner_name}} from {{company}}. \
            This is my last message for now. \
            You're welcome to call me any time{{#topic}} about {{topic}}{{/topic}} at {{callback_number}}. \
            I'll keep you on my list. Take care.
            """,
    ]

    /// The built-in templates only.
    public init() {
        var builtIn: [MessageStep: MessageTemplate] = [:]
        for (step, text) in Self.builtIn {
            builtIn[step] = try! MessageTemplate(text: text, step: step, source: "built-in message \(step.rawValue)")
        }
        templates = [Self.everyone: builtIn]
    }

    /// The built-in templates with a folder's overrides.
    ///
    /// - Parameter folder: the templates folder; a missing folder is an error, an empty one is fine.
    /// - Throws: ``TemplateError`` with every error in every file, or when the folder cannot be read.
    public init(folder: String) throws(TemplateError) {
        self.init()
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TemplateError(problems: [TemplateProblem(severity: .error, file: folder, line: 1, message: "templates folder does not exist")])
        }
        var problems: [TemplateProblem] = []
        var sets: [(key: String, path: String)] = [(Self.everyone, folder)]
        let entries = (try? fileManager.contentsOfDirectory(atPath: folder)) ?? []
        for entry in entries.sorted() {
            let path = (folder as NSString).appendingPathComponent(entry)
            if fileManager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                sets.append((Self.setKey(entry), path))
            } else if entry.hasSuffix(".mustache"), !Self.fileNames.values.contains(entry) {
                problems.append(TemplateProblem(severity: .error, file: path, line: 1,
                                                message: "not a message template name; use message1.mustache, message2.mustache or message3.mustache"))
            }
        }
        for (key, path) in sets {
            for step in MessageStep.allCases {
                let file = (path as NSString).appendingPathComponent(Self.fileNames[step]!)
                guard fileManager.fileExists(atPath: file) else { continue }
                guard let data = fileManager.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                    problems.append(TemplateProblem(severity: .error, file: file, line: 1, message: "cannot be read as UTF-8 text"))
                    continue
                }
                do {
                    templates[key, default: [:]][step] = try MessageTemplate(text: text, step: step, source: file)
                } catch {
                    problems += error.problems
                }
            }
        }
        guard problems.isEmpty else { throw TemplateError(problems: problems) }
    }

    static let fileNames: [MessageStep: String] = [.first: "message1.mustache", .second: "message2.mustache", .last: "message3.mustache"]

    /// The folder name for an owner or campaign: lower case, with runs of other characters as `-`
    /// ("Laura Harbolt" → `laura-harbolt`).
    public static func setKey(_ name: String) -> String {
        var key = ""
        for character in name.lowercased() {
            if character.isLetter || character.isNumber {
                key.append(character)
            } else if !key.isEmpty && key.last != "-" {
                key.append("-")
            }
        }
        while key.last == "-" { key.removeLast() }
        return key
    }

    /// The template for a step, the most specific first: campaign, owner, everyone.
    public func template(for step: MessageStep, owner: String? = nil, campaign: String? = nil) -> MessageTemplate {
        for key in [campaign, owner].compactMap({ $0.map(Self.setKey) }) + [Self.everyone] {
            if let template = templates[key]?[step] { return template }
        }
        preconditionFailure("built-in templates cover every step")
    }

    /// Every warning in the templates in force.
    public var warnings: [TemplateProblem] {
        templates.values.flatMap(\.values).flatMap(\.warnings).sorted { ($0.file, $0.line) < ($1.file, $1.line) }
    }

    /// Renders a step's message.
    public func render(_ step: MessageStep, _ variables: MessageVariables, owner: String? = nil,
                       campaign: String? = nil) -> RenderedMessage {
        template(for: step, owner: owner, campaign: campaign).message(variables)
    }
}

/// A message's words, ready for a voice.
public struct RenderedMessage: Sendable, Hashable {
    /// Which message this is.
    public var step: MessageStep
    /// The words, as plain text, for voices that take only text.
    public var text: String
    /// The template it came from.
    public var templateSource: String
    /// About how long it takes to say, in seconds.
    public var estimatedSeconds: Double

    /// The words as SSML, for voices that take it: XML-escaped inside `<speak>`. The callback
    /// number's groups are already separated by commas, which SSML voices pause on.
    public var ssml: String {
        var body = ""
        for character in text {
            switch character {
            case "&": body += "&amp;"
            case "<": body += "&lt;"
            case ">": body += "&gt;"
            case "\"": body += "&quot;"
            case "'": body += "&apos;"
            default: body.append(character)
            }
        }
        return "<speak>" + body + "</speak>"
    }
}

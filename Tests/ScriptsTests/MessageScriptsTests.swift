import Cadence
import Foundation
import Scripts
import Testing

@Suite("Message scripts")
struct MessageScriptsTests {
    let laura = MessageVariables(contactName: "Laura Harbolt", ownerName: "Sam Ortiz", company: "Ortiz Landscaping",
                                 connection: "we met last week at the networking group",
                                 topic: "the spring planting schedule", callbackNumber: "+16175550100",
                                 promise: "tomorrow around noon")

    @Test("message 1 says whom it is for, who calls and from where, the connection, the topic, the promise, and the number twice")
    func messageOne() {
        let message = MessageScripts().render(.first, laura)
        #expect(message.text == "Hi Laura Harbolt, this is Sam Ortiz from Ortiz Landscaping. We met last week at the networking group. I'm calling about the spring planting schedule. I'll call you back tomorrow around noon. You can reach me at six one seven, five five five, zero one zero zero. Again, six one seven, five five five, zero one zero zero. Talk soon.")
        #expect(message.estimatedSeconds < 30)
        #expect(MessageScripts().warnings.isEmpty, "the built-in templates stand their own checks")
    }

    @Test("message 2 is short: who calls, sorry we missed you, when we try again, the number")
    func messageTwo() {
        var variables = laura
        variables.promise = "in a day or two"
        let message = MessageScripts().render(.second, variables)
        #expect(message.text == "Hi Laura, it's Sam Ortiz from Ortiz Landscaping again. Sorry I missed you. I'll try you again in a day or two, or you can call me at six one seven, five five five, zero one zero zero.")
        #expect(message.estimatedSeconds < MessageScripts().render(.first, laura).estimatedSeconds)
    }

    @Test("message 3 says it is the last, invites a call any time about the topic, and keeps them on the list")
    func messageThree() {
        var variables = laura
        variables.promise = ""
        let text = MessageScripts().render(.last, variables).text
        #expect(text.contains("last message"))
        #expect(text.contains("any time about the spring planting schedule at six one seven"))
        #expect(text.contains("keep you on my list"))
    }

    @Test("an empty connection or topic leaves no gap in the words")
    func optionalParts() {
        var variables = laura
        variables.connection = ""
        variables.topic = ""
        let text = MessageScripts().render(.first, variables).text
        #expect(text.contains("Landscaping. I'll call you back"))
    }

    @Test("phone numbers are spoken digit by digit in groups", arguments: [
        ("+16175550100", "six one seven, five five five, zero one zero zero"),
        ("6175550100", "six one seven, five five five, zero one zero zero"),
        ("+442079460018", "plus four four two, zero seven nine, four six zero, zero one eight"),
        ("+4930123456", "plus four nine three, zero one two, three four five six"),
    ])
    func spokenNumbers(number: String, spoken: String) {
        #expect(SpokenPhoneNumber(number).description == spoken)
    }

    @Test("hostile names are words, not markup: SSML escapes them")
    func ssmlEscapes() {
        var variables = laura
        variables.contactName = "Bob <break time=\"10s\"/> & \"Co\""
        let ssml = MessageScripts().render(.first, variables).ssml
        #expect(ssml.hasPrefix("<speak>") && ssml.hasSuffix("</speak>"))
        #expect(!ssml.dropFirst(7).dropLast(8).contains("<"))
        #expect(ssml.contains("Hi Bob &lt;break time=&quot;10s&quot;/&gt; &amp; &quot;Co&quot;, this is"))
    }

    @Test("template errors name the file and line", arguments: [
        (MessageStep.first, "Hi {{contact_name}}, {{owner_name}} of {{company}}.\nCall {{callback_number}} {{callback_number}}.\n{{promis}}", "t.mustache:3: error: unknown variable 'promis'"),
        (.first, "Hi {{contact_name}} from {{owner_name}} at {{company}}, call {{callback_number}}", "t.mustache:1: error: message 1 must say when we will call back"),
        (.first, "{{contact_name}} {{owner_name}} {{company}} {{promise}}", "t.mustache:1: error: message 1 must give the callback number"),
        (.last, "{{owner_name}}: last message, call {{callback_number}}.\nI'll call {{promise}}", "t.mustache:2: error: message 3 must not promise a call"),
        (.second, "{{owner_name}} {{> footer}}", "t.mustache:1: error: '{{>' (partials, delimiters, pragmas, blocks) is not supported"),
        (.second, "{{owner_name}} {{promise", "t.mustache:1: error: '{{' is never closed"),
    ])
    func templateErrors(step: MessageStep, text: String, expected: String) {
        do {
            _ = try MessageTemplate(text: text, step: step, source: "t.mustache")
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
        }
    }

    @Test("a message 1 that says the number once, or runs over 30 seconds, loads with warnings")
    func warnings() throws {
        let once = try MessageTemplate(text: "{{contact_name}} {{owner_name}} {{company}} {{promise}} {{callback_number}}", step: .first, source: "t")
        #expect(once.warnings.map(\.message) == ["message 1 should say the callback number twice"])
        let long = try MessageTemplate(text: "{{owner_name}} " + String(repeating: "and so on ", count: 40) + "{{promise}}", step: .second, source: "long")
        #expect(long.warnings.first?.message.hasPrefix("takes about 50 seconds") == true)
        #expect(long.estimatedSeconds > 30)
    }

    @Test("a templates folder overrides per owner and per campaign, most specific first")
    func folderOverrides() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tb-templates-\(UUID())")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sam-ortiz"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("spring-campaign"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "Everyone: {{owner_name}} again, {{promise}}.".write(to: folder.appendingPathComponent("message2.mustache"), atomically: true, encoding: .utf8)
        try "Sam's own: {{owner_first_name}} again, {{promise}}.".write(to: folder.appendingPathComponent("sam-ortiz/message2.mustache"), atomically: true, encoding: .utf8)
        try "Spring: {{owner_first_name}} again, {{callback_number}}.".write(to: folder.appendingPathComponent("spring-campaign/message2.mustache"), atomically: true, encoding: .utf8)
        let scripts = try MessageScripts(folder: folder.path)
        #expect(scripts.render(.second, laura).text == "Everyone: Sam Ortiz again, tomorrow around noon.")
        #expect(scripts.render(.second, laura, owner: "Sam Ortiz").text == "Sam's own: Sam again, tomorrow around noon.")
        #expect(scripts.render(.second, laura, owner: "Sam Ortiz", campaign: "Spring Campaign").text.hasPrefix("Spring: Sam again"))
        #expect(scripts.render(.first, laura, owner: "Sam Ortiz").templateSource == "built-in message 1")
    }

    @Test("a bad file in the folder fails the load with every problem listed")
    func badFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tb-templates-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "{{owner_name}} {{nope}}".write(to: folder.appendingPathComponent("message2.mustache"), atomically: true, encoding: .utf8)
        try "x".write(to: folder.appendingPathComponent("message4.mustache"), atomically: true, encoding: .utf8)
        #expect(throws: TemplateError.self) { try MessageScripts(folder: folder.path) }
        do { _ = try MessageScripts(folder: folder.path) } catch {
            #expect(error.problems.map(\.message) == [
                "not a message template name; use message1.mustache, message2.mustache or message3.mustache",
                "unknown variable 'nope' (known: contact_name, contact_first_name, owner_name, owner_first_name, company, connection, topic, callback_number, promise)",
                "message 2 must say when we will try again ({{promise}}) or how to call back ({{callback_number}})",
            ])
        }
        #expect(throws: TemplateError.self) { try MessageScripts(folder: folder.path + "/missing") }
    }
}

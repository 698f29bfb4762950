import Cadence
import Foundation
import Scripts
import Testing

@Suite("the templates in force while serve runs")
struct MessageScriptsInForceTests {
    let variables = MessageVariables(contactName: "Laura Harbolt", ownerName: "Sam Ortiz", company: "Ortiz Landscaping",
                                     connection: "", topic: "", callbackNumber: "+16175550100", promise: "on Friday")

    func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tb-templates-in-force-\(UUID())")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sam-ortiz"), withIntermediateDirectories: true)
        return folder
    }

    @Test("a template changed, added in an owner's folder, or removed is spoken from the next message; an unchanged folder is not read again")
    func changesAreReadAgain() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("message2.mustache")
        try "First: {{owner_name}}, {{promise}}.".write(to: file, atomically: true, encoding: .utf8)
        let templates = try MessageScriptsInForce(folder: folder.path)
        #expect(templates.scripts.render(.second, variables).text == "First: Sam Ortiz, on Friday.")
        #expect(try templates.reloadIfChanged() == nil)

        try "Second: {{owner_name}}, {{promise}}.".write(to: file, atomically: true, encoding: .utf8)
        #expect(try templates.reloadIfChanged() != nil)
        #expect(templates.scripts.render(.second, variables).text == "Second: Sam Ortiz, on Friday.")

        try "Sam's: {{owner_first_name}}, {{promise}}.".write(to: folder.appendingPathComponent("sam-ortiz/message2.mustache"),
                                                              atomically: true, encoding: .utf8)
        try templates.reloadIfChanged()
        #expect(templates.scripts.render(.second, variables, owner: "Sam Ortiz").text == "Sam's: Sam, on Friday.")

        try FileManager.default.removeItem(at: file)
        try templates.reloadIfChanged()
        #expect(templates.scripts.render(.second, variables) == MessageScripts().render(.second, variables))
    }

    @Test("a change that does not load keeps the templates in force, is reported once, and a fix is read")
    func brokenChangeKeepsTheTemplatesInForce() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("message1.mustache")
        try "Good: {{contact_name}}, {{owner_name}} of {{company}}, {{promise}}, {{callback_number}}.".write(to: file, atomically: true, encoding: .utf8)
        let templates = try MessageScriptsInForce(folder: folder.path)
        try "Broken: {{contact_name}, {{owner_name}} of {{company}}, {{promise}}, {{callback_number}}.".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: TemplateError.self) { try templates.reloadIfChanged() }
        #expect(templates.scripts.render(.first, variables).text.hasPrefix("Good: Laura Harbolt"))
        #expect(try templates.reloadIfChanged() == nil, "the same broken folder is not reported again")

        try "Fixed: {{contact_name}}, {{owner_name}} of {{company}}, {{promise}}, {{callback_number}}.".write(to: file, atomically: true, encoding: .utf8)
        try templates.reloadIfChanged()
        #expect(templates.scripts.render(.first, variables).text.hasPrefix("Fixed: Laura Harbolt"))
    }

    @Test("without a folder the built-in templates stay and nothing is watched")
    func builtInOnly() throws {
        let templates = try MessageScriptsInForce(folder: nil)
        #expect(templates.folder == nil)
        #expect(try templates.reloadIfChanged() == nil)
        #expect(templates.scripts.render(.last, variables) == MessageScripts().render(.last, variables))
    }
}

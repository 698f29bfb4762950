import Dialer
import Foundation
import Testing

/// Reads a call file the way Asterisk's pbx_spool.c `parse_line()` does: `#` after a blank
/// (or at the start) ends the line, `;` ends it unless escaped as `\;`, blanks are trimmed,
/// `key: value` splits at the first colon. Lines longer than 1,023 bytes would be split.
func asteriskReads(_ text: String) -> [(key: String, value: String)] {
    var fields: [(String, String)] = []
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
        var line = Array(rawLine.utf8)
        precondition(line.count < 1023)
        if let hash = line.indices.first(where: { line[$0] == UInt8(ascii: "#") && ($0 == 0 || line[$0 - 1] == 0x20 || line[$0 - 1] == 0x09) }) {
            line = Array(line[..<hash])
        }
        var i = 0
        while i < line.count {
            if line[i] == UInt8(ascii: ";") {
                if i > 0 && line[i - 1] == UInt8(ascii: "\\") { line.remove(at: i - 1); continue }
                line = Array(line[..<i]); break
            }
            i += 1
        }
        var text = String(decoding: line, as: UTF8.self)
        while text.last == " " || text.last == "\t" { text.removeLast() }
        guard !text.isEmpty, let colon = text.firstIndex(of: ":") else { continue }
        let value = text[text.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
        fields.append((String(text[..<colon]), String(value)))
    }
    return fields
}

@Suite("Call files")
struct CallFileTests {
    func call(variables: [(String, String)], callerName: String = "Sam Ortiz") -> CallFile {
        CallFile(channel: "PJSIP/+16175550100@trunk", callerID: (callerName, "+16175550199"), waitTime: 30,
                 context: "touchbase-outbound", extension: "answered", variables: variables)
    }

    @Test("a call file lists the channel, caller id, timings, entry point and variables Asterisk reads")
    func rendersFields() throws {
        let text = try call(variables: [("TOUCHBASE_CALL", "tb-call-42")]).rendered()
        #expect(text == """
            Channel: PJSIP/+16175550100@trunk
            CallerID: "Sam Ortiz" <+16175550199>
            WaitTime: 30
            MaxRetries: 0
            RetryTime: 300
            Context: touchbase-outbound
            Extension: answered
            Priority: 1
            Setvar: TOUCHBASE_CALL=tb-call-42
            Archive: yes

            """)
    }

    @Test("hostile data reads back unchanged or is refused; it never adds a line", arguments: [
        "O'Brien; DROP TABLE", "semi;colon", "back\\slash;", "a#b", "ünïcødé 名前", "x=y=z", "$(reboot)", "${SHELL(id)}", "#1 fan", " padded",
    ])
    func hostileValuesRoundTrip(value: String) throws {
        let text = try call(variables: [("TOUCHBASE_NOTE", value)]).rendered()
        let fields = asteriskReads(text)
        #expect(fields.count == 10)
        #expect(fields.first { $0.key == "Setvar" }?.value == "TOUCHBASE_NOTE=\(value)")
    }

    @Test("values that would end the line or start a comment are refused with the field named", arguments: [
        ("Bob\nChannel: PJSIP/900@evil", "holds a newline"), ("Bob\r", "holds a carriage return"), ("a\0", "holds a NUL"),
        ("Sam #1", "has '#' at its start or after a blank"), ("padded ", "starts or ends with blanks"),
    ])
    func refusedValues(value: String, reason: String) {
        do {
            _ = try call(variables: [("TOUCHBASE_NOTE", value)]).rendered()
            Issue.record("accepted \(value.debugDescription)")
        } catch {
            #expect(error.field == "Setvar TOUCHBASE_NOTE")
            #expect(error.reason.hasPrefix(reason))
        }
    }

    @Test("caller id names with quotes or angle brackets, and odd numbers, are refused")
    func callerIDChecks() {
        #expect(throws: CallFileError.self) { try call(variables: [], callerName: "Sam \"The Man\"").rendered() }
        #expect(throws: CallFileError.self) { try call(variables: [], callerName: "Sam <x>").rendered() }
        var bad = call(variables: [])
        bad.callerID = ("Sam", "+1 617 555")
        #expect(throws: CallFileError.self) { try bad.rendered() }
        bad.channel = "PJSIP"
        #expect(throws: CallFileError.self) { try bad.rendered() }
    }

    @Test("the spool gets whole files only: written aside, timed, then renamed into outgoing")
    func spoolPlacesAtomically() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tb-spool-\(UUID())")
        let outgoing = root.appendingPathComponent("outgoing"), staging = root.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: outgoing, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }

        let spool = CallFileSpool(outgoingDirectory: outgoing.path)
        #expect(spool.stagingDirectory == staging.path)
        let start = Date(timeIntervalSince1970: 1_900_000_000)
        let path = try spool.place(call(variables: [("TOUCHBASE_CALL", "tb-1")]), name: "tb-1", notBefore: start)
        #expect(path == outgoing.appendingPathComponent("tb-1.call").path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: staging.path).isEmpty)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.modificationDate] as? Date) == start)
        #expect(asteriskReads(try String(contentsOfFile: path, encoding: .utf8)).first?.value == "PJSIP/+16175550100@trunk")

        #expect(throws: CallFileSpoolError.self) { try spool.place(call(variables: []), name: "../escape") }
        #expect(throws: CallFileError.self) { try spool.place(call(variables: [("X", "a\nb")]), name: "tb-2") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outgoing.path) == ["tb-1.call"], "nothing half-written is left")
        #expect(try FileManager.default.contentsOfDirectory(atPath: staging.path).isEmpty)
    }
}

import Foundation
import Testing
@testable import touchbase

@Suite("touchbase contacts and simulate, the built executable")
struct StoreCommandTests {
    static let importDefaults = ["--default-time-zone", "America/Chicago", "--owner", "Sam Ortiz",
                                 "--owner-dial", "PJSIP/101", "--callback", "617-555-0199", "--company", "Acme"]

    @Test("contacts list shows names with emoji whole, and cuts a long name between characters")
    func listKeepsCharactersWhole() throws {
        let touchbase = try TouchBaseBinary()
        let long = String(repeating: "Ann 😀 ", count: 12)  // 84 characters, an emoji in every word
        let csv = try touchbase.write(Array("name,phone\nDan 😀,617-555-0100\n\(long),617-555-0101\n".utf8), to: "c.csv")
        let imported = try touchbase.run(["contacts", "import", csv.path] + Self.importDefaults)
        #expect(imported.status == 0, "\(imported.stderr)")
        let list = try touchbase.run(["contacts", "list"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(!list.stdout.contains("\u{FFFD}"))
        let lines = list.stdout.split(separator: "\n").map(String.init)
        let dan = try #require(lines.first { $0.contains("Dan") })
        #expect(dan.contains("Dan 😀 "))
        let ann = try #require(lines.first { $0.contains("Ann") })
        #expect(ann.contains(String(long.prefix(59)) + "…"))
    }

    @Test("a table pads and cuts by characters: every column starts at the same character")
    func tableCountsCharacters() {
        let table = Format.table([["NAME", "PHONE"], ["Dan 😀", "+1"], ["Zoë 👩‍👩‍👧", "+2"], [String(repeating: "é", count: 70), "+3"]])
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines[1] == "Dan 😀" + String(repeating: " ", count: 55) + "  +1   ")
        let phoneColumns = lines.dropFirst().map { line in line.distance(from: line.startIndex, to: line.firstIndex(of: "+")!) }
        #expect(Set(phoneColumns) == [62])
        #expect(lines[3].hasPrefix(String(repeating: "é", count: 59) + "…"))
    }

    @Test("a CSV that is not UTF-8 is refused with its line, exit 1, and no usage text")
    func latin1Refused() throws {
        let touchbase = try TouchBaseBinary()
        let bytes = Array("name,phone\nDan,617-555-0100\nJos".utf8) + [0xE9] + Array(",617-555-0101\n".utf8)
        let csv = try touchbase.write(bytes, to: "latin1.csv")
        let run = try touchbase.run(["contacts", "import", csv.path] + Self.importDefaults)
        #expect(run.status == 1)
        #expect(run.stderr.contains("latin1.csv:3:"), "\(run.stderr)")
        #expect(run.stderr.contains("not UTF-8"), "\(run.stderr)")
        #expect(!run.stderr.contains("USAGE"), "\(run.stderr)")
        #expect(run.stderr.contains("nothing was imported"))
    }

    @Test("contacts import reads standard input as - and through a pipe path, naming it in problems; nothing of it is left behind")
    func importFromAPipe() throws {
        let touchbase = try TouchBaseBinary()
        let good = Array("name,phone\nDan,617-555-0100\nEve,617-555-0101\n".utf8)
        let dash = try touchbase.run(["contacts", "import", "-"] + Self.importDefaults, stdin: .pipe(good))
        #expect(dash.status == 0, "\(dash.stderr)")
        #expect(dash.stdout.contains("imported 2 contacts from standard input: 2 new"), "\(dash.stdout)")
        let devStdin = try touchbase.run(["contacts", "import", "/dev/stdin"] + Self.importDefaults, stdin: .pipe(good))
        #expect(devStdin.stdout.contains("imported 2 contacts from /dev/stdin: 0 new, 2 updated"), "\(devStdin.stdout) \(devStdin.stderr)")
        let bad = try touchbase.run(["contacts", "import", "-"] + Self.importDefaults, stdin: .pipe(Array("name,phone\nDan,555\n".utf8)))
        #expect(bad.status == 1 && bad.stderr.contains("standard input:2:"), "\(bad.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("touchbase-import-") }
        #expect(left.isEmpty, "the copies are removed: \(left)")
    }

    @Test("simulate --contacts -1 says what is wrong with -1")
    func negativeContacts() throws {
        let run = try TouchBaseBinary().run(["simulate", "--contacts", "-1"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--contacts must be a whole number above 0, not -1"), "\(run.stderr)")
        #expect(!run.stderr.contains("Missing value"))
    }
}

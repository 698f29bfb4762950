import Dialer
import Store
import Testing

@Suite("Dial pacing")
struct DialPacingTests {
    let pacing = DialPacing(maxCalls: 4, callsPerMinute: 5, trunks: [
        Trunk(name: "a", channel: "PJSIP/{number}@a", maxCalls: 2, callsPerMinute: 2),
        Trunk(name: "b", channel: "PJSIP/{number}@b", maxCalls: 3, callsPerMinute: 3),
    ])

    @Test("an idle dialer fills the first trunk, then the next, up to the overall limit")
    func idle() {
        #expect(pacing.trunksForNextCalls(.init()).map(\.name) == ["a", "a", "b", "b"])
    }

    @Test("calls under way and calls started in the last minute both count, per trunk and overall")
    func busy() {
        #expect(pacing.trunksForNextCalls(.init(open: ["a": 2], startedLastMinute: ["a": 2])).map(\.name) == ["b", "b"])
        #expect(pacing.trunksForNextCalls(.init(open: ["b": 1], startedLastMinute: ["a": 1, "b": 3])).map(\.name) == ["a"])
        #expect(pacing.trunksForNextCalls(.init(open: ["a": 1, "b": 3])).isEmpty)
        #expect(pacing.trunksForNextCalls(.init(startedLastMinute: ["b": 5])).isEmpty)
    }

    @Test("only E.164 digits reach a dial string")
    func dialString() throws {
        let trunk = pacing.trunks[0]
        #expect(try trunk.channel(for: "+16175550100") == "PJSIP/+16175550100@a")
        #expect(throws: DialStringError.self) { try trunk.channel(for: "+1617555&PJSIP/666") }
        #expect(throws: DialStringError.self) { try trunk.channel(for: "") }
        #expect(Trunk.problem(inChannel: "Local/{number}@out") == nil)
        #expect(Trunk.problem(inChannel: "Local/{number}@out,n") != nil)
    }

    @Test("an owner's dial string must be Tech/resource with nothing that splits Dial()'s arguments",
          arguments: [("PJSIP/101", true), ("SIP/sam@pbx", true), ("Local/101@staff", true), ("PJSIP/101&PJSIP/102", true),
                      ("101", false), ("PJSIP/", false), ("PJSIP/101,30", false), ("PJSIP/101)", false),
                      ("PJSIP/10 1", false), ("PJSIP/101\nHANGUP", false), ("PJSIP/101;x", false)])
    func ownerDialString(dial: String, usable: Bool) {
        #expect((DialString.problemForDial(dial) == nil) == usable)
    }

    @Test("contacts import refuses an unusable owner dial string with its line, through the dialer's check")
    func importChecksOwnerDial() throws {
        let importer = ContactImport(defaults: .init(timeZone: "America/New_York", owner: "Sam", callback: "6175550199", company: "Acme"),
                                     ownerDialProblem: DialString.problemForDial)
        let csv = "name,phone,owner_dial\nAda,6175550100,PJSIP/101\nBob,6175550101,\"PJSIP/101,30\"\nCy,6175550102,101\n"
            + "Di,6175550103,PJSIP/101,30\nEd,6175550104,PJSIP/102,,\n"
        do {
            _ = try importer.contacts(fromCSV: csv, file: "c.csv")
            Issue.record("accepted")
        } catch {
            #expect(error.problems.map(\.line) == [3, 4, 5], "trailing empty values (line 6) are not a problem")
            #expect(error.description.contains("c.csv:3: owner_dial \"PJSIP/101,30\" holds \",\""))
            #expect(error.description.contains("c.csv:4: owner_dial \"101\" is not Tech/resource"))
            #expect(error.description.contains("c.csv:5: 4 values for 3 columns (a comma inside a value needs the value in double quotes)"))
        }
    }
}

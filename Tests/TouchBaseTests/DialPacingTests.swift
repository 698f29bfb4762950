import Dialer
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
}

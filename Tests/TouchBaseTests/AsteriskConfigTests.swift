import Foundation
import Testing

/// Checks on asterisk-config/ for mistakes a real Asterisk 22 showed and a load without warnings
/// does not catch.
@Suite("asterisk-config")
struct AsteriskConfigTests {
    static let folder: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("asterisk-config")
    }()

    static func dialplanLines() throws -> [String] {
        try String(contentsOf: folder.appendingPathComponent("extensions_touchbase.conf"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix(";") }
    }

    @Test("no AGI address goes through IF() or ExecIf(), which split their branches at the first ':'")
    func noAddressThroughIf() throws {
        for line in try Self.dialplanLines() where line.contains("IF(") || line.contains("ExecIf(") {
            #expect(!line.contains("agi://") && !line.contains("TOUCHBASE_AGI"), "\(line)")
        }
    }

    @Test("every route runs through touchbase-agi, which defaults to 127.0.0.1:4573 and honours TOUCHBASE_AGI")
    func routesUseOneAddress() throws {
        let lines = try Self.dialplanLines()
        let agiLines = lines.filter { $0.contains("AGI(") && !$0.contains("touchbase-agi") && !$0.contains("TOUCHBASE_AGI") }
        #expect(agiLines == [" same => n(run),AGI(${url}/${ARG1},${ARG2})"])
        #expect(lines.contains("exten => s,1,Set(LOCAL(url)=${GLOBAL(TOUCHBASE_AGI)})"))
        #expect(lines.contains(" same => n,Set(LOCAL(url)=agi://127.0.0.1:4573)"))
        for route in ["answered", "failed", "outcome", "drop", "inbound"] {
            #expect(lines.contains { $0.contains("Gosub(touchbase-agi,s,1(\(route)") }, "route \(route)")
        }
    }

    @Test("LOCAL() is used only inside a Gosub's context, where it holds a value (outside one, Asterisk 22 keeps nothing)")
    func localOnlyInGosub() throws {
        let lines = try Self.dialplanLines()
        var context = ""
        for line in lines {
            if line.hasPrefix("[") { context = line }
            if line.contains("LOCAL(") { #expect(context == "[touchbase-agi]", "\(context) \(line)") }
        }
    }

    @Test("answered: the detector chosen per call, AudioSocket at TOUCHBASE_AUDIOSOCKET (default 127.0.0.1:4574) under TryExec, AMD kept as the fallback, then the route")
    func answeredChoosesTheDetector() throws {
        let lines = try Self.dialplanLines()
        let answered = Array(lines.drop { !$0.hasPrefix("exten => answered,") }.prefix { !$0.hasPrefix("exten => failed,") })
        #expect(answered == [
            "exten => answered,1,Set(CDR(userfield)=${TOUCHBASE_CALL})",
            " same => n,GotoIf($[\"${TOUCHBASE_DETECTOR}\" != \"touchbase\"]?amd)",
            " same => n,Set(TOUCHBASE_AUDIOSOCKET_ADDRESS=${GLOBAL(TOUCHBASE_AUDIOSOCKET)})",
            " same => n,GotoIf($[\"${TOUCHBASE_AUDIOSOCKET_ADDRESS}\" != \"\"]?listen)",
            " same => n,Set(TOUCHBASE_AUDIOSOCKET_ADDRESS=127.0.0.1:4574)",
            " same => n(listen),TryExec(AudioSocket(${TOUCHBASE_AUDIOSOCKET_ID},${TOUCHBASE_AUDIOSOCKET_ADDRESS}))",
            " same => n,GotoIf($[\"${TRYSTATUS}\" = \"SUCCESS\"]?route)",
            " same => n(amd),AMD(2500,1500,800,5000,100,50,3,256,5000)",
            " same => n(route),Gosub(touchbase-agi,s,1(answered))",
            " same => n,Hangup()",
        ])
    }

    static func featureLines() throws -> [String] {
        try String(contentsOf: folder.appendingPathComponent("features_touchbase.conf"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix(";") }
    }

    @Test("the drop key runs a Gosub on the agent's own channel, with no ${...} in its arguments, which Asterisk passes unexpanded")
    func dropKeyRunsGosubOnSelf() throws {
        #expect(try Self.featureLines().filter { $0.contains("=>") } == ["touchbase_drop => *7,self,Gosub(touchbase-dropkey,s,1)"])
    }

    @Test("the drop key's routine marks the agent's call before it sends the callee's leg away, and takes the mark back if it could not")
    func dropKeyMarksBeforeRedirect() throws {
        let lines = try Self.dialplanLines()
        let start = try #require(lines.firstIndex(of: "[touchbase-dropkey]"))
        let routine = Array(lines[(start + 1)...].prefix { !$0.hasPrefix("[") }.filter { !$0.isEmpty })
        #expect(routine == [
            "exten => s,1,Set(TOUCHBASE_DROPPED=1)",
            " same => n,ChannelRedirect(${BRIDGEPEER},touchbase-drop,${DIALEDPEERNUMBER},1)",
            " same => n,GotoIf($[\"${CHANNELREDIRECT_STATUS}\" = \"SUCCESS\"]?done)",
            " same => n,Set(TOUCHBASE_DROPPED=)",
            " same => n(done),Return()",
        ])
        #expect(lines.contains("exten => _[+0-9].,1,Gosub(touchbase-agi,s,1(drop,${EXTEN}))"))
        #expect(lines.contains("exten => s,1,Gosub(touchbase-agi,s,1(outcome,${ARG1}))"))
    }
}

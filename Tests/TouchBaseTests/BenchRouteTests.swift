import Testing
import TouchBase

@Suite("The bench route")
struct BenchRouteTests {
    @Test("the bench route sends the eight-command voicemail-drop dialog")
    func benchDialog() {
        #expect(BenchRoute.dialog.map(\.line) == [
            "GET VARIABLE AMDSTATUS", "GET VARIABLE AMDCAUSE", "GET VARIABLE TOUCHBASE_CALL",
            "EXEC WaitForSilence 1500,1,20", "STREAM FILE touchbase/bench \"\"",
            "SET VARIABLE CDR(userfield) \"tb-bench\"", "VERBOSE \"touchbase bench done\" 1", "HANGUP",
        ])
        #expect(TouchBaseServer.router().paths.contains("bench"))
    }
}

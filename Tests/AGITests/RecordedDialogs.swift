import AGI
import Testing

/// For each recorded session, the dialog a program speaks in it, written with TouchBase's typed
/// commands, checking how every answer and the hangup are understood.
enum RecordedDialogs {
    static let lab = "/var/lib/asterisk/sounds/lab/"

    static let all: [String: AGIHandler] = [
        "fastagi-answered-commands.txt": answeredCommands,
        "fastagi-usage-gosub-dead-channel.txt": usageGosubDeadChannel,
        "fastagi-unanswered-channel.txt": unansweredChannel,
        "fastagi-caller-hangs-up-during-playback.txt": callerHangsUpDuringPlayback,
        "fastagi-amd-machine-drop.txt": amdMachineDrop,
        "fastagi-callfile-failed-busy.txt": { try await callFileFailed($0, reason: "5", call: "call-5553005") },
        "fastagi-callfile-failed-no-answer.txt": { try await callFileFailed($0, reason: "3", call: "call-5552005") },
        "process-agi-sighup.txt": processSighup,
    ]

    static let answeredCommands: AGIHandler = { s in
        #expect(s.scriptPath == "probe/path")
        #expect(s.query.map(\.name) == ["x"] && s.query.map(\.value) == ["1"])
        #expect(s.arguments == ["arg one", "arg2"])
        #expect(s.environment.channel == "Local/s@probe-00000000;2")
        #expect(s.environment.callerIDNumber == nil)
        #expect(s.environment.accountCode == nil)
        #expect(s.environment["agi_threadid"] == "140364395275968")

        #expect(try await s.getVariable("DIALSTATUS") == "NOANSWER")
        #expect(try await s.getVariable("NO_SUCH_VAR") == nil)
        #expect(try await s.getFullVariable("${CALLERID(num)}-${CHANNEL}") == "-Local/s@probe-00000000;2")
        try await s.setVariable("TB_NOTE", to: "hello world")
        #expect(try await s.getVariable("TB_NOTE") == "hello world")
        try await s.verbose("recorder says hi")
        let missing = try await s.streamFile(lab + "nosuchfile")
        #expect(missing.failed && missing.endpos == 0)
        let beep = try await s.streamFile(lab + "beep")
        #expect(!beep.failed && beep.endpos == 4800 && beep.digit == nil)
        let offset = AGIPlayback(try await s.send(.streamFile(lab + "beep", escapeDigits: "#", offset: 2000)))
        #expect(offset.endpos == 4800)
        #expect(try await s.exec("Playback", [lab + "beep"]) == 0)
        await #expect(throws: AGIError.applicationNotFound("NoSuchApp")) { try await s.exec("NoSuchApp", ["foo"]) }
        #expect(try await s.exec("WaitForSilence", ["300", "1", "1"]) == 0)
        await #expect(throws: AGIError.invalidCommand("BOGUS COMMAND here")) {
            try await s.send(AGICommand([.keyword("BOGUS"), .keyword("COMMAND"), .argument("here")]))
        }
        await #expect(throws: AGIError.usage(command: "STREAM FILE", help: "Invalid command syntax.  Proper usage not available.")) {
            try await s.send(AGICommand([.keyword("STREAM"), .keyword("FILE")]))
        }
        try await s.answer()
        #expect(try await s.send(.channelStatus()).code == 6)
        #expect(try await s.send(.databasePut(family: "tb", key: "k1", value: "v1")).code == 1)
        #expect(try await s.send(.databaseGet(family: "tb", key: "k1")).data == "v1")
        #expect(try await s.send(.databaseGet(family: "tb", key: "nokey")).code == 0)
        try await s.send(.sayDigits("5551234"))
        #expect(try await s.send(.waitForDigit(milliseconds: 100)).code == 0)
        try await s.hangup()
        #expect(!s.isHungUp, "the HANGUP command's own answer does not say the channel is gone yet")
        #expect(try await s.getVariable("DIALSTATUS") == "NOANSWER", "the answer after the HANGUP line is still read")
        #expect(s.isHungUp)
        await #expect(throws: AGIError.deadChannel("STREAM FILE \(lab)beep \"\"")) { try await s.streamFile(lab + "beep") }
        try await s.verbose("after hangup")
    }

    static let usageGosubDeadChannel: AGIHandler = { s in
        do {
            try await s.send(AGICommand([.keyword("STREAM"), .keyword("FILE")]))
            Issue.record("a 520 answer must throw")
        } catch AGIError.usage(let command, let help) {
            #expect(command == "STREAM FILE")
            #expect(help.hasPrefix("Invalid command syntax.  Proper usage follows:\nSend the given file"))
            #expect(help.hasSuffix("    <value>FAILED</value>"))
            #expect(help.split(separator: "\n").count == 6)
        }
        let gosub = try await s.send(AGICommand([.keyword("GOSUB"), .argument("probe"), .argument("sub"), .argument("1")]))
        #expect(gosub.code == 0 && gosub.trailer == "Gosub complete", "the interim 100 is skipped")
        try await s.send(.waitForDigit(milliseconds: 50))
        let data = try await s.send(AGICommand([.keyword("GET"), .keyword("DATA"), .argument(lab + "beep"), .keyword("100"), .keyword("1")]))
        #expect(data.result == "" && data.data == "timeout" && data.code == nil)
        try await s.send(.noop)
        try await s.hangup()
        await #expect(throws: AGIError.deadChannel("ANSWER")) { try await s.answer() }
        #expect(s.isHungUp)
        await #expect(throws: AGIError.deadChannel("CHANNEL STATUS")) { try await s.send(.channelStatus()) }
        #expect(try await s.exec("NoOp", ["x"]) == 0)
        try await s.send(.noop)
        #expect(try await s.send(.databaseGet(family: "tb", key: "k1")).data == "v1")
        await #expect(throws: AGIError.self) { try await s.streamFile(lab + "beep") }
    }

    static let unansweredChannel: AGIHandler = { s in
        #expect(try await s.getVariable("AGISTATUS") == nil)
        let greeting = try await s.streamFile(lab + "greeting")
        #expect(greeting.endpos == 57062 && !greeting.failed)
        #expect(try await s.getVariable("X") == nil)
        try await s.answer()
        #expect(try await s.getVariable("X") == nil)
        #expect(!s.isHungUp)
    }

    static let callerHangsUpDuringPlayback: AGIHandler = { s in
        let greeting = try await s.streamFile(lab + "greeting")
        #expect(greeting.failed && greeting.endpos == 12000)
        #expect(!s.isHungUp, "the HANGUP line has not arrived yet")
        #expect(try await s.getVariable("X") == nil)
        #expect(s.isHungUp)
        #expect(try await s.getVariable("Y") == nil)
    }

    static let amdMachineDrop: AGIHandler = { s in
        #expect(s.scriptPath == "answered")
        #expect(s.environment.uniqueID == "1795353109.14")
        #expect(try await s.getVariable("AMDSTATUS") == "MACHINE")
        #expect(try await s.getVariable("AMDCAUSE") == "MAXWORDS-3-2")
        #expect(try await s.getVariable("TOUCHBASE_CALL") == "call-5551006")
        #expect(try await s.exec("WaitForSilence", ["1500", "1", "20"]) == 0)
        let message = try await s.streamFile(lab + "msg1")
        #expect(!message.failed && message.endpos == 107555)
        try await s.setVariable("CDR(userfield)", to: "tb-call-42")
    }

    static func callFileFailed(_ s: AGISession, reason: String, call: String) async throws {
        #expect(s.scriptPath == "failed")
        #expect(s.environment.channel == "OutgoingSpoolFailed")
        #expect(s.environment.channelType == "NULL")
        #expect(s.environment.callerIDNumber == "+16175550100")
        #expect(s.environment.callerIDName == "Laura Harbolt")
        #expect(try await s.getVariable("REASON") == reason)
        #expect(try await s.getVariable("TOUCHBASE_CALL") == call)
        #expect(try await s.getVariable("DIALSTATUS") == nil)
        #expect(try await s.getVariable("HANGUPCAUSE") == "0")
        #expect(try await s.send(.channelStatus()).code == 0)
    }

    static let processSighup: AGIHandler = { s in
        #expect(!s.environment.isNetwork)
        #expect(s.arguments == ["a b", "c"])
        #expect(try await s.getVariable("DIALSTATUS") == "BUSY")
        let greeting = try await s.streamFile(lab + "greeting")
        #expect(greeting.failed && greeting.endpos == 10720)
        #expect(s.isHungUp, "SIGHUP marks the session hung up")
        #expect(try await s.getVariable("X") == nil)
        try await s.verbose("x")
    }
}

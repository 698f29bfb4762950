import NIOCore

/// What Asterisk answers to each AGI command of the voicemail-drop dialog, and how long it takes
/// to answer, as recorded in Tests/Fixtures/agi/fastagi-amd-machine-drop.txt.
///
/// Pure: the load generator's channel handler asks it for each command line it receives.
struct AsteriskReplies: Sendable {
    /// One answer: the response line without its newline, and how long Asterisk takes before it
    /// (STREAM FILE answers when the message has played).
    struct Reply: Sendable, Equatable {
        var line: String
        var delay: TimeAmount
    }

    /// The channel variables `GET VARIABLE` finds; any other is unset (`200 result=0`).
    var variables: [String: String]
    /// How long STREAM FILE plays before it answers.
    var playbackDelay: TimeAmount

    /// The channel of an answering machine after AMD(), as in the recorded session.
    static func answeringMachine(playbackDelay: TimeAmount) -> AsteriskReplies {
        AsteriskReplies(variables: ["AMDSTATUS": "MACHINE", "AMDCAUSE": "MAXWORDS-3-2",
                                    "TOUCHBASE_CALL": "call-bench"],
                        playbackDelay: playbackDelay)
    }

    /// Asterisk's answer to one command line (without its newline).
    func reply(to commandLine: String) -> Reply {
        let words = commandLine.split(whereSeparator: { $0 == " " || $0 == "\t" })
        func word(_ index: Int) -> String { index < words.count ? words[index].uppercased() : "" }
        let instant = TimeAmount.zero
        switch (word(0), word(1)) {
        case ("GET", "VARIABLE"):
            return Reply(line: variableReply(words.count > 2 ? words[2] : ""), delay: instant)
        case ("GET", "FULL") where word(2) == "VARIABLE":
            return Reply(line: variableReply(words.count > 3 ? words[3] : ""), delay: instant)
        case ("EXEC", _) where words.count > 1:
            return Reply(line: "200 result=0", delay: instant)
        case ("STREAM", "FILE"):
            return Reply(line: "200 result=0 endpos=107555", delay: playbackDelay)
        case ("SET", "VARIABLE"), ("VERBOSE", _), ("HANGUP", _):
            return Reply(line: "200 result=1", delay: instant)
        default:
            return Reply(line: "510 Invalid or unknown command", delay: instant)
        }
    }

    private func variableReply(_ rawName: Substring) -> String {
        var name = rawName
        if name.count >= 2, name.first == "\"", name.last == "\"" { name = name.dropFirst().dropLast() }
        guard let value = variables[String(name)] else { return "200 result=0" }
        return "200 result=1 (\(value))"
    }
}

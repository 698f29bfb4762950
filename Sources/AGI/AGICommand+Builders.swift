extension AGICommand {
    /// `ANSWER`: answers the channel if it is not answered yet.
    public static var answer: AGICommand { try! AGICommand([.keyword("ANSWER")]) }

    /// `HANGUP [CHANNEL]`: hangs up this channel, or the one named.
    public static func hangup(channel: String? = nil) throws(AGICommandError) -> AGICommand {
        try AGICommand([.keyword("HANGUP")] + (channel.map { [.argument($0)] } ?? []))
    }

    /// `GET VARIABLE NAME`: reads a channel variable or function, e.g. `AMDSTATUS`.
    public static func getVariable(_ name: String) throws(AGICommandError) -> AGICommand {
        try AGICommand([.keyword("GET"), .keyword("VARIABLE"), .argument(name)])
    }

    /// `GET FULL VARIABLE "EXPRESSION"`: evaluates an expression such as `${CALLERID(num)}`.
    public static func getFullVariable(_ expression: String, channel: String? = nil) throws(AGICommandError) -> AGICommand {
        try AGICommand([.keyword("GET"), .keyword("FULL"), .keyword("VARIABLE"), .quoted(expression)]
                       + (channel.map { [.argument($0)] } ?? []))
    }

    /// `SET VARIABLE NAME "VALUE"`: sets a channel variable or function, e.g. `CDR(userfield)`.
    public static func setVariable(_ name: String, to value: String) throws(AGICommandError) -> AGICommand {
        try AGICommand([.keyword("SET"), .keyword("VARIABLE"), .argument(name), .quoted(value)])
    }

    /// `STREAM FILE FILE "DIGITS" [OFFSET]`: plays a sound file (path without extension).
    ///
    /// - Parameters:
    ///   - file: the file without extension; Asterisk picks the format that needs no transcoding.
    ///   - escapeDigits: the DTMF digits that stop playback; empty for none.
    ///   - offset: the sample offset to start from.
    public static func streamFile(_ file: String, escapeDigits: String = "", offset: Int? = nil) throws(AGICommandError) -> AGICommand {
        try AGICommand([.keyword("STREAM"), .keyword("FILE"), .argument(file), .quoted(escapeDigits)]
                       + (offset.map { [.keyword(String($0))] } ?? []))
    }

    /// `EXEC APPLICATION ARGS`: runs a dialplan application, e.g. `WaitForSilence 1500,1,20`.
    ///
    /// - Parameters:
    ///   - application: the application's name.
    ///   - arguments: its arguments, joined with commas as the dialplan writes them.
    public static func exec(_ application: String, _ arguments: [String] = []) throws(AGICommandError) -> AGICommand {
        try AGICommand([.keyword("EXEC"), .argument(application)]
                       + (arguments.isEmpty ? [] : [.argument(arguments.joined(separator: ","))]))
    }

    /// `VERBOSE "MESSAGE" LEVEL`: writes a line to Asterisk's console and log.
    public static func verbose(_ message: String, level: Int = 1) throws(AGICommandError) -> AGICommand {
        try AGICommand([.keyword("VERBOSE"), .quoted(message), .keyword(String(level))])
    }

    /// `WAIT FOR DIGIT TIMEOUT`: waits up to `milliseconds` (-1: forever) for one DTMF digit.
    public static func waitForDigit(milliseconds: Int) -> AGICommand {
        try! AGICommand([.keyword("WAIT"), .keyword("FOR"), .keyword("DIGIT"), .keyword(String(milliseconds))])
    }

    /// `CHANNEL STATUS [CHANNEL]`: the channel's state (0 down ... 6 up).
    public static func channelStatus(channel: String? = nil) throws(AGICommandError) -> AGICommand {
        try AGICommand([.keyword("CHANNEL"), .keyword("STATUS")] + (channel.map { [.argument($0)] } ?? []))
    }

    /// `DATABASE GET FAMILY KEY`: reads a value from Asterisk's AstDB.
    public static func databaseGet(family: String, key: String) throws(AGICommandError) -> AGICommand {
        try AGICommand([.keyword("DATABASE"), .keyword("GET"), .argument(family), .argument(key)])
    }

    /// `DATABASE PUT FAMILY KEY VALUE`: writes a value to Asterisk's AstDB.
    public static func databasePut(family: String, key: String, value: String) throws(AGICommandError) -> AGICommand {
        try AGICommand([.keyword("DATABASE"), .keyword("PUT"), .argument(family), .argument(key), .argument(value)])
    }

    /// `SAY DIGITS NUMBER "DIGITS"`: speaks a number digit by digit.
    public static func sayDigits(_ number: String, escapeDigits: String = "") throws(AGICommandError) -> AGICommand {
        try AGICommand([.keyword("SAY"), .keyword("DIGITS"), .argument(number), .quoted(escapeDigits)])
    }

    /// `NOOP`: does nothing; answers at once. Useful to check the session is alive.
    public static var noop: AGICommand { try! AGICommand([.keyword("NOOP")]) }
}

/// An Asterisk call file: the text that, renamed into the spool's `outgoing/` folder, makes
/// Asterisk originate a call.
///
/// Every value is checked and escaped the way `pbx/pbx_spool.c` reads it back:
/// - a line ends at a newline, so a value holding a newline, carriage return, NUL or other
///   control character is refused (it would add a line of its own);
/// - `;` starts a comment unless written `\;`, so it is escaped;
/// - `#` at the start of a value or after a space or tab starts a comment and cannot be escaped,
///   so such a value is refused;
/// - Asterisk reads at most 1,023 bytes a line and trims blanks around values, so longer lines
///   and values with leading or trailing blanks are refused.
///
/// TouchBase does its own retries and scheduling, so ``maxRetries`` defaults to 0.
public struct CallFile: Sendable, Hashable {
    /// The channel to dial, `Tech/Destination`, e.g. `PJSIP/+16175550100@trunk`.
    public var channel: String
    /// The caller id shown to the callee: name and number.
    public var callerID: (name: String, number: String)?
    /// Seconds to let the call ring before it counts as unanswered.
    public var waitTime: Int
    /// Retries Asterisk itself makes; TouchBase schedules its own.
    public var maxRetries: Int
    /// Seconds between Asterisk's own retries.
    public var retryTime: Int
    /// The dialplan context the answered call enters.
    public var context: String
    /// The extension the answered call enters.
    public var `extension`: String
    /// The priority the answered call enters.
    public var priority: Int
    /// Channel variables set on the call, in order.
    public var variables: [(name: String, value: String)]
    /// The CDR account code.
    public var account: String?
    /// Whether Asterisk keeps the file in `outgoing_done/` with the call's status appended.
    public var archive: Bool

    /// Creates a call file; values are checked when it is rendered.
    public init(channel: String, callerID: (name: String, number: String)? = nil, waitTime: Int = 45,
                maxRetries: Int = 0, retryTime: Int = 300, context: String, extension: String,
                priority: Int = 1, variables: [(name: String, value: String)] = [], account: String? = nil,
                archive: Bool = true) {
        self.channel = channel
        self.callerID = callerID
        self.waitTime = waitTime
        self.maxRetries = maxRetries
        self.retryTime = retryTime
        self.context = context
        self.extension = `extension`
        self.priority = priority
        self.variables = variables
        self.account = account
        self.archive = archive
    }

    public static func == (lhs: CallFile, rhs: CallFile) -> Bool {
        lhs.channel == rhs.channel && lhs.callerID?.name == rhs.callerID?.name && lhs.callerID?.number == rhs.callerID?.number
            && lhs.waitTime == rhs.waitTime && lhs.maxRetries == rhs.maxRetries && lhs.retryTime == rhs.retryTime
            && lhs.context == rhs.context && lhs.extension == rhs.extension && lhs.priority == rhs.priority
            && lhs.variables.elementsEqual(rhs.variables, by: { $0.name == $1.name && $0.value == $1.value })
            && lhs.account == rhs.account && lhs.archive == rhs.archive
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(channel)
        hasher.combine(context)
        hasher.combine(`extension`)
    }

    /// The file's text.
    ///
    /// - Throws: ``CallFileError`` naming the field and the reason when a value cannot be written
    ///   so that Asterisk reads it back unchanged.
    public func rendered() throws(CallFileError) -> String {
        var lines: [String] = []
        func add(_ key: String, _ value: String, field: String? = nil) throws(CallFileError) {
            let line = "\(key): \(try Self.escaped(value, field: field ?? key))"
            guard line.utf8.count < 1023 else { throw CallFileError(field: field ?? key, value: value, reason: "makes a line longer than the 1,023 bytes Asterisk reads") }
            lines.append(line)
        }
        let parts = channel.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw CallFileError(field: "Channel", value: channel, reason: "must be Tech/Destination, e.g. PJSIP/+16175550100@trunk")
        }
        try add("Channel", channel)
        if let callerID {
            for forbidden: Character in ["\"", "<", ">"] where callerID.name.contains(forbidden) {
                throw CallFileError(field: "CallerID name", value: callerID.name, reason: "holds '\(forbidden)', which caller id syntax reserves")
            }
            guard callerID.number.allSatisfy({ $0.isASCII && ($0.isNumber || "+*#".contains($0)) }), !callerID.number.contains("#") else {
                throw CallFileError(field: "CallerID number", value: callerID.number, reason: "may hold only digits, '+' and '*'")
            }
            try add("CallerID", callerID.name.isEmpty ? "<\(callerID.number)>" : "\"\(callerID.name)\" <\(callerID.number)>", field: "CallerID")
        }
        try add("WaitTime", String(max(1, waitTime)))
        try add("MaxRetries", String(max(0, maxRetries)))
        try add("RetryTime", String(max(1, retryTime)))
        try add("Context", context)
        try add("Extension", `extension`)
        try add("Priority", String(max(1, priority)))
        for (name, value) in variables {
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_()".contains($0)) }) else {
                throw CallFileError(field: "Setvar", value: name, reason: "a variable name may hold only letters, digits, '_' and parentheses")
            }
            try add("Setvar", "\(name)=\(value)", field: "Setvar \(name)")
        }
        if let account { try add("Account", account) }
        try add("Archive", archive ? "yes" : "no")
        return lines.joined(separator: "\n") + "\n"
    }

    static func escaped(_ value: String, field: String) throws(CallFileError) -> String {
        if let bad = value.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            let name = bad == "\n" ? "a newline" : bad == "\r" ? "a carriage return" : bad == "\0" ? "a NUL" : "a control character"
            throw CallFileError(field: field, value: value, reason: "holds \(name), which would end the line and could add one of its own")
        }
        if let first = value.first, first == " " || first == "\t" || value.last == " " || value.last == "\t" {
            throw CallFileError(field: field, value: value, reason: "starts or ends with blanks, which Asterisk trims")
        }
        var previous: Character = " "
        var out = ""
        for character in value {
            if character == "#" && (previous == " " || previous == "\t") {
                throw CallFileError(field: field, value: value, reason: "has '#' at its start or after a blank, which Asterisk reads as a comment")
            }
            if character == ";" { out.append("\\") }
            out.append(character)
            previous = character
        }
        return out
    }
}

/// A value that cannot go into a call file, with the field and the reason.
public struct CallFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The call file field, e.g. `Setvar TOUCHBASE_CALL`.
    public var field: String
    /// The value as given.
    public var value: String
    /// Why it cannot be written.
    public var reason: String

    public var description: String {
        "call file \(field) \(String(reflecting: value)) \(reason)"
    }
}

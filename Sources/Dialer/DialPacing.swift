/// One way out to the public network, with its own limits.
public struct Trunk: Sendable, Hashable {
    /// The trunk's name in logs and in the call log.
    public var name: String
    /// The channel to dial, with `{number}` for the number in E.164 (`+16175550100`) or
    /// `{digits}` for the same without `+`, e.g. `PJSIP/{number}@main-trunk`.
    public var channel: String
    /// Calls at once on this trunk.
    public var maxCalls: Int
    /// Calls started per minute on this trunk.
    public var callsPerMinute: Int
    /// The Asterisk server the trunk lives on (a ``PBX``'s name).
    public var pbx: String

    /// Creates a trunk.
    public init(name: String, channel: String, maxCalls: Int = 2, callsPerMinute: Int = 6, pbx: String = PBX.defaultName) {
        self.name = name
        self.pbx = pbx
        self.channel = channel
        self.maxCalls = maxCalls
        self.callsPerMinute = callsPerMinute
    }

    /// The channel for a number.
    ///
    /// - Throws: ``DialStringError`` when the number is not E.164 digits, so nothing but digits
    ///   and `+` ever reaches the dial string from contact data.
    public func channel(for number: String) throws(DialStringError) -> String {
        let digits = number.hasPrefix("+") ? String(number.dropFirst()) : number
        guard !digits.isEmpty, digits.count <= 15, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw DialStringError(value: number, reason: "is not a phone number in E.164")
        }
        return channel.replacingOccurrences(of: "{number}", with: "+" + digits)
            .replacingOccurrences(of: "{digits}", with: digits)
    }

    /// Checks the template itself: `Tech/Destination` with `{number}` or `{digits}`, and no
    /// character that would split a dialplan argument or a line.
    public static func problem(inChannel channel: String) -> String? {
        guard DialString.isTechAndResource(channel) else { return "must be Tech/Destination, e.g. PJSIP/{number}@trunk" }
        guard channel.contains("{number}") || channel.contains("{digits}") else { return "must hold {number} or {digits}" }
        if let bad = DialString.reservedCharacter(in: channel) {
            return "holds \(String(reflecting: bad)), which Asterisk would read as more than a channel"
        }
        return nil
    }
}

/// Checks for Asterisk dial strings (`Tech/resource`) before they reach a call file, an AMI
/// action or `Dial()`.
public enum DialString {
    /// Whether the text is `Tech/resource`, both parts non-empty.
    public static func isTechAndResource(_ dial: String) -> Bool {
        let parts = dial.split(separator: "/", maxSplits: 1)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
    }

    /// Why a dial string cannot be handed to `Dial()` whole, or `nil` when it can: it must be
    /// `Tech/resource` and hold nothing that would split the application's arguments or a line.
    ///
    /// The owner's dial string is checked with this when contacts are imported and again
    /// before a call is connected to the owner.
    public static func problemForDial(_ dial: String) -> String? {
        guard isTechAndResource(dial) else { return "\(String(reflecting: dial)) is not Tech/resource (e.g. PJSIP/101)" }
        if let bad = reservedCharacter(in: dial, also: "()") {
            return "\(String(reflecting: dial)) holds \(String(reflecting: bad)), which Asterisk would read as more than one dial string"
        }
        return nil
    }

    /// The first character that would make Asterisk read more than one dial string or argument:
    /// blanks, control and non-ASCII characters, `,;|"'\`, and any of `also`.
    public static func reservedCharacter(in dial: String, also: String = "") -> Character? {
        dial.first { !$0.isASCII || $0.isWhitespace || ",;|\"'\\".contains($0) || also.contains($0) || $0.asciiValue! < 0x20 }
    }
}

/// A number that cannot go into a dial string.
public struct DialStringError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The value given.
    public var value: String
    /// Why it was refused.
    public var reason: String

    public var description: String { "\(String(reflecting: value)) \(reason)" }
}

/// How fast the dialer may place calls: at most so many at once and so many a minute, in all
/// and on each trunk.
///
/// Pure: the dialer passes in what it counted in the store (calls under way, calls started in
/// the last minute, by trunk) and gets back the trunks to place the next calls on. Counting from
/// the store, not from memory, keeps the limits across restarts and across nodes.
public struct DialPacing: Sendable, Hashable {
    /// Calls at once, across trunks.
    public var maxCalls: Int
    /// Calls started per minute, across trunks.
    public var callsPerMinute: Int
    /// The trunks, in order of preference.
    public var trunks: [Trunk]

    /// Creates the limits.
    public init(maxCalls: Int, callsPerMinute: Int, trunks: [Trunk]) {
        self.maxCalls = maxCalls
        self.callsPerMinute = callsPerMinute
        self.trunks = trunks
    }

    /// What is under way, as counted by the dialer.
    public struct Load: Sendable, Hashable {
        /// Calls without an outcome yet, by trunk name.
        public var open: [String: Int]
        /// Calls started in the last 60 seconds, by trunk name.
        public var startedLastMinute: [String: Int]

        /// Creates a load.
        public init(open: [String: Int] = [:], startedLastMinute: [String: Int] = [:]) {
            self.open = open
            self.startedLastMinute = startedLastMinute
        }
    }

    /// The trunks for the next calls, one entry per call that may start now, filling the
    /// first trunk with room before the next; empty when a limit is reached.
    public func trunksForNextCalls(_ load: Load) -> [Trunk] {
        var open = load.open, started = load.startedLastMinute
        var room = min(maxCalls - open.values.reduce(0, +), callsPerMinute - started.values.reduce(0, +))
        var chosen: [Trunk] = []
        while room > 0 {
            guard let trunk = trunks.first(where: {
                open[$0.name, default: 0] < $0.maxCalls && started[$0.name, default: 0] < $0.callsPerMinute
            }) else { break }
            chosen.append(trunk)
            open[trunk.name, default: 0] += 1
            started[trunk.name, default: 0] += 1
            room -= 1
        }
        return chosen
    }
}

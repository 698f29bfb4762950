/// The `agi_*` variables Asterisk sends when an AGI session starts.
///
/// Asterisk opens every AGI session, FastAGI or process, with one `agi_name: value` line per
/// variable and an empty line. ``AGIEnvironment`` keeps each line in the order it came, gives the
/// well-known ones typed accessors, and splits a FastAGI request into its script path, query
/// and arguments:
///
/// ```
/// agi_network_script: probe/path?x=1     → scriptPath "probe/path", query ["x": "1"]
/// agi_arg_1: arg one                     → arguments ["arg one", ...]
/// ```
///
/// Keys TouchBase does not know are kept in ``variables``, so nothing Asterisk said is lost.
public struct AGIEnvironment: Sendable, Hashable {
    /// Every variable in the order Asterisk sent it, names without the `agi_` prefix stripped.
    public private(set) var variables: [(name: String, value: String)]

    /// Creates an environment from variables already split into names and values.
    ///
    /// - Parameter variables: pairs such as `("agi_channel", "SIP/100-0001")`, in arrival order.
    public init(variables: [(name: String, value: String)]) {
        self.variables = variables
    }

    /// The value of a variable by its full name (`agi_channel`), or `nil` if Asterisk did not send it.
    public subscript(name: String) -> String? {
        variables.first(where: { $0.name == name })?.value
    }

    /// `agi_request`: the AGI URL or script name the dialplan asked for.
    public var request: String? { self["agi_request"] }
    /// `agi_channel`: the channel name, e.g. `PJSIP/trunk-00000012` or `OutgoingSpoolFailed`.
    public var channel: String? { self["agi_channel"] }
    /// `agi_uniqueid`: Asterisk's unique id of the channel.
    public var uniqueID: String? { self["agi_uniqueid"] }
    /// `agi_callerid`: the caller id number, `nil` when Asterisk says `unknown`.
    public var callerIDNumber: String? { Self.known(self["agi_callerid"]) }
    /// `agi_calleridname`: the caller id name, `nil` when Asterisk says `unknown`.
    public var callerIDName: String? { Self.known(self["agi_calleridname"]) }
    /// `agi_dnid`: the dialed number, `nil` when Asterisk says `unknown`.
    public var dialedNumber: String? { Self.known(self["agi_dnid"]) }
    /// `agi_context`: the dialplan context the AGI ran from.
    public var context: String? { self["agi_context"] }
    /// `agi_extension`: the dialplan extension the AGI ran from.
    public var `extension`: String? { self["agi_extension"] }
    /// `agi_priority`: the dialplan priority, as a number.
    public var priority: Int? { self["agi_priority"].flatMap { Int($0) } }
    /// `agi_language`: the channel's language, e.g. `en`.
    public var language: String? { self["agi_language"] }
    /// `agi_type`: the channel technology, e.g. `PJSIP`, `Local`, or `NULL` for a call file's failure.
    public var channelType: String? { self["agi_type"] }
    /// `agi_version`: the Asterisk version.
    public var asteriskVersion: String? { self["agi_version"] }
    /// `agi_accountcode`: the channel's account code, `nil` when empty.
    public var accountCode: String? { self["agi_accountcode"].flatMap { $0.isEmpty ? nil : $0 } }
    /// Whether this is a FastAGI session (`agi_network: yes`).
    public var isNetwork: Bool { self["agi_network"] == "yes" }

    /// The script path of the request without a leading slash or query.
    ///
    /// For FastAGI this comes from `agi_network_script` (`answered` for
    /// `agi://host:4573/answered?x=1`); for process AGI, from `agi_request`.
    public var scriptPath: String {
        let raw = self["agi_network_script"] ?? self["agi_request"] ?? ""
        var path = Substring(raw.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        while path.hasPrefix("/") { path = path.dropFirst() }
        return String(path)
    }

    /// The query of a FastAGI request (`x=1&y=2`), split into names and values in order.
    ///
    /// Percent escapes are decoded; a name without `=` has an empty value.
    public var query: [(name: String, value: String)] {
        let raw = self["agi_network_script"] ?? self["agi_request"] ?? ""
        guard let mark = raw.firstIndex(of: "?") else { return [] }
        return raw[raw.index(after: mark)...].split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.percentDecoded(parts[0])
            let value = parts.count > 1 ? Self.percentDecoded(parts[1]) : ""
            return (name, value)
        }
    }

    /// The arguments the dialplan passed after the script (`agi_arg_1`, `agi_arg_2`, ...), in order.
    public var arguments: [String] {
        var numbered: [(Int, String)] = []
        for (name, value) in variables where name.hasPrefix("agi_arg_") {
            if let n = Int(name.dropFirst("agi_arg_".count)) { numbered.append((n, value)) }
        }
        return numbered.sorted { $0.0 < $1.0 }.map(\.1)
    }

    // Tuples are neither Equatable nor Hashable, so both compare through the same pairs.
    private var pairs: [[String]] { variables.map { [$0.0, $0.1] } }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.pairs == rhs.pairs }

    public func hash(into hasher: inout Hasher) { hasher.combine(pairs) }

    private static func known(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value != "unknown" else { return nil }
        return value
    }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

import Settings

/// One Asterisk server trunks live on, and how this node hands it calls (`[[dialer.pbx]]`).
///
/// Several nodes sharing one PostgreSQL store may each reach a different PBX: every node lists
/// every trunk, each trunk names its PBX, and a node places calls only on the trunks of the PBXs
/// it is configured for (``DialerSettings/placesCallsOn``). The limits still count every node's
/// calls, in the database.
public struct PBX: Sendable {
    /// The name trunks refer to (`pbx = "pbx1"`).
    public var name: String
    /// How calls reach this Asterisk: its spool folder, or its AMI.
    public var method: DialerSettings.Method
    /// The environment variable holding this PBX's AMI secret.
    public var amiSecretEnvironment: String

    /// The name of the one PBX a configuration without `[[dialer.pbx]]` has: `[dialer]`'s own method.
    public static let defaultName = "default"

    /// Creates a PBX.
    public init(name: String, method: DialerSettings.Method, amiSecretEnvironment: String = "TOUCHBASE_AMI_SECRET") {
        self.name = name
        self.method = method
        self.amiSecretEnvironment = amiSecretEnvironment
    }

    /// The spool's `outgoing` folder, when calls reach this PBX as call files.
    public var spoolFolder: String? {
        if case .callFile(let outgoing, _) = method { return outgoing }
        return nil
    }
}

extension DialerSettings {
    /// Every PBX the configuration names; without `[[dialer.pbx]]`, the one `[dialer]` describes.
    public var allPBXs: [PBX] {
        pbxs.isEmpty ? [PBX(name: PBX.defaultName, method: method, amiSecretEnvironment: amiSecretEnvironment)] : pbxs
    }

    /// The PBXs this node places calls on: those `places_calls_on` lists, or every one.
    public var nodePBXs: [PBX] {
        allPBXs.filter { pbx in placesCallsOn.map { $0.contains(pbx.name) } ?? true }
    }

    /// The trunks this node places calls on: those on its PBXs, in the configured order.
    public var nodeTrunks: [Trunk] {
        let names = Set(nodePBXs.map(\.name))
        return pacing.trunks.filter { names.contains($0.pbx) }
    }

    /// Reads one `method`/`spool`/`staging`/`[ami]` group: `[dialer]`'s own or a `[[dialer.pbx]]`'s.
    ///
    /// - Returns: the method, and the AMI secret's variable when the group names one.
    static func readMethod(_ settings: inout SettingsReader) throws -> (Method, secretEnvironment: String?) {
        let method = try settings.string("method", oneOf: ["call-file", "ami"]) ?? "call-file"
        let spool = try settings.string("spool") ?? "/var/spool/asterisk/outgoing"
        let staging = try settings.string("staging")
        var ami: AMIClient.Configuration?
        var secretEnvironment: String?
        try settings.section("ami") { table in
            var login = AMIClient.Configuration(username: "touchbase", secret: "")
            if let host = try table.string("host") { login.host = host }
            if let port = try table.int("port", in: 1...65535) { login.port = port }
            if let user = try table.string("username") { login.username = user }
            if let variable = try table.string("secret_env") { secretEnvironment = variable }
            ami = login
        }
        if method == "ami" {
            guard let ami else { throw settings.error("method", "is \"ami\" but [\(settings.keyPath("ami"))] is missing") }
            return (.ami(ami), secretEnvironment)
        }
        return (.callFile(outgoing: spool, staging: staging?.isEmpty == true ? nil : staging), secretEnvironment)
    }

    /// Reads `[[dialer.pbx]]` and `places_calls_on`.
    mutating func readPBXs(_ settings: inout SettingsReader) throws {
        if let tables = try settings.tables("pbx") {
            for var table in tables {
                guard let name = try table.string("name"), Self.isPBXName(name) else {
                    throw table.error("name", "is required for each [[dialer.pbx]]: letters, digits, '-', '_'")
                }
                let (method, secret) = try Self.readMethod(&table)
                try table.rejectUnknownKeys()
                guard !pbxs.contains(where: { $0.name == name }) else { throw table.error("name", "\"\(name)\" is used twice") }
                pbxs.append(PBX(name: name, method: method, amiSecretEnvironment: secret ?? "TOUCHBASE_AMI_SECRET"))
            }
            guard !pbxs.isEmpty else { throw settings.error("pbx", "must list at least one PBX") }
        }
        if let names = try settings.strings("places_calls_on") {
            let known = allPBXs.map(\.name)
            guard !names.isEmpty else { throw settings.error("places_calls_on", "must name at least one PBX (or set enabled = false)") }
            for name in names where !known.contains(name) {
                throw settings.error("places_calls_on", "names \"\(name)\", which no [[dialer.pbx]] is (known: \(known.joined(separator: ", ")))")
            }
            placesCallsOn = names
        }
    }

    static func isPBXName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) }
    }
}

/// Hands each call to the originator of the PBX its trunk lives on.
public struct PBXOriginators: CallOriginator {
    /// Each PBX's originator, by the PBX's name.
    public var byPBX: [String: any CallOriginator]

    /// Creates the switch.
    public init(byPBX: [String: any CallOriginator]) { self.byPBX = byPBX }

    public func originate(_ call: OutboundCall, report: @escaping @Sendable (OriginationReport) async -> Void) async throws {
        guard let originator = byPBX[call.pbx] else { throw PBXNotReached(pbx: call.pbx) }
        try await originator.originate(call, report: report)
    }

    public var summary: String {
        byPBX.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.summary)" }.joined(separator: "; ")
    }

    public func shutdown() async {
        for originator in byPBX.values { await originator.shutdown() }
    }
}

/// A call for a PBX this node is not configured to reach.
public struct PBXNotReached: Error, Sendable, CustomStringConvertible {
    /// The PBX's name.
    public var pbx: String

    public var description: String { "this node places no calls on PBX \(pbx) ([dialer] places_calls_on)" }
}

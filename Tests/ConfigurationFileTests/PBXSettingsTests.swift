import ConfigurationFile
import Dialer
import Testing

/// `[[dialer.pbx]]`, each trunk's `pbx` and `places_calls_on`: several Asterisk servers, and the
/// ones this node dials through.
@Suite("Trunks on several PBXs")
struct PBXSettingsTests {
    static let twoPBXs = """
        [dialer]
        max_calls = 30
        places_calls_on = ["pbx2"]
        [[dialer.pbx]]
        name = "pbx1"
        spool = "/var/spool/asterisk/outgoing"
        [[dialer.pbx]]
        name = "pbx2"
        method = "ami"
        [dialer.pbx.ami]
        host = "10.0.0.12"
        secret_env = "TOUCHBASE_AMI_SECRET_PBX2"
        [[dialer.trunk]]
        name = "carrier-a"
        pbx = "pbx1"
        channel = "PJSIP/{number}@carrier-a"
        [[dialer.trunk]]
        name = "carrier-b"
        pbx = "pbx2"
        channel = "PJSIP/{number}@carrier-b"
        max_calls = 12

        """

    @Test("each trunk names its PBX, each PBX its spool or AMI, and the node keeps only the trunks of the PBXs it places calls on")
    func twoPBXsOneNode() throws {
        let dialer = try TouchBaseConfiguration.parse(Self.twoPBXs, file: "touchbase.toml").dialer
        #expect(dialer.allPBXs.map(\.name) == ["pbx1", "pbx2"])
        #expect(dialer.allPBXs[0].spoolFolder == "/var/spool/asterisk/outgoing")
        guard case .ami(let login) = dialer.allPBXs[1].method else { Issue.record("pbx2 is not AMI"); return }
        #expect(login.host == "10.0.0.12" && dialer.allPBXs[1].amiSecretEnvironment == "TOUCHBASE_AMI_SECRET_PBX2")
        #expect(dialer.pacing.trunks.map(\.pbx) == ["pbx1", "pbx2"])
        #expect(dialer.nodePBXs.map(\.name) == ["pbx2"])
        #expect(dialer.nodeTrunks.map(\.name) == ["carrier-b"] && dialer.nodeTrunks[0].maxCalls == 12)
        #expect(dialer.pacing.maxCalls == 30, "max_calls stays the limit across every node")
    }

    @Test("without [[dialer.pbx]] there is one PBX, [dialer]'s own spool, and every trunk is on it")
    func onePBXByDefault() throws {
        let dialer = try TouchBaseConfiguration.parse("[dialer]\nspool = \"/tmp/outgoing\"\n", file: "touchbase.toml").dialer
        #expect(dialer.nodePBXs.map(\.name) == ["default"] && dialer.nodePBXs[0].spoolFolder == "/tmp/outgoing")
        #expect(dialer.nodeTrunks.map(\.name) == ["default"])
    }

    @Test("a trunk on a PBX no one listed, a trunk without its PBX among several, an unknown PBX to place calls on: refused, naming the key",
          arguments: [
              (twoPBXs.replacingOccurrences(of: "pbx = \"pbx2\"", with: "pbx = \"pbx3\""), "dialer.trunk[2].pbx names \"pbx3\", which no [[dialer.pbx]] is"),
              (twoPBXs.replacingOccurrences(of: "pbx = \"pbx1\"\n", with: ""), "dialer.trunk[1].pbx is required when [[dialer.pbx]] lists several"),
              (twoPBXs.replacingOccurrences(of: "[\"pbx2\"]", with: "[\"pbx9\"]"), "dialer.places_calls_on names \"pbx9\""),
              (twoPBXs.replacingOccurrences(of: "name = \"pbx2\"", with: "name = \"pbx1\""), "dialer.pbx[2].name \"pbx1\" is used twice"),
          ])
    func refusals(text: String, message: String) {
        #expect(throws: (any Error).self) { try TouchBaseConfiguration.parse(text, file: "touchbase.toml") }
        do {
            _ = try TouchBaseConfiguration.parse(text, file: "touchbase.toml")
        } catch {
            #expect(String(describing: error).contains(message), "\(error)")
        }
    }
}

import Foundation
import Testing

/// Every command reads the configuration the same way, and `check-config` only looks.
@Suite("Commands and the configuration file", .serialized)
struct CommandConfigurationTests {
    @Test("check-config reports a missing sounds folder and its writable parent, and creates nothing")
    func checkConfigCreatesNothing() throws {
        let touchbase = try TouchBaseBinary()
        let configuration = try touchbase.configuration("[dialer]\nenabled = false\n", soundsFolder: "media/sounds")
        let run = try touchbase.run(["check-config", "--no-speech", "--config", configuration])
        let sounds = touchbase.folder.appendingPathComponent("media/sounds").path
        #expect(run.stdout.contains("warning sounds folder: \(sounds) does not exist; \(touchbase.folder.path) is writable, so touchbase serve will create it"),
                "\(run.stdout)")
        #expect(!FileManager.default.fileExists(atPath: touchbase.folder.appendingPathComponent("media").path))
    }

    @Test("check-config on a shared database says whether other nodes' consoles can fetch this node's messages ([audio])")
    func checkConfigSaysWhoFetchesAudio() throws {
        let touchbase = try TouchBaseBinary()
        let base = """
            [database]
            url = "postgres://touchbase@127.0.0.1:9/touchbase"
            [speech]
            sounds_folder = "\(touchbase.folder.path)/sounds"
            prerender = false
            [dialer]
            enabled = false

            """
        let off = try touchbase.write(Array(base.utf8), to: "off.toml")
        #expect(try touchbase.run(["check-config", "--no-speech", "--config", off.path]).stdout
            .contains("warning audio: off: other nodes' consoles cannot play the calls this node prepares"))
        let on = try touchbase.write(Array((base + "[audio]\nport = 4575\nurl = \"http://10.0.0.5:4575\"\nallowed_peers = [\"10.0.0.6\"]\n").utf8),
                                     to: "on.toml")
        let run = try touchbase.run(["check-config", "--no-speech", "--config", on.path])
        #expect(run.stdout.contains("ok      audio: other nodes' consoles fetch this node's messages at http://10.0.0.5:4575; loopback and 10.0.0.6 may fetch"),
                "\(run.stdout)")
    }

    @Test("a bad key stops every command with one line naming the file, line and key", arguments: [
        ["serve"], ["check-config", "--no-speech"], ["contacts", "list"], ["preview", "1"],
    ])
    func badKeyEverywhere(arguments: [String]) throws {
        let touchbase = try TouchBaseBinary()
        let configuration = try touchbase.configuration("[cadence]\nholidays = [\"2026-13-45\"]\n")
        let run = try touchbase.run(arguments + ["--config", configuration], limit: 10)
        #expect(run.status == 1)
        #expect(run.stderr.hasSuffix("touchbase: \(configuration):7: cadence.holidays entry \"2026-13-45\" is not a date of the calendar written YYYY-MM-DD\n"),
                "\(run.stderr)")
    }

    @Test("preview --audio speaks with [speech.voice] url, writes into sounds_folder, and honours local_engine = \"none\"")
    func previewReadsTheConfiguration() throws {
        let touchbase = try TouchBaseBinary()
        let configuration = try touchbase.configuration("""
            local_engine = "none"
            [speech.voice]
            url = "http://127.0.0.1:9"
            """, soundsFolder: "voicemail")
        let contacts = try touchbase.write(Array("name,phone\nLaura Harbolt,(617) 555-0100\n".utf8), to: "contacts.csv")
        let imported = try touchbase.run(["contacts", "import", contacts.path, "--default-time-zone", "America/New_York",
                                          "--owner", "Sam", "--owner-dial", "PJSIP/101", "--callback", "+16175550199",
                                          "--company", "Harbolt Design", "--config", configuration])
        #expect(imported.status == 0, "\(imported.stderr)")
        let run = try touchbase.run(["preview", "1", "--step", "1", "--audio", "--config", configuration], limit: 20)
        #expect(run.status != 0, "no voice can speak: the configured one is down and espeak-ng is off")
        #expect(run.stderr.contains("127.0.0.1:9"), "\(run.stderr)")
        #expect(!run.stderr.contains("5000"))
        #expect(!FileManager.default.fileExists(atPath: touchbase.folder.appendingPathComponent("sounds").path))
    }
}

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

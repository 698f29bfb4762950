import AGI
import Testing
import TouchBase

@Suite("Configuration file")
struct TouchBaseConfigurationTests {
    @Test("no settings at all means the embedded defaults: loopback FastAGI on 4573")
    func defaults() throws {
        let configuration = try TouchBaseConfiguration.parse("", file: "touchbase.toml")
        #expect(configuration.agi.host == "127.0.0.1")
        #expect(configuration.agi.port == 4573)
        #expect(configuration.agi.allowedPeers == .loopbackOnly)
        #expect(configuration.databasePath == "touchbase.sqlite")
    }

    @Test("every [agi] setting is read")
    func agiSettings() throws {
        let configuration = try TouchBaseConfiguration.parse("""
            [agi]
            host = "0.0.0.0"
            port = 4600
            allowed_peers = ["192.0.2.10", "198.51.100.0/24"]
            environment_timeout_seconds = 2.5
            session_timeout_seconds = 120
            shutdown_grace_seconds = 5

            [database]
            path = "/var/lib/touchbase/touchbase.sqlite"
            """, file: "touchbase.toml")
        #expect(configuration.agi.host == "0.0.0.0")
        #expect(configuration.agi.port == 4600)
        #expect(configuration.agi.allowedPeers.allows(ipAddress: "198.51.100.7"))
        #expect(!configuration.agi.allowedPeers.allows(ipAddress: "203.0.113.1"))
        #expect(configuration.agi.environmentTimeout == .milliseconds(2500))
        #expect(configuration.agi.sessionTimeout == .seconds(120))
        #expect(configuration.agi.shutdownGracePeriod == .seconds(5))
        #expect(configuration.databasePath == "/var/lib/touchbase/touchbase.sqlite")
    }

    @Test("bad configuration is refused with the file and what is wrong", arguments: [
        ("[agi]\nprot = 4600\n", "touchbase.toml: agi.prot is not a known setting"),
        ("[agi]\nport = \"4600\"\n", "touchbase.toml: agi.port must be a whole number"),
        ("[agi]\nport = 70000\n", "touchbase.toml: agi.port must be 0 to 65535, not 70000"),
        ("[agi]\nallowed_peers = [\"pbx.example.com\"]\n", "touchbase.toml: agi.allowed_peers allowed peer 'pbx.example.com' is not an IP address"),
        ("[agi]\nsession_timeout_seconds = 0\n", "touchbase.toml: agi.session_timeout_seconds must be a number of seconds above 0"),
        ("agi = 5\n", "touchbase.toml: agi must be a table"),
        ("[dialer]\n", "touchbase.toml: dialer is not a known setting"),
        ("[agi\nport = 1\n", "touchbase.toml:1:"),
    ])
    func badConfiguration(text: String, message: String) {
        do {
            _ = try TouchBaseConfiguration.parse(text, file: "touchbase.toml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(String(describing: error).hasPrefix(message), "\(error)")
        }
    }

    @Test("the bench route sends the eight-command voicemail-drop dialog")
    func benchDialog() {
        #expect(BenchRoute.dialog.map(\.line) == [
            "GET VARIABLE AMDSTATUS", "GET VARIABLE AMDCAUSE", "GET VARIABLE TOUCHBASE_CALL",
            "EXEC WaitForSilence 1500,1,20", "STREAM FILE touchbase/bench \"\"",
            "SET VARIABLE CDR(userfield) \"tb-bench\"", "VERBOSE \"touchbase bench done\" 1", "HANGUP",
        ])
        #expect(TouchBaseServer.router().paths.contains("bench"))
    }
}

import Cadence

@Suite("Configuration: the cadence")
struct CadenceConfigurationTests {
    @Test("every [cadence] setting is read into the calling policy")
    func cadenceSettings() throws {
        let policy = try TouchBaseConfiguration.parse("""
            [cadence]
            calling_hours = { mon = "10:00-16:00", sat = "09:00-12:00" }
            holidays = ["2026-12-25"]
            first_promise_time = "14:00"
            second_message_gap = "next-week"
            revisit_days = 30
            dials_per_step = 2
            retry_gap_minutes = 120
            complete_share = 0.9
            cut_short_messages_count = true
            """, file: "touchbase.toml").policy
        #expect(policy.callingHours == [2: ClockTime(10)...ClockTime(16), 7: ClockTime(9)...ClockTime(12)])
        #expect(policy.holidays == ["2026-12-25"] && policy.firstPromiseTime == ClockTime(14))
        #expect(policy.secondMessageGap == .nextWeek && policy.revisitDays == 30 && policy.dialsPerStep == 2)
        #expect(policy.retryGapMinutes == 120 && policy.completeShare == 0.9 && policy.cutShortMessagesCount)
    }

    @Test("bad cadence settings name the key", arguments: [
        ("[cadence]\ncalling_hours = { monday = \"09:00-17:00\" }\n", "cadence.calling_hours names 'monday'"),
        ("[cadence]\ncalling_hours = { mon = \"17:00-09:00\" }\n", "cadence.calling_hours for mon must be"),
        ("[cadence]\nsecond_message_gap = \"soon\"\n", "cadence.second_message_gap must be"),
        ("[cadence]\nholidays = [\"Christmas\"]\n", "cadence.holidays entry \"Christmas\""),
        ("[cadence]\ncalling_hours = {}\n", "cadence.calling_hours calling hours name no day"),
    ])
    func bad(text: String, message: String) {
        do {
            _ = try TouchBaseConfiguration.parse(text, file: "touchbase.toml")
            Issue.record("accepted")
        } catch {
            #expect(String(describing: error).contains(message), "\(error)")
        }
    }
}

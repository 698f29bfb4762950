import AGI
import Cadence
import ConfigurationFile
import Console
import Settings
import Speech
import Testing

/// Expects `text` to be refused with a message starting with `message`.
private func expectRefusal(_ text: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try TouchBaseConfiguration.parse(text, file: "touchbase.toml")
        Issue.record("accepted: \(text)", sourceLocation: sourceLocation)
    } catch {
        #expect(String(describing: error).hasPrefix(message), "\(error)", sourceLocation: sourceLocation)
    }
}

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

    @Test("bad configuration is refused with the file, the line and the key", arguments: [
        ("[agi]\nprot = 4600\n", "touchbase.toml:2: agi.prot is not a known setting"),
        ("[agi]\nport = \"4600\"\n", "touchbase.toml:2: agi.port must be a whole number"),
        ("[agi]\n\n# the port\nport = 70000\n", "touchbase.toml:4: agi.port must be 0 to 65535, not 70000"),
        ("[agi]\nallowed_peers = [\"pbx.example.com\"]\n", "touchbase.toml:2: agi.allowed_peers allowed peer 'pbx.example.com' is not an IP address"),
        ("[agi]\nsession_timeout_seconds = 0\n", "touchbase.toml:2: agi.session_timeout_seconds must be a number of seconds above 0"),
        ("agi = 5\n", "touchbase.toml:1: agi must be a table"),
        ("[agi]\n[dialler]\n", "touchbase.toml:2: dialler is not a known setting"),
        ("[dialer]\nmethod = \"fax\"\n", "touchbase.toml:2: dialer.method must be \"call-file\" or \"ami\""),
        ("[dialer]\nmethod = \"ami\"\n", "touchbase.toml:2: dialer.method is \"ami\" but [dialer.ami] is missing"),
        ("[dialer]\nchannel = \"PJSIP/trunk\"\n", "touchbase.toml:2: dialer.channel must hold {number} or {digits}"),
        ("[dialer]\nchannel = \"PJSIP/{number}@t,,D(1)\"\n", "touchbase.toml:2: dialer.channel holds \",\""),
        ("[dialer]\n[[dialer.trunk]]\nname = \"a\"\n", "touchbase.toml:2: dialer.trunk[1].channel is required"),
        ("[[dialer.trunk]]\nname = \"a\"\nchannel = \"PJSIP/{number}@a\"\n[[dialer.trunk]]\nname = \"b\"\nchannel = \"PJSIP/{number}@b\"\nspeed = 3\n",
         "touchbase.toml:7: dialer.trunk[2].speed is not a known setting"),
        ("[speech.voice]\nprovider = \"festival\"\n", "touchbase.toml:2: speech.voice.provider \"festival\" is not one of"),
        ("[speech.voice]\nprovider = \"piper\"\nurl = \"127.0.0.1:5000\"\n", "touchbase.toml:3: speech.voice.url must start with http://"),
        ("[calls]\nhuman_answer = \"hang-up\"\n", "touchbase.toml:2: calls.human_answer must be \"connect\" or \"message\""),
        ("[metrics]\nport = -1\n", "touchbase.toml:2: metrics.port must be 0 to 65535, not -1"),
        ("[console]\nport = 70000\n", "touchbase.toml:2: console.port must be 0 to 65535, not 70000"),
        ("[console]\ntrusted_proxies = \"10.0.0.1\"\n", "touchbase.toml:2: console.trusted_proxies must be an array of strings"),
        ("[console]\ntime_zone = \"Mars/Olympus\"\n", "touchbase.toml:2: console.time_zone \"Mars/Olympus\" is not a time zone"),
        ("[calls]\ndetector = \"app_amd\"\n", "touchbase.toml:2: calls.detector must be \"touchbase\" or \"amd\""),
        ("[audiosocket]\nport = 65536\n", "touchbase.toml:2: audiosocket.port must be 0 to 65535, not 65536"),
        ("[audiosocket]\nhost = \"\"\n", "touchbase.toml:2: audiosocket.host must be an address"),
        ("[greeting]\nperson_silence_ms = 100\n", "touchbase.toml:2: greeting.person_silence_ms must be 500 to 10000, not 100"),
        ("[greeting]\npersonSilence = 2400\n", "touchbase.toml:2: greeting.personSilence is not a known setting"),
        ("[agi\nport = 1\n", "touchbase.toml:1:"),
    ])
    func badConfiguration(text: String, message: String) {
        expectRefusal(text, message)
    }

    @Test("the detector, AudioSocket's address and the greeting's thresholds are read; AudioSocket takes FastAGI's allowed peers")
    func greetingSettings() throws {
        let defaults = try TouchBaseConfiguration.parse("", file: "touchbase.toml")
        #expect(defaults.calls.detector == .touchbase)
        #expect(defaults.audioSocket.host == "127.0.0.1" && defaults.audioSocket.port == 4574)
        let configuration = try TouchBaseConfiguration.parse("""
            [agi]
            allowed_peers = ["192.0.2.10"]
            [calls]
            detector = "amd"
            [audiosocket]
            host = "0.0.0.0"
            port = 4700
            [greeting]
            person_silence_ms = 3100
            machine_silence_ms = 4000
            listen_seconds = 30
            """, file: "touchbase.toml")
        #expect(configuration.calls.detector == .amd)
        #expect(configuration.audioSocket.host == "0.0.0.0" && configuration.audioSocket.port == 4700)
        #expect(configuration.audioSocket.allowedPeers.allows(ipAddress: "192.0.2.10"))
        #expect(!configuration.audioSocket.allowedPeers.allows(ipAddress: "192.0.2.11"))
        #expect(configuration.greeting.detector.personSilence == .milliseconds(3100))
        #expect(configuration.greeting.detector.machineSilence == .milliseconds(4000))
        #expect(configuration.greeting.detector.shortAnswerSilence == .milliseconds(1800))
        #expect(configuration.greeting.drop.maximumSamplesHeard == 30 * 8_000)
    }

    @Test("a key error carries its severity, file, line and key as fields, not only as text")
    func problemFields() throws {
        let text = """
            # TouchBase
            [agi]
            port = 4573

            [cadence]
            revisit_days = 0
            """
        #expect {
            try TouchBaseConfiguration.parse(text, file: "/etc/touchbase/touchbase.toml")
        } throws: { error in
            let problem = error as? SettingsProblem
            return problem?.severity == .error && problem?.file == "/etc/touchbase/touchbase.toml" && problem?.line == 6
                && problem?.key == "cadence.revisit_days" && problem?.message == "must be above 0"
        }
    }

    @Test("[speech.voice] without provider speaks to the documented default, Piper")
    func voiceWithoutProvider() throws {
        let voice = try TouchBaseConfiguration.parse("[speech.voice]\nurl = \"http://127.0.0.1:5500\"\n", file: "touchbase.toml").speech.voice
        #expect(voice == VoiceSettings(provider: "piper", url: "http://127.0.0.1:5500") && VoiceSettings.defaultProvider == "piper")
    }

    @Test("[speech], [calls], [dialer] with trunks and AMI, [metrics] and [console] are read")
    func operationSettings() throws {
        let configuration = try TouchBaseConfiguration.parse("""
            [speech]
            sounds_folder = "/var/lib/asterisk/sounds/touchbase"
            templates = "/etc/touchbase/templates"
            local_engine = "none"
            prerender = false
            in_flight = 4
            [speech.voice]
            provider = "openai"
            url = "https://tts.example.com"
            voice = "nova"
            api_key_env = "TTS_KEY"
            sample_rate = 24000
            [speech.fallback]
            provider = "piper"
            url = "http://127.0.0.1:5000"
            [calls]
            not_sure_is_machine = false
            human_answer = "message"
            silence_ms = 2000
            silence_timeout_seconds = 15
            [dialer]
            method = "ami"
            max_calls = 4
            calls_per_minute = 12
            ring_seconds = 30
            report_timeout_seconds = 240
            [dialer.ami]
            host = "192.0.2.10"
            username = "tb"
            secret_env = "AMI_SECRET"
            [[dialer.trunk]]
            name = "main"
            channel = "PJSIP/{number}@main"
            max_calls = 3
            [[dialer.trunk]]
            name = "backup"
            channel = "SIP/backup/{digits}"
            [metrics]
            port = 0
            [console]
            host = "0.0.0.0"
            port = 8443
            behind_tls_proxy = true
            trusted_proxies = ["10.0.0.2"]
            time_zone = "Europe/Lisbon"
            """, file: "touchbase.toml")
        #expect(configuration.speech.absoluteSoundsFolder == "/var/lib/asterisk/sounds/touchbase")
        #expect(configuration.speech.templatesFolder == "/etc/touchbase/templates")
        #expect(!configuration.speech.localEngine && !configuration.speech.prerender && configuration.speech.inFlight == 4)
        #expect(configuration.speech.voice == VoiceSettings(provider: "openai", url: "https://tts.example.com", voice: "nova",
                                                            apiKeyEnvironment: "TTS_KEY", sampleRate: 24_000))
        #expect(configuration.speech.fallback == .localPiper)
        #expect(!configuration.calls.notSureIsMachine && configuration.calls.humanAnswer == .message)
        #expect(configuration.calls.silenceMilliseconds == 2000 && configuration.calls.silenceTimeoutSeconds == 15)
        let dialer = configuration.dialer
        guard case .ami(let login) = dialer.method else { Issue.record("not AMI"); return }
        #expect(login.host == "192.0.2.10" && login.port == 5038 && login.username == "tb")
        #expect(dialer.amiSecretEnvironment == "AMI_SECRET")
        #expect(dialer.pacing.maxCalls == 4 && dialer.pacing.callsPerMinute == 12 && dialer.ringSeconds == 30)
        #expect(dialer.pacing.trunks.map(\.name) == ["main", "backup"])
        #expect(dialer.pacing.trunks.map(\.maxCalls) == [3, 4])
        #expect(try dialer.pacing.trunks[1].channel(for: "+16175550100") == "SIP/backup/16175550100")
        #expect(configuration.metrics.port == 0)
        #expect(configuration.console.host == "0.0.0.0" && configuration.console.port == 8443)
        #expect(configuration.console.behindTLSProxy && configuration.console.trustedProxies == ["10.0.0.2"])
        #expect(configuration.console.timeZone == "Europe/Lisbon")
    }

    @Test("a voice whose key variable is not set is refused naming the variable")
    func missingKey() throws {
        let voice = VoiceSettings(provider: "google", apiKeyEnvironment: "GOOGLE_TTS_KEY")
        #expect(throws: VoiceSettingsError.self) { try voice.makeProvider(environment: [:]) }
        do { _ = try voice.makeProvider(environment: [:]) } catch {
            #expect(error.description == "google: environment variable GOOGLE_TTS_KEY (api_key_env) is not set")
        }
        #expect(try voice.makeProvider(environment: ["GOOGLE_TTS_KEY": "k"]).voiceName == "google:en-US-Neural2-D")
    }

    @Test("a Polly voice signs with the key pair named by the configuration's variables")
    func pollyVoice() throws {
        let voice = VoiceSettings(provider: "polly", voice: "Matthew", sampleRate: 8_000, region: "eu-west-1")
        do { _ = try voice.makeProvider(environment: ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE"]) } catch {
            #expect(error.description == "polly: environment variable AWS_SECRET_ACCESS_KEY (secret_key_env) is not set")
        }
        let provider = try voice.makeProvider(environment: ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"])
        let polly = try #require(provider as? PollyProvider)
        #expect(polly.endpoint == "https://polly.eu-west-1.amazonaws.com" && polly.sampleRate == 8_000)
        #expect(polly.voiceName == "polly:neural/Matthew")
    }
}

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
        ("[cadence]\ncalling_hours = { monday = \"09:00-17:00\" }\n", "touchbase.toml:2: cadence.calling_hours names 'monday'"),
        ("[cadence]\ncalling_hours = { mon = \"9 to 5\" }\n", "touchbase.toml:2: cadence.calling_hours for mon must be \"HH:MM-HH:MM\", not \"9 to 5\""),
        ("[cadence]\nsecond_message_gap = \"soon\"\n", "touchbase.toml:2: cadence.second_message_gap must be"),
        ("[cadence]\nholidays = [\"Christmas\"]\n", "touchbase.toml:2: cadence.holidays entry \"Christmas\""),
        ("[cadence]\nholidays = [\"2026-12-25\", \"2026-13-45\"]\n", "touchbase.toml:2: cadence.holidays entry \"2026-13-45\" is not a date of the calendar"),
        ("[cadence]\nholidays = [\"2026-02-30\"]\n", "touchbase.toml:2: cadence.holidays entry \"2026-02-30\" is not a date of the calendar"),
        ("[cadence]\nholidays = [\"2026-2-3\"]\n", "touchbase.toml:2: cadence.holidays entry \"2026-2-3\""),
        ("[cadence]\ncalling_hours = {}\n", "touchbase.toml:2: cadence.calling_hours names no day"),
        ("[cadence]\ncalling_hours = { mon = \"06:00-07:30\" }\n", "touchbase.toml:2: cadence.calling_hours for mon (06:00–07:30) lie wholly outside"),
    ])
    func bad(text: String, message: String) {
        expectRefusal(text, message)
    }

    @Test("calling hours that end before they start are refused saying the end must be after the start")
    func hoursBackwards() {
        #expect {
            try TouchBaseConfiguration.parse("[cadence]\ncalling_hours = { mon = \"17:00-09:00\" }\n", file: "touchbase.toml")
        } throws: { error in
            let text = String(describing: error)
            return text.contains("the end must be after the start") && !text.contains("HH:MM") && text.hasPrefix("touchbase.toml:2: cadence.calling_hours")
        }
    }

    @Test("a leap day is a holiday only in a leap year")
    func leapDay() throws {
        #expect(try TouchBaseConfiguration.parse("[cadence]\nholidays = [\"2028-02-29\"]\n", file: "t.toml").policy.holidays == ["2028-02-29"])
        #expect(throws: SettingsProblem.self) { try TouchBaseConfiguration.parse("[cadence]\nholidays = [\"2027-02-29\"]\n", file: "t.toml") }
    }

    @Test("calling hours reaching outside 08:00–21:00 are kept with a warning that carries its line and key")
    func hoursCut() throws {
        let configuration = try TouchBaseConfiguration.parse("[cadence]\n\ncalling_hours = { mon = \"07:00-22:00\" }\n", file: "touchbase.toml")
        #expect(configuration.policy.hours(onWeekday: 2) == ClockTime(8)...ClockTime(21))
        let warning = try #require(configuration.warnings.first)
        #expect(warning.severity == .warning && warning.line == 3 && warning.key == "cadence.calling_hours")
    }
}

import AGI
import ConfigurationFile
import Dialer
import Foundation
import Logging
import Scripts
import Speech
import Store
import TouchBase

/// `touchbase check-config`: everything `touchbase serve` will rely on, tried for real before a
/// PBX depends on it: the file, the templates, the database, each voice (a real synthesis), the
/// sounds folder, and the way calls reach Asterisk.
public struct ConfigurationCheck: Sendable {
    /// One finding.
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        public enum Level: String, Sendable, Hashable { case ok, warning, error }
        public var level: Level
        public var subject: String
        public var detail: String

        public var description: String {
            let mark = level == .ok ? "ok     " : level == .warning ? "warning" : "error  "
            return "\(mark) \(subject): \(detail)"
        }
    }

    public var configuration: TouchBaseConfiguration
    public var environment: [String: String]
    public var logger: Logger

    /// Creates a check.
    public init(configuration: TouchBaseConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment,
                logger: Logger) {
        self.configuration = configuration
        self.environment = environment
        self.logger = logger
    }

    /// Runs every check; `speak` false skips the synthesis requests.
    public func run(speak: Bool = true) async -> [Finding] {
        var findings: [Finding] = []
        func add(_ level: Finding.Level, _ subject: String, _ detail: String) {
            findings.append(Finding(level: level, subject: subject, detail: detail))
        }
        let speech = configuration.speech

        if let folder = speech.templatesFolder {
            do {
                let scripts = try MessageScripts(folder: folder)
                add(.ok, "templates", "\(folder) loads")
                for warning in scripts.warnings { add(.warning, "templates", "\(warning)") }
            } catch {
                for problem in error.problems { add(.error, "templates", "\(problem)") }
            }
        } else {
            add(.ok, "templates", "built-in messages")
        }

        if let shared = configuration.sharedDatabase {
            add(.ok, "database", "PostgreSQL at \(shared.url), password from $\(shared.passwordEnvironment), tls \(shared.tls.rawValue) (not connected by this check)")
            let audio = configuration.audio
            if audio.isEnabled {
                add(.ok, "audio", "other nodes' consoles fetch this node's messages at \(audio.url); \(configuration.audioPeers) may fetch")
            } else {
                add(.warning, "audio", "off: other nodes' consoles cannot play the calls this node prepares; set [audio] port and url (README, \"Several nodes on one PostgreSQL\")")
            }
        } else {
            do {
                _ = try SQLiteStore(path: configuration.databasePath)
                add(.ok, "database", "\(configuration.databasePath) opens and is up to date")
            } catch {
                add(.error, "database", "\(error)")
            }
        }

        let folder = speech.absoluteSoundsFolder
        switch SoundsFolderStatus(inspecting: folder) {
        case .writable: add(.ok, "sounds folder", "\(folder) is writable; Asterisk must be able to read it")
        case .missing(let parent, true): add(.warning, "sounds folder", "\(folder) does not exist; \(parent) is writable, so touchbase serve will create it")
        case .missing, .notWritable, .notAFolder:
            add(.error, "sounds folder", StartupChecks.soundsFolderProblem(folder, create: false) ?? folder)
        }

        var voices: [(String, VoiceSettings)] = [("voice", speech.voice)]
        if let fallback = speech.fallback { voices.append(("fallback", fallback)) }
        let client = HTTPClient()
        for (label, settings) in voices {
            let provider: any SpeechProvider
            do {
                provider = try settings.makeProvider(environment: environment)
            } catch {
                add(.error, "speech.\(label)", error.description)
                continue
            }
            guard speak else { add(.ok, "speech.\(label)", "\(provider.voiceName) configured (not tried)"); continue }
            let started = ContinuousClock.now
            do {
                let audio = try await provider.synthesize(SpeechRequest(text: "TouchBase configuration check.",
                                                                        ssml: "<speak>TouchBase configuration check.</speak>"), client: client)
                let seconds = Double(audio.samples.count) / Double(audio.sampleRate)
                add(.ok, "speech.\(label)", "\(provider.voiceName) spoke \(String(format: "%.1f", seconds)) s of audio at \(audio.sampleRate) Hz in \(ContinuousClock.now - started)")
            } catch {
                add(label == "voice" && !speech.localEngine && speech.fallback == nil ? .error : .warning,
                    "speech.\(label)", "\(provider.voiceName) failed: \(error)")
            }
        }
        if speech.localEngine {
            let engine = LocalSpeechEngine(voice: speech.localVoice)
            if !speak {
                add(FileManager.default.isExecutableFile(atPath: engine.executable) ? .ok : .error, "speech.local_engine", engine.executable)
            } else {
                do {
                    _ = try await engine.synthesize("TouchBase configuration check.")
                    add(.ok, "speech.local_engine", "\(engine.voiceName) speaks (the last resort, so a message is always left)")
                } catch {
                    add(.error, "speech.local_engine", "\(error)")
                }
            }
        } else {
            add(.warning, "speech.local_engine", "none: when every endpoint fails, no message can be left")
        }

        let audioSocket = configuration.audioSocket
        switch configuration.calls.detector {
        case .amd:
            add(.ok, "calls.detector", "amd: app_amd judges the greeting, WaitForSilence waits for the beep")
        case .touchbase where audioSocket.port != 0 && audioSocket.port == configuration.agi.port:
            add(.error, "audiosocket.port", "\(audioSocket.port) is FastAGI's port too ([agi] port); give AudioSocket its own")
        case .touchbase:
            let beyondLoopback = !AGIPeerFilter.isLoopback(audioSocket.host)
            // The dialplan falls back to 127.0.0.1:4574 when TOUCHBASE_AUDIOSOCKET is unset, and a
            // call that cannot reach TouchBase there is quietly judged by AMD instead.
            let dialplanDefault = AGIPeerFilter.isLoopback(audioSocket.host) && audioSocket.port == 4574
            add(beyondLoopback ? .warning : .ok, "audiosocket",
                "touchbase judges the greeting; AudioSocket on \(audioSocket.host):\(audioSocket.port)"
                    + (dialplanDefault ? " (the dialplan's default)"
                        : "; set TOUCHBASE_AUDIOSOCKET=ADDRESS:\(audioSocket.port) in Asterisk's [globals], or calls fall back to AMD")
                    + (beyondLoopback ? "; beyond loopback with no authentication: only [agi] allowed_peers may connect" : ""))
        }

        let dialer = configuration.dialer
        if !dialer.enabled {
            add(.ok, "dialer", "off; TouchBase only answers AGI")
        } else {
            for pbx in dialer.nodePBXs {
                let key = dialer.pbxs.isEmpty ? "dialer" : "dialer.pbx \(pbx.name)"
                switch pbx.method {
                case .callFile(let outgoing, let staging):
                    let spool = CallFileSpool(outgoingDirectory: outgoing, stagingDirectory: staging)
                    for (name, path) in [("spool", spool.outgoingDirectory), ("staging", spool.stagingDirectory)] {
                        if let problem = StartupChecks.spoolProblem(path) {
                            add(.error, "\(key).\(name)", "\(problem) (see the README's spool permissions)")
                        } else {
                            add(.ok, "\(key).\(name)", "\(path) is writable")
                        }
                    }
                    var outgoingStat = stat(), stagingStat = stat()
                    if stat(spool.outgoingDirectory, &outgoingStat) == 0, stat(spool.stagingDirectory, &stagingStat) == 0,
                       outgoingStat.st_dev != stagingStat.st_dev {
                        add(.error, "\(key).staging", "\(spool.stagingDirectory) is on another file system than \(spool.outgoingDirectory); the rename would not be atomic")
                    }
                case .ami(var login):
                    if let secret = environment[pbx.amiSecretEnvironment], !secret.isEmpty {
                        login.secret = secret
                        do {
                            try await AMIClient.withConnection(to: login, logger: logger) { _ in }
                            add(.ok, "\(key).ami", "logged in to \(login.host):\(login.port) as \(login.username)")
                        } catch {
                            add(.error, "\(key).ami", "\(login.host):\(login.port): \(error)")
                        }
                    } else {
                        add(.error, "\(key).ami", "environment variable \(pbx.amiSecretEnvironment) (secret_env) is not set")
                    }
                }
            }
            for trunk in dialer.nodeTrunks {
                let example = (try? trunk.channel(for: "+15555550100")) ?? trunk.channel
                add(.ok, "dialer.trunk \(trunk.name)", "on \(trunk.pbx): dials \(example) for +15555550100; at most \(trunk.maxCalls) at once, \(trunk.callsPerMinute) a minute")
            }
        }
        return findings
    }
}

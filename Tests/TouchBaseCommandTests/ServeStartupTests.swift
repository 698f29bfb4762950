import Foundation
import NIOCore
import NIOPosix
import Testing

/// `touchbase serve` as an administrator meets it: the built binary, started as a process.
@Suite("touchbase serve starting and stopping", .serialized)
struct ServeStartupTests {
    static func serve(_ settings: String, soundsFolder: String = "sounds", whenListening: ((Process) -> Void)? = nil) throws -> TouchBaseBinary.Run {
        // AudioSocket on a free port unless the test names one: a lab holding 4574 must not fail the run.
        var settings = settings.contains("[audiosocket]") ? settings : settings + "[audiosocket]\nport = 0\n"
        // The console likewise: its default 8080 is often taken, and by parallel runs.
        if !settings.contains("[console]") { settings += "[console]\nport = 0\n" }
        let touchbase = try TouchBaseBinary()
        let configuration = try touchbase.configuration(settings, soundsFolder: soundsFolder)
        return try touchbase.run(["serve", "--config", configuration], limit: 10,
                                 whenStderrHolds: whenListening.map { ("FastAGI listening", $0) })
    }

    @Test("a port another program holds ends serve at once, status 1, naming the address", arguments: [
        ("[agi]\nport = PORT\n[metrics]\nport = 0\n", "cannot listen for FastAGI on"),
        ("[agi]\nport = 0\n[metrics]\nport = PORT\n", "cannot serve metrics on"),
        ("[agi]\nport = 0\n[metrics]\nport = 0\n[audiosocket]\nport = PORT\n", "AudioSocket cannot listen on"),
        ("[agi]\nport = 0\n[metrics]\nport = 0\n[console]\nport = PORT\n", "cannot serve the web console on"),
    ])
    func portInUse(settings: String, what: String) async throws {
        let holder = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(holder.localAddress?.port)
        let run = try Self.serve(settings.replacingOccurrences(of: "PORT", with: "\(port)") + "[dialer]\nenabled = false\n")
        try await holder.close()
        #expect(run.status == 1)
        #expect(run.seconds < 5, "took \(run.seconds) s (it takes well under one on an idle machine)")
        #expect(run.stderr.contains("touchbase: \(what) 127.0.0.1:\(port): "), "\(run.stderr)")
        #expect(run.stderr.lowercased().contains("address already in use"), "\(run.stderr)")
    }

    @Test("a host that is not an address, a spool it cannot write, a voice without its key: status 1 and the reason", arguments: [
        ("[agi]\nport = 0\nhost = \"not an address\"\n[metrics]\nport = 0\n[dialer]\nenabled = false\n",
         "touchbase: cannot listen for FastAGI on not an address:0: "),
        ("[agi]\nport = 0\n[metrics]\nport = 0\n[dialer]\nspool = \"touchbase.toml\"\n",
         "touchbase: cannot write call files to touchbase.toml: it is not a folder\n"),
        ("[agi]\nport = 0\n[metrics]\nport = 0\n[dialer]\nenabled = false\n[speech.fallback]\nurl = \"http://127.0.0.1:9\"\n",
         "/touchbase.toml/sounds does not exist and cannot be created in "),
        ("[agi]\nport = 0\n[metrics]\nport = 0\n[dialer]\nenabled = false\n[speech.voice]\nprovider = \"google\"\napi_key_env = \"TOUCHBASE_TEST_UNSET\"\n",
         "touchbase.toml:12: speech.voice google: environment variable TOUCHBASE_TEST_UNSET (api_key_env) is not set\n"),
    ])
    func otherFailures(settings: String, expected: String) throws {
        let run = try Self.serve(settings, soundsFolder: settings.contains("[speech.fallback]") ? "touchbase.toml/sounds" : "sounds")
        #expect(run.status == 1)
        #expect(run.stderr.contains(expected), "\(run.stderr)")
    }

    @Test("SIGTERM ends a running serve with status 0, a spool that does not exist yet only warned about")
    func sigterm() throws {
        let run = try Self.serve("[agi]\nport = 0\n[metrics]\nport = 0\n[dialer]\nspool = \"/nonexistent/outgoing\"\n") { process in
            kill(process.processIdentifier, SIGTERM)
        }
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("FastAGI server stopped"))
    }
}

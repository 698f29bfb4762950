import AGI
import ConfigurationFile
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NIOCore
import NIOPosix
import Settings
import Speech
import Synchronization
import Testing
@testable import TouchBase

private let laura = """
    name,phone,connection,topic
    Laura Harbolt,(617) 555-0100,we met last week at the networking group,the office move
    """

/// A port free a moment ago, for a server a configuration must name before it starts.
private func freePort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
    defer { channel.close(promise: nil) }
    return channel.localAddress!.port!
}

/// Runs the message audio server on `folder` while `body` runs.
private func withAudioServer(folder: String, port: Int = 0, _ body: (Int) async throws -> Void) async throws {
    let ports = AsyncStream.makeStream(of: Int.self)
    let server = MessageAudioServer(host: "127.0.0.1", port: port, soundsFolder: folder, allowedPeers: .loopbackOnly, logger: testLogger) {
        ports.continuation.yield($0)
    }
    let task = Task { try await server.run() }
    defer { task.cancel() }
    var iterator = ports.stream.makeAsyncIterator()
    try await body(try #require(await iterator.next()))
}

/// A harness whose node serves its messages at a port of its own, with one call placed.
private func withPlacedCall(_ body: @escaping @Sendable (Harness, Int, String) async throws -> Void) async throws {
    let port = try await freePort()
    try await Harness.run(configure: { $0.audio.port = port; $0.audio.url = "http://127.0.0.1:\(port)" }) { h in
        _ = try await h.importContacts(laura)
        try await body(h, port, try #require(await h.dialer.pass().placed.first))
    }
}

@Suite("Audio on several PBXs: messages served over HTTP and fetched into Asterisk's media cache before the beep")
struct MessageAudioTests {
    @Test("a request names a message of the sounds folder or is refused: no folders, no dots, GET and HEAD only")
    func requests() {
        #expect(MessageAudioRequest(method: "GET", target: "/tb-0f3a.sln16") == .file("tb-0f3a.sln16"))
        #expect(MessageAudioRequest(method: "HEAD", target: "/tb-0f3a.ulaw?v=1") == .file("tb-0f3a.ulaw"))
        for target in ["/../etc/passwd.sln16", "/a/b.sln16", "/tb-0f3a.wav", "/.sln16", "/tb 1.sln16", "/tb-0f3a.sln16/", "/%2e%2e.sln16", ""] {
            #expect(MessageAudioRequest(method: "GET", target: target) == .refused(status: 404, reason: "no such message"), "\(target)")
        }
        #expect(MessageAudioRequest(method: "POST", target: "/tb-0f3a.sln16") == .refused(status: 405, reason: "only GET and HEAD"))
    }

    @Test("[audio] reads the address the PBXs fetch at, refuses a port without one, and makes each message's URL")
    func settings() throws {
        let configuration = try TouchBaseConfiguration.parse("[audio]\nhost = \"0.0.0.0\"\nport = 4575\nurl = \"http://10.0.0.5:4575/\"\n", file: "t.toml")
        let audio = configuration.audio
        #expect(audio.isEnabled && audio.host == "0.0.0.0" && audio.url == "http://10.0.0.5:4575")
        #expect(audio.url(forAudioPath: "/srv/sounds/tb-0f3a", soundsFolder: "/srv/sounds/") == "http://10.0.0.5:4575/tb-0f3a.sln16")
        #expect(audio.url(forAudioPath: "/elsewhere/tb-0f3a", soundsFolder: "/srv/sounds") == nil, "only the served folder")
        #expect(MessageAudioServing().url(forAudioPath: "/srv/sounds/tb-0f3a", soundsFolder: "/srv/sounds") == nil, "off by default")
        let peers = try TouchBaseConfiguration.parse("""
            [agi]
            allowed_peers = ["192.0.2.11"]
            [audio]
            allowed_peers = ["10.0.0.6", "10.0.1.0/24"]
            """, file: "t.toml")
        #expect(peers.audio.allowedPeers == ["10.0.0.6", "10.0.1.0/24"])
        for (address, allowed) in [("192.0.2.11", true), ("10.0.0.6", true), ("10.0.1.9", true), ("127.0.0.1", true), ("10.0.0.7", false)] {
            #expect(peers.audioPeers.allows(ipAddress: address) == allowed, "audio server: \(address)")
        }
        #expect(!peers.agi.allowedPeers.allows(ipAddress: "10.0.0.6"), "a node that only plays audio gets no FastAGI")
        #expect(!peers.audioSocket.allowedPeers.allows(ipAddress: "10.0.0.6"), "nor AudioSocket")
        for (text, message) in [("port = 4575\n", "is needed when port is set"), ("url = \"ftp://x\"\n", "must be http:// or https://"),
                                ("allowed_peers = [\"node-b\"]\n", "allowed peer 'node-b' is not an IP address"),
                                ("url = \"http://x/a b\"\n", "must be http:// or https://")] {
            #expect(throws: SettingsProblem.self) { try TouchBaseConfiguration.parse("[audio]\n" + text, file: "t.toml") }
            do { _ = try TouchBaseConfiguration.parse("[audio]\n" + text, file: "t.toml") } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }

    @Test("the audio server answers a message's bytes, a HEAD without them, 404 for any other name and 405 for other methods")
    func serving() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tb-audio-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = (0..<3200).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try Data(bytes).write(to: folder.appendingPathComponent("tb-0f3a.sln16"))
        try Data("secret".utf8).write(to: folder.deletingLastPathComponent().appendingPathComponent("tb-outside.sln16"))
        try await withAudioServer(folder: folder.path) { port in
            func fetch(_ path: String, method: String = "GET") async throws -> (Int, Data, HTTPURLResponse) {
                var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
                request.httpMethod = method
                let (data, response) = try await URLSession.shared.data(for: request)
                let http = try #require(response as? HTTPURLResponse)
                return (http.statusCode, data, http)
            }
            let (status, data, response) = try await fetch("/tb-0f3a.sln16")
            #expect(status == 200 && Array(data) == bytes)
            #expect(response.value(forHTTPHeaderField: "Cache-Control") == "max-age=86400")
            let (headStatus, headData, _) = try await fetch("/tb-0f3a.sln16", method: "HEAD")
            #expect(headStatus == 200 && headData.isEmpty)
            #expect(try await fetch("/tb-missing.sln16").0 == 404)
            #expect(try await fetch("/..%2Ftb-outside.sln16").0 == 404)
            #expect(try await fetch("/tb-0f3a.sln16", method: "POST").0 == 405)
        }
    }

    @Test("with [audio], the answered route fetches the message by URL before WaitForSilence, then plays it from the cache after the beep")
    func answeredFetchesBeforeTheBeep() async throws {
        try await withPlacedCall { h, port, callID in
            try await withAudioServer(folder: h.folder.appendingPathComponent("sounds").path, port: port) { _ in
                // Asterisk's media cache: the first STREAM FILE of a URL downloads it.
                let cache = Mutex<[String: Data]>([:])
                let commands = try await h.asterisk.session(route: "answered", answer: { command in
                    guard command.hasPrefix("STREAM FILE http://") else { return voicemailAnswers(callID: callID)(command) }
                    let words = command.split(separator: " ").map(String.init)
                    let url = words[2]
                    let audio = cache.withLock { $0[url] } ?? (try? Data(contentsOf: URL(string: url)!))
                    guard let audio else { return ["200 result=-1 endpos=0"] }
                    cache.withLock { $0[url] = audio }
                    return ["200 result=0 endpos=\(words.count > 4 ? Int(words[4])! : audio.count / 2)"]
                })
                let url = try #require(commands.first { $0.hasPrefix("STREAM FILE http://") }.map { String($0.split(separator: " ")[2]) })
                #expect(url.hasPrefix("http://127.0.0.1:\(port)/tb-") && url.hasSuffix(".sln16"))
                #expect(try await h.store.call(callID: callID)?.plannedMessage?.audioURL == url,
                        "the call records where other nodes' consoles fetch its message")
                let samples = try #require(try await h.store.call(callID: callID)?.plannedMessage?.samples)
                #expect(Array(commands[4...6]) == ["STREAM FILE \(url) \"\" \(samples)", "EXEC WaitForSilence 1500,1,20", "STREAM FILE \(url) \"\""])
                #expect(cache.withLock { $0[url]?.count } == samples * 2, "the whole message was fetched before the beep")
                // Another node's console fetches the same file, through the wiring `serve` gives the console.
                let peerAudio = try #require(h.assembly.consoleServices(checks: { [] }).peerAudio)
                #expect(try await peerAudio(url, samples) == cache.withLock { $0[url].map(Array.init) })
                let call = try #require(try await h.store.call(callID: callID))
                #expect(call.outcome?.name == "voicemail" && call.messageLeft == .first && call.playedShare == 1)
            }
        }
    }

    @Test("when the PBX cannot fetch from this node, the message plays from its path instead")
    func unreachableServerFallsBackToThePath() async throws {
        try await withPlacedCall { h, port, callID in
            let commands = try await h.asterisk.session(route: "answered", answer: { command in
                command.hasPrefix("STREAM FILE http://") ? ["200 result=-1 endpos=0"] : voicemailAnswers(callID: callID)(command)
            })
            let path = try #require(try await h.store.call(callID: callID)?.plannedMessage?.audioPath)
            #expect(commands[4].hasPrefix("STREAM FILE http://127.0.0.1:\(port)/"))
            #expect(commands[5] == "EXEC WaitForSilence 1500,1,20")
            #expect(commands[6] == "STREAM FILE \(path) \"\"")
            #expect(try await h.store.call(callID: callID)?.messageLeft == .first)
        }
    }
}

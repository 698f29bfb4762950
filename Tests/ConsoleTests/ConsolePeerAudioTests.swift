import Cadence
@testable import Console
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Scripts
import Speech
import Store
import Testing
import TouchBase

/// Two nodes on one store: node B prepared a call's message and serves its sounds folder;
/// node A's console, whose sounds folder does not have the file, plays it all the same.
struct TwoNodes {
    let fixture: ConsoleFixture
    /// Node A's console, fetching from other nodes as `touchbase serve` wires it.
    let console: Console
    /// Node A's sounds folder (empty) and node B's (with the message).
    let folderA: URL, folderB: URL

    init() async throws {
        fixture = try await ConsoleFixture()
        var services = ConsoleServices(store: fixture.store, policy: CallingPolicy(), importer: ContactImport(),
                                       templates: try MessageScriptsInForce(folder: nil))
        services.peerAudio = TouchBaseAssembly.peerAudio(MessageAudioClient())
        console = Console(settings: fixture.settings, services: services)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tb-two-nodes-\(UUID())")
        (folderA, folderB) = (root.appendingPathComponent("a"), root.appendingPathComponent("b"))
        for folder in [folderA, folderB] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
    }

    /// A 440 Hz tone of `samples` 16-bit samples, as a `.sln16` file holds it.
    static func tone(samples: Int) -> [UInt8] {
        (0..<samples).flatMap { index -> [UInt8] in
            let value = Int16(8000 * sin(Double(index) * 2 * .pi * 440 / 16_000))
            return [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
        }
    }

    /// Records a call for Sam whose message is `name`, at the same path on node A as node B
    /// prepared it (every node has the same sounds folder), fetched from `url`; its audio's URL
    /// on the console.
    func call(_ id: String, name: String, samples: Int, url: String?) async throws -> String {
        let contactID = try #require(fixture.sam.id)
        try await fixture.store.beginCall(CallStart(callID: id, contactID: contactID, step: .first, dialNumber: 1, startedAt: Date(),
                                                    plannedMessage: PlannedMessage(audioPath: folderA.appendingPathComponent(name).path,
                                                                                   samples: samples, voice: "test-tone", promise: nil,
                                                                                   audioURL: url)))
        return "/contacts/\(contactID)/calls/\(id)/audio.wav"
    }

    /// Runs node B's audio server on a port of its own while `body` runs with that port; when
    /// this returns, the server has stopped listening.
    func withNodeB(_ body: (Int) async throws -> Void) async throws {
        let ports = AsyncStream.makeStream(of: Int.self)
        let server = MessageAudioServer(host: "127.0.0.1", port: 0, soundsFolder: folderB.path, allowedPeers: .loopbackOnly,
                                        logger: Logger(label: "node-b")) { ports.continuation.yield($0) }
        let task = Task { try await server.run() }
        var iterator = ports.stream.makeAsyncIterator()
        var failure: (any Error)?
        do { try await body(try #require(await iterator.next())) } catch { failure = error }
        task.cancel()
        _ = await task.result
        if let failure { throw failure }
    }

    /// Node A's console, logged in as the administrator.
    func test(_ body: @escaping @Sendable (Browser) async throws -> Void) async throws {
        let app = Application(router: console.router())
        try await app.test(.router) { client in
            let browser = Browser(client: client)
            try await browser.logIn("ada")
            try await body(browser)
        }
    }

    func remove() { try? FileManager.default.removeItem(at: folderA.deletingLastPathComponent()) }
}

extension Browser {
    /// A GET answered with bytes (a WAV), not a page.
    func bytes(_ uri: String) async throws -> (status: Int, body: [UInt8]) {
        var headers = HTTPFields()
        headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        let response = try await client.execute(uri: uri, method: .get, headers: headers, body: nil)
        return (response.status.code, Array(response.body.readableBytesView))
    }

    /// Expects the page at `uri` to be a problem page with this status, in these words.
    func expectProblem(_ uri: String, _ status: Int, saying words: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let page = try await request(.get, uri)
        #expect(page.status.code == status, "\(uri)", sourceLocation: sourceLocation)
        #expect(page.body.contains(words), "\(page.body)", sourceLocation: sourceLocation)
    }
}

@Suite("a call's audio prepared on another node: fetched from its audio server and played as WAV")
struct ConsolePeerAudioTests {
    @Test("node A's console answers the WAV of a message only node B has: the same samples, the right length")
    func fetchesFromTheNodeThatPreparedIt() async throws {
        let nodes = try await TwoNodes()
        defer { nodes.remove() }
        let samples = 12_000
        let tone = TwoNodes.tone(samples: samples)
        try Data(tone).write(to: nodes.folderB.appendingPathComponent("tb-peer-1.sln16"))
        try await nodes.withNodeB { port in
            let uri = try await nodes.call("tb-call-1", name: "tb-peer-1", samples: samples, url: "http://127.0.0.1:\(port)/tb-peer-1.sln16")
            #expect(!FileManager.default.fileExists(atPath: nodes.folderA.appendingPathComponent("tb-peer-1.sln16").path))
            try await nodes.test { browser in
                let (status, wav) = try await browser.bytes(uri)
                #expect(status == 200)
                #expect(wav.count == 44 + samples * 2)
                #expect(Array(wav.prefix(4)) == Array("RIFF".utf8) && Array(wav[36..<40]) == Array("data".utf8))
                #expect(Array(wav.dropFirst(44)) == tone)
            }
        }
    }

    @Test("a file node B no longer has is 404 naming the node; one of the wrong length is 502 and nothing is played")
    func missingOrWrongFileIsAClearError() async throws {
        let nodes = try await TwoNodes()
        defer { nodes.remove() }
        try Data(TwoNodes.tone(samples: 100)).write(to: nodes.folderB.appendingPathComponent("tb-short.sln16"))
        try await nodes.withNodeB { port in
            let gone = try await nodes.call("tb-gone", name: "tb-gone", samples: 100, url: "http://127.0.0.1:\(port)/tb-gone.sln16")
            let short = try await nodes.call("tb-short", name: "tb-short", samples: 16_000, url: "http://127.0.0.1:\(port)/tb-short.sln16")
            try await nodes.test { browser in
                try await browser.expectProblem(gone, 404, saying: "node 127.0.0.1:\(port): it answered 404")
                try await browser.expectProblem(short, 502, saying: "it sent 200 bytes where the call recorded 16000 samples")
            }
        }
    }

    @Test("a node that is down answers 502 naming it, and a call whose node serves no audio answers 404 saying so")
    func nodeDownOrNotServing() async throws {
        let nodes = try await TwoNodes()
        defer { nodes.remove() }
        var stopped = 0
        try await nodes.withNodeB { stopped = $0 }
        let port = stopped
        // Node B has stopped: nothing listens on its port now.
        let down = try await nodes.call("tb-down", name: "tb-down", samples: 100, url: "http://127.0.0.1:\(port)/tb-down.sln16")
        let unserved = try await nodes.call("tb-unserved", name: "tb-unserved", samples: 100, url: nil)
        let odd = try await nodes.call("tb-odd", name: "tb-odd", samples: 100, url: "http://127.0.0.1:\(port)/../etc/passwd")
        try await nodes.test { browser in
            try await browser.expectProblem(down, 502, saying: "node 127.0.0.1:\(port): it did not answer")
            try await browser.expectProblem(unserved, 404, saying: "does not serve its messages ([audio] port and url)")
            try await browser.expectProblem(odd, 502, saying: "node 127.0.0.1:\(port): the recorded URL")
        }
    }
}

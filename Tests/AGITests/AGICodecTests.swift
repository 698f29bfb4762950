import AGI
import NIOCore
import NIOEmbedded
import Testing

@Suite("AGI decoder and command encoding")
struct AGICodecTests {
    static let environment = "agi_network: yes\r\nagi_network_script: answered?campaign=spring%20follow-up&x\nagi_request: agi://127.0.0.1/answered\nagi_arg_2: second\nagi_arg_1: first\nagi_accountcode: \nagi_custom_thing: kept\n\n"

    @Test("the decoder frames environment, answers, 520 blocks and HANGUP however the bytes are split")
    func decoderVerifier() throws {
        let env = AGIEnvironment(variables: [
            ("agi_network", "yes"), ("agi_network_script", "answered?campaign=spring%20follow-up&x"),
            ("agi_request", "agi://127.0.0.1/answered"), ("agi_arg_2", "second"), ("agi_arg_1", "first"),
            ("agi_accountcode", ""), ("agi_custom_thing", "kept"),
        ])
        let pairs: [(String, [AGIInbound])] = [
                (Self.environment, [.environment(env)]),
                ("200 result=1 (MACHINE)\n", [.response(.success(AGIResult(result: "1", data: "MACHINE")))]),
                ("HANGUP\n200 result=-1 endpos=12000\n", [.hangup, .response(.success(AGIResult(result: "-1", endpos: 12000)))]),
                ("520-Invalid command syntax.  Proper usage follows:\nline two\n520 End of proper usage.\n",
                 [.response(.usage("Invalid command syntax.  Proper usage follows:\nline two"))]),
                ("100 result=0 Trying...\r\n200 result=0 Gosub complete\n",
                 [.response(.trying(AGIResult(result: "0", trailer: "Trying..."))),
                  .response(.success(AGIResult(result: "0", trailer: "Gosub complete")))]),
                ("510 Invalid or unknown command\n511 Command Not Permitted on a dead channel or intercept routine\n",
                 [.response(.invalidCommand), .response(.deadChannel)]),
            ]
        // NIOTestUtils' ByteToMessageDecoderVerifier reuses one decoder across its strategies,
        // which fits stateless codecs only; the AGI dialog is stateful (environment first), so
        // each strategy gets a fresh channel here: all at once, byte by byte, and in odd chunks.
        let input = Array(pairs.map(\.0).joined().utf8)
        let expected = pairs.flatMap(\.1)
        for chunkSize in [input.count, 1, 7, 64] {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(AGIInboundDecoder()))
            var frames: [AGIInbound] = []
            for start in stride(from: 0, to: input.count, by: chunkSize) {
                try channel.writeInbound(ByteBuffer(bytes: input[start..<min(start + chunkSize, input.count)]))
                while let frame = try channel.readInbound(as: AGIInbound.self) { frames.append(frame) }
            }
            #expect(frames == expected, "chunks of \(chunkSize) bytes")
            #expect(try channel.finish().isClean)
        }
    }

    @Test("environment values are typed; request path, query and arguments split; unknown keys kept")
    func environmentAccessors() throws {
        var parser = AGIInboundParser()
        var env: AGIEnvironment?
        for line in Self.environment.utf8.split(separator: 10, omittingEmptySubsequences: false).dropLast() {
            if case .environment(let e)? = try parser.parse(line: Substring(line)) { env = e }
        }
        let e = try #require(env)
        #expect(e.scriptPath == "answered")
        #expect(e.query.map(\.name) == ["campaign", "x"])
        #expect(e.query.map(\.value) == ["spring follow-up", ""])
        #expect(e.arguments == ["first", "second"])
        #expect(e.isNetwork)
        #expect(e.accountCode == nil)
        #expect(e["agi_custom_thing"] == "kept")
        #expect(e["agi_nope"] == nil)
    }

    @Test("answers parse into result, data with parentheses inside, endpos and trailer",
          arguments: [
            ("200 result=1 (MACHINE)", AGIResponse.success(AGIResult(result: "1", data: "MACHINE"))),
            ("200 result=1 (-Local/s@probe-00000000;2)", .success(AGIResult(result: "1", data: "-Local/s@probe-00000000;2"))),
            ("200 result=1 (a (nested) value)", .success(AGIResult(result: "1", data: "a (nested) value"))),
            ("200 result=0 endpos=107555", .success(AGIResult(result: "0", endpos: 107555))),
            ("200 result= (timeout)", .success(AGIResult(result: "", data: "timeout"))),
            ("200 result=0", .success(AGIResult(result: "0"))),
            ("520 Invalid command syntax.  Proper usage not available.", .usage("Invalid command syntax.  Proper usage not available.")),
          ])
    func answers(line: String, expected: AGIResponse) throws {
        #expect(try AGIResponse(parsing: line[...]) == expected)
    }

    @Test("lines that are no AGI answer are refused with the line quoted",
          arguments: ["", "20", "200", "200result=1", "200 res=1", "200 result=1 (unclosed", "200 result=0 endpos=abc", "404 nope", "HELLO"])
    func malformedAnswers(line: String) {
        #expect(throws: AGIProtocolError.malformedResponse(line)) { try AGIResponse(parsing: line[...]) }
    }

    @Test("a refused line is shown with C0 and C1 control characters made visible, never sent to a terminal raw")
    func controlCharactersShown() {
        let error = AGIProtocolError.malformedResponse("a\u{1B}[2Jb\u{9B}31mc\u{7F}")
        #expect(error.description.contains(#""a\x1B[2Jb\x9B31mc\x7F""#), "\(error)")
    }

    @Test("commands are quoted the way Asterisk's parse_args reads them back")
    func quotingRoundTrips() throws {
        let hostile = [
            "O'Brien", "Jane \"JJ\" Doe", "back\\slash", "", " leading and trailing ", "tab\there",
            "semi;colon,comma|pipe", "${SHELL(rm -rf /)}", "ünïcødé 名前", "\"", "\\",
        ]
        for value in hostile {
            let command = try AGICommand.setVariable("TOUCHBASE_NAME", to: value)
            let words = AGICommand.asteriskWords(of: command.line[...])
            #expect(words == ["SET", "VARIABLE", "TOUCHBASE_NAME", value], "\(command.line)")
        }
        #expect(try AGICommand.streamFile("/var/lib/asterisk/sounds/lab/msg1").line == #"STREAM FILE /var/lib/asterisk/sounds/lab/msg1 """#)
        #expect(try AGICommand.exec("Dial", ["PJSIP/100", "30", "tT"]).line == "EXEC Dial PJSIP/100,30,tT")
        #expect(try AGICommand.exec("Playback", ["a file"]).line == #"EXEC Playback "a file""#)
    }

    @Test("an argument with a newline, carriage return or NUL is refused before anything is sent",
          arguments: ["Bob\nHANGUP", "Bob\r\nEXEC System reboot", "Bob\0", "\n"])
    func injectionRefused(value: String) {
        #expect(throws: AGICommandError.self) { try AGICommand.setVariable("TOUCHBASE_NAME", to: value) }
        #expect(throws: AGICommandError.self) { try AGICommand.verbose(value) }
        #expect(throws: AGICommandError.self) { try AGICommand.streamFile(value) }
        #expect(throws: AGICommandError.self) { try AGICommand.exec("Dial", [value]) }
    }

    @Test("a command longer than Asterisk's 8,192-byte line is refused")
    func overlongCommandRefused() {
        #expect(throws: AGICommandError.tooLong(bytes: 8205, limit: 8192)) {
            try AGICommand.verbose(String(repeating: "x", count: 8192))
        }
    }

    @Test("the encoder writes one line per command")
    func encoder() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(AGICommandEncoder()))
        try channel.writeOutbound(try AGICommand.getVariable("AMDSTATUS"))
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: written) == "GET VARIABLE AMDSTATUS\n")
        _ = try channel.finish()
    }
}

@Suite("AGI bad input")
struct AGIBadInputTests {
    @Test("a line over the limit fails the decoder instead of buffering without end")
    func overlongLine() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(AGIInboundDecoder(maximumLineLength: 64)))
        #expect(throws: AGIProtocolError.lineTooLong(limit: 64)) {
            try channel.writeInbound(ByteBuffer(string: String(repeating: "a", count: 100)))
        }
        _ = try? channel.finish()
    }

    @Test("an environment that never ends is cut at the line limit")
    func tooManyEnvironmentLines() throws {
        var parser = AGIInboundParser(maximumEnvironmentLines: 3)
        for n in 0..<3 { #expect(try parser.parse(line: "agi_x\(n): v") == nil) }
        #expect(throws: AGIProtocolError.tooManyEnvironmentLines(limit: 3)) { try parser.parse(line: "agi_y: v") }
    }

    @Test("garbage where the environment should be is refused", arguments: ["GET / HTTP/1.1", "agi_no_colon", "\u{1B}[2J"])
    func garbageEnvironment(line: String) {
        var parser = AGIInboundParser()
        #expect(throws: AGIProtocolError.malformedEnvironmentLine(line)) { try parser.parse(line: line[...]) }
    }

    @Test("an answer with no command outstanding is a protocol violation")
    func unexpectedAnswer() {
        var machine = AGIDialogStateMachine()
        guard case .fail(.protocolViolation(.unexpectedResponse)) = machine.receive(.response(.success(AGIResult(result: "1")))) else {
            Issue.record("expected a protocol violation")
            return
        }
    }

    @Test("a second command while one is outstanding is refused")
    func oneCommandAtATime() throws {
        var machine = AGIDialogStateMachine()
        #expect(machine.send(try .getVariable("A")) == .write("GET VARIABLE A"))
        #expect(machine.send(try .getVariable("B")) == .refuse(.commandOutstanding("GET VARIABLE")))
        #expect(machine.receive(.hangup) == .keepReading)
        #expect(machine.isHungUp)
        #expect(machine.receive(.response(.success(AGIResult(result: "0")))) == .deliver(AGIResult(result: "0")))
        #expect(machine.state == .idle)
    }

    @Test("a peer that vanishes mid-command surfaces as connection closed during that command")
    func peerVanishes() async throws {
        let ended = NIOLockedValueBox<AGIError?>(nil)
        var router = AGIRouter()
        router.on("answered") { session in
            do {
                _ = try await session.getVariable("AMDSTATUS")
            } catch let error as AGIError {
                ended.withLockedValue { $0 = error }
                throw error
            }
        }
        try await withRunningServer(router: router) { port in
            try await AsteriskPeer.withConnection(port: port) { peer in
                try await peer.send(Array("agi_network: yes\nagi_network_script: answered\n\n".utf8))
                #expect(try await peer.readLine() == "GET VARIABLE AMDSTATUS\n")
            }
            for _ in 0..<200 where ended.withLockedValue({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(ended.withLockedValue { $0 } == .protocolViolation(.connectionClosed(during: "GET VARIABLE")))
    }

    @Test("hundreds of idle sockets that never send their environment are closed, and real calls still go through")
    func idleSockets() async throws {
        var router = AGIRouter()
        router.on("ping") { session in try await session.send(.noop) }
        // Long enough that the real call, accepted after the 300 on a loop busy with them and
        // with the rest of the suite, is never itself closed as idle before it speaks.
        let configuration = FastAGIServer.Configuration(environmentTimeout: .seconds(5))
        try await withRunningServer(router: router, configuration: configuration) { port in
            let idle = try await withThrowingTaskGroup(of: NIOAsyncChannel<ByteBuffer, ByteBuffer>.self) { group in
                for _ in 0..<300 { group.addTask { try await AsteriskPeer.connect(port: port) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try await AsteriskPeer.withConnection(port: port) { peer in
                try await peer.send(Array("agi_network_script: ping\n\n".utf8))
                #expect(try await peer.readLine() == "NOOP\n")
                try await peer.send(Array("200 result=0\n".utf8))
                #expect(try await peer.readToEnd().isEmpty)
            }
            var closedByServer = 0
            for channel in idle {
                try await channel.executeThenClose { inbound, _ in
                    for try await _ in inbound {}
                    closedByServer += 1
                }
            }
            #expect(closedByServer == 300)
        }
    }

    @Test("a request for an unknown route gets a VERBOSE line naming the routes, then a clean close")
    func unknownRoute() async throws {
        var router = AGIRouter()
        router.on("answered") { _ in }
        try await withRunningServer(router: router) { port in
            try await AsteriskPeer.withConnection(port: port) { peer in
                try await peer.send(Array("agi_network_script: nope\"\n\n".utf8))
                #expect(try await peer.readLine() == "VERBOSE \"TouchBase has no AGI route 'nope\\\"'; routes: answered\" 1\n")
                try await peer.send(Array("200 result=1\n".utf8))
                #expect(try await peer.readToEnd().isEmpty)
            }
        }
    }
}

import NIOConcurrencyHelpers

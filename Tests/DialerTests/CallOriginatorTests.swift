import Cadence
import Dialer
import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing

@Suite("Originating calls")
struct CallOriginatorTests {
    let call = OutboundCall(callID: "tb-42", channel: "PJSIP/+16175550100@main", callerIDName: "Sam \"Boss\" Ortiz; #1\nX",
                            callerIDNumber: "+16175550199", ringSeconds: 30)

    @Test("an AMI originate the callee refuses busy is reported back with reason 5")
    func amiBusyIsReported() async throws {
        let manager = try FakeAsteriskManager(recording: "ami-originate-busy.txt")
        try await manager.run { port in
            let originator = AMIOriginator(configuration: .init(port: port, username: "touchbase", secret: "s3cret"),
                                           logger: quietLogger)
            let reports = AsyncStream.makeStream(of: OriginationReport.self)
            try await originator.originate(call) { reports.continuation.yield($0) }
            var iterator = reports.stream.makeAsyncIterator()
            #expect(await iterator.next() == .failed(callID: "tb-42", reason: 5))
            let originate = try #require(manager.received.withLockedValue { $0 }.first { $0["Action"] == "Originate" })
            #expect(originate["Channel"] == "PJSIP/+16175550100@main")
            #expect(originate["Context"] == "touchbase-outbound" && originate["Exten"] == "answered")
            #expect(originate["CallerID"] == "\"Sam Boss Ortiz 1 X\" <+16175550199>")
            #expect(originate.values("Variable") == ["CDR(userfield)=tb-42", "TOUCHBASE_CALL=tb-42", "TOUCHBASE_DETECTOR=amd"])
            await originator.connection.shutdown()
        }
    }

    @Test("an AMI server that cannot be reached is reported as not placed")
    func amiUnreachableIsNotPlaced() async throws {
        let originator = AMIOriginator(configuration: .init(port: 9, username: "touchbase", secret: "x"), logger: quietLogger)
        let reports = AsyncStream.makeStream(of: OriginationReport.self)
        try await originator.originate(call) { reports.continuation.yield($0) }
        var iterator = reports.stream.makeAsyncIterator()
        guard case .notPlaced(let id, let reason)? = await iterator.next() else {
            Issue.record("expected not placed")
            return
        }
        #expect(id == "tb-42" && reason.hasPrefix("AMI: "))
        await originator.connection.shutdown()
    }

    @Test("a call file holds the call id and no retries, and a hostile caller id name stays one field")
    func callFile() throws {
        let fields = asteriskReads(try call.callFile.rendered())
        #expect(fields.first { $0.key == "CallerID" }?.value == #""Sam Boss Ortiz 1 X" <+16175550199>"#)
        #expect(fields.first { $0.key == "MaxRetries" }?.value == "0")
        #expect(fields.filter { $0.key == "Setvar" }.map(\.value) == ["TOUCHBASE_CALL=tb-42", "CDR(userfield)=tb-42", "TOUCHBASE_DETECTOR=amd"])
    }

    @Test("with TouchBase's detector, the call carries the detector and its AudioSocket UUID, on a call file and over AMI")
    func audioSocketVariables() throws {
        var call = call
        call.detector = .touchbase
        call.audioSocketID = UUID(uuidString: "3C6E2F1A-9B0D-4E57-8A21-5F0C7D9E4B12")
        let setvars = try call.callFile.rendered().split(separator: "\n").filter { $0.hasPrefix("Setvar: ") }
        #expect(setvars == ["Setvar: TOUCHBASE_CALL=tb-42", "Setvar: CDR(userfield)=tb-42", "Setvar: TOUCHBASE_DETECTOR=touchbase",
                            "Setvar: TOUCHBASE_AUDIOSOCKET_ID=3c6e2f1a-9b0d-4e57-8a21-5f0c7d9e4b12"])
        #expect(call.channelVariables.map(\.name) == ["TOUCHBASE_CALL", "CDR(userfield)", "TOUCHBASE_DETECTOR", "TOUCHBASE_AUDIOSOCKET_ID"])
    }
}

@Suite("Calls on several PBXs")
struct PBXOriginatorsTests {
    @Test("each call goes into the spool of its trunk's PBX, and a PBX this node does not reach is refused")
    func callsGoToTheirPBX() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tb-pbx-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var byPBX: [String: any CallOriginator] = [:]
        for name in ["pbx1", "pbx2"] {
            let outgoing = folder.appendingPathComponent("\(name)/outgoing")
            try FileManager.default.createDirectory(at: outgoing, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("\(name)/tmp"), withIntermediateDirectories: true)
            byPBX[name] = CallFileOriginator(spool: CallFileSpool(outgoingDirectory: outgoing.path, stagingDirectory: nil))
        }
        let originators = PBXOriginators(byPBX: byPBX)
        let call = OutboundCall(callID: "tb-7", channel: "PJSIP/+16175550100@carrier-b", callerIDName: "Sam",
                                callerIDNumber: "+16175550199", pbx: "pbx2")
        try await originators.originate(call) { _ in }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("pbx1/outgoing").path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("pbx2/outgoing").path) == ["touchbase-tb-7.call"])
        var elsewhere = call
        elsewhere.pbx = "pbx3"
        await #expect(throws: PBXNotReached.self) { try await originators.originate(elsewhere) { _ in } }
    }
}

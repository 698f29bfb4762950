import AGITestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Plays an Asterisk server for the several-nodes test: takes each call file renamed into its
/// spool's `outgoing` folder, as Asterisk's pbx_spool does, and reports the call as busy over
/// FastAGI to one of the nodes (the `failed` extension's AGI), the way the dialplan would. A
/// node that refuses the connection or drops it before the report is stored is skipped for
/// the next.
final class FakePBX: @unchecked Sendable {
    /// A call file it took and the report it made.
    struct Report: Sendable {
        var callID: String
        var channel: String
        /// When the node confirmed the report (it set `CDR(userfield)`, after storing the outcome).
        var confirmed: Bool
    }

    let name: String
    /// The spool's `outgoing` folder.
    let outgoing: URL
    private let lock = NSLock()
    private var reports: [Report] = []
    private var running = true
    private var sessionsUnderWay = 0
    private let agiPorts: @Sendable () -> [Int]
    /// How long each call "rings" before its report.
    var ringMilliseconds = 250

    /// Creates the PBX's spool folders under `folder` and starts watching `outgoing`.
    ///
    /// - Parameter agiPorts: the FastAGI ports of the nodes alive now; a report goes to one of them.
    init(name: String, folder: URL, agiPorts: @escaping @Sendable () -> [Int]) throws {
        self.name = name
        outgoing = folder.appendingPathComponent("\(name)/outgoing")
        try FileManager.default.createDirectory(at: outgoing, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("\(name)/staging"), withIntermediateDirectories: true)
        self.agiPorts = agiPorts
        Thread { [self] in watch() }.start()
    }

    /// The staging folder beside `outgoing`.
    var staging: URL { outgoing.deletingLastPathComponent().appendingPathComponent("staging") }

    /// Every report so far.
    var made: [Report] { lock.withLock { reports } }

    /// Whether every call file taken has been reported (or given up on).
    var idle: Bool { lock.withLock { sessionsUnderWay == 0 } }

    func stop() { lock.withLock { running = false } }

    private func watch() {
        var sequence = 0
        while lock.withLock({ running }) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: outgoing.path)) ?? []
            for file in names.sorted() {
                let url = outgoing.appendingPathComponent(file)
                guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                try? FileManager.default.removeItem(at: url)
                sequence += 1
                lock.withLock { sessionsUnderWay += 1 }
                let unique = "\(name)-\(sequence)"
                DispatchQueue.global().async { [self] in
                    // Rings a while first, so calls overlap and max_calls is reached.
                    usleep(useconds_t(ringMilliseconds * 1000))
                    let report = report(callFile: text, uniqueID: unique)
                    lock.withLock {
                        reports.append(report)
                        sessionsUnderWay -= 1
                    }
                }
            }
            usleep(5_000)
        }
    }

    private func report(callFile text: String, uniqueID: String) -> Report {
        var channel = "", callID = ""
        for line in text.split(separator: "\n") {
            if line.hasPrefix("Channel: ") { channel = String(line.dropFirst("Channel: ".count)) }
            if line.hasPrefix("Setvar: TOUCHBASE_CALL=") { callID = String(line.dropFirst("Setvar: TOUCHBASE_CALL=".count)) }
        }
        let variables = ["REASON": "5", "TOUCHBASE_CALL": callID, "DIALSTATUS": "BUSY", "HANGUPCAUSE": "17",
                         "CHANNEL(linkedid)": "linked-\(uniqueID)"]
        // Asterisk tries again when a FastAGI server is down; here, the next node.
        for attempt in 0..<200 {
            let ports = agiPorts()
            guard !ports.isEmpty else { break }
            let port = ports[(attempt + abs(callID.hashValue)) % ports.count]
            if (try? Self.failedSession(port: port, channel: channel, uniqueID: uniqueID, variables: variables)) == true {
                return Report(callID: callID, channel: channel, confirmed: true)
            }
            usleep(20_000)
        }
        return Report(callID: callID, channel: channel, confirmed: false)
    }

    /// One `failed` session; `true` when the node confirmed the report.
    private static func failedSession(port: Int, channel: String, uniqueID: String, variables: [String: String]) throws -> Bool {
        guard let fd = LoopbackSocket.connect(port: port, receiveTimeoutSeconds: 20) else { return false }
        defer { close(fd) }
        let environment = [
            "agi_network: yes", "agi_network_script: failed", "agi_request: agi://127.0.0.1:\(port)/failed",
            "agi_channel: \(channel)-00000001", "agi_language: en", "agi_type: PJSIP", "agi_uniqueid: \(uniqueID)",
            "agi_version: 20.5.2", "agi_callerid: unknown", "agi_calleridname: unknown", "agi_callingpres: 0",
            "agi_callingani2: 0", "agi_callington: 0", "agi_callingtns: 0", "agi_dnid: unknown", "agi_rdnis: unknown",
            "agi_context: touchbase-outbound", "agi_extension: failed", "agi_priority: 1", "agi_enhanced: 0.0",
            "agi_accountcode: ", "agi_threadid: 140000000000",
        ].joined(separator: "\n") + "\n\n"
        guard LoopbackSocket.send(fd, environment) else { return false }
        var confirmed = false
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let command = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                var answer = "200 result=1"
                if command.hasPrefix("GET VARIABLE ") {
                    let name = String(command.dropFirst("GET VARIABLE ".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
                    answer = variables[name].map { "200 result=1 (\($0))" } ?? "200 result=0"
                } else if command.hasPrefix("SET VARIABLE"), command.contains("CDR(userfield)") {
                    confirmed = true
                }
                guard LoopbackSocket.send(fd, answer + "\n") else { return confirmed }
                continue
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return confirmed }
            pending += buffer[0..<n]
        }
    }
}

import NIOCore

/// What one run of the load generator does: where it connects, how many calls it keeps in
/// progress, when it stops, and how the simulated Asterisk answers.
struct LoadPlan: Sendable {
    /// When the run stops starting new sessions.
    enum Limit: Sendable, Equatable {
        /// After this many sessions in all (a refused connection counts as one).
        case sessions(Int)
        /// After this long; sessions in progress then still finish.
        case duration(TimeAmount)
    }

    /// The FastAGI server, a loopback address.
    var server: SocketAddress
    /// The route, sent as `agi_network_script` and at the end of `agi_request`.
    var route: String
    /// How many sessions are in progress at once.
    var concurrency: Int
    /// When to stop.
    var limit: Limit
    /// The simulated Asterisk's answers.
    var replies: AsteriskReplies
    /// Spreads the first sessions evenly over this span, as calls start at different moments.
    var ramp: TimeAmount
    /// A session still open after this long is closed and counted as timed out.
    var sessionTimeout: TimeAmount
    /// When set, `GET VARIABLE TOUCHBASE_CALL` answers this prefix and the session's number, so
    /// each session reports a different call (TouchBase's `answered` route with a seeded store).
    var callIDPrefix: String?
    /// The longest command line accepted from the server (Asterisk's own limit).
    var maximumLineLength: Int = 8192

    /// The environment block Asterisk sends first, with the blank line that ends it, shaped
    /// like Tests/Fixtures/agi/fastagi-amd-machine-drop.txt.
    ///
    /// - Parameter sessionNumber: makes the unique id and channel name differ between sessions.
    func environment(sessionNumber: Int) -> String {
        let host = server.ipAddress ?? "127.0.0.1"
        let port = server.port ?? 4573
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return """
            agi_network: yes
            agi_network_script: \(route)
            agi_request: agi://\(hostPart):\(port)/\(route)
            agi_channel: Local/5551006@fake-pstn-\(sessionNumber);1
            agi_language: en
            agi_type: Local
            agi_uniqueid: 1795353109.\(sessionNumber)
            agi_version: 22.10.1
            agi_callerid: unknown
            agi_calleridname: unknown
            agi_callingpres: 67
            agi_callingani2: 0
            agi_callington: 0
            agi_callingtns: 0
            agi_dnid: unknown
            agi_rdnis: unknown
            agi_context: tb-lab
            agi_extension: \(route)
            agi_priority: 2
            agi_enhanced: 0.0
            agi_accountcode: 
            agi_threadid: 140420409702080


            """
    }
}

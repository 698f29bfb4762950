import AGI

/// The `bench` route: the voicemail-drop dialog TouchBase's handlers send, without the store,
/// cadence or audio, so a load generator can measure the AGI server alone.
///
/// It sends, each after the previous answer: GET VARIABLE AMDSTATUS, AMDCAUSE and
/// TOUCHBASE_CALL, EXEC WaitForSilence, STREAM FILE, SET VARIABLE CDR(userfield), VERBOSE and
/// HANGUP; then the session ends and the server closes the connection. `Benchmarks/` runs a
/// panoramisk server that sends the same dialog.
public enum BenchRoute {
    /// The route's path.
    public static let path = "bench"

    /// The dialog's commands, in order.
    public static let dialog: [AGICommand] = [
        try! .getVariable("AMDSTATUS"),
        try! .getVariable("AMDCAUSE"),
        try! .getVariable("TOUCHBASE_CALL"),
        try! .exec("WaitForSilence", ["1500", "1", "20"]),
        try! .streamFile("touchbase/bench"),
        try! .setVariable("CDR(userfield)", to: "tb-bench"),
        try! .verbose("touchbase bench done", level: 1),
        try! .hangup(),
    ]

    /// Runs the dialog on a session. A hangup part way ends it early, as on a real call.
    public static let handler: AGIHandler = { session in
        for command in dialog {
            do {
                try await session.send(command)
            } catch AGIError.deadChannel {
                return
            }
        }
    }
}

import Dispatch
import Logging
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one AGI session over a process's stdin and stdout, for `AGI(/path/to/touchbase,agi,ROUTE)`
/// in a dialplan.
///
/// Process AGI differs from FastAGI in two ways the runner takes care of: the environment carries
/// no `agi_network*` lines, and a hangup arrives as SIGHUP rather than as a `HANGUP` line. The
/// route comes from the command line, not from the environment. Log to stderr: stdout carries
/// the protocol.
public enum ProcessAGI {
    /// Serves one session on the given descriptors and returns how it ended.
    ///
    /// - Parameters:
    ///   - route: the route to run, as given on the command line.
    ///   - router: the handlers.
    ///   - input: the descriptor Asterisk writes to; default stdin.
    ///   - output: the descriptor Asterisk reads; default stdout.
    ///   - logger: where to log (not stdout).
    public static func run(route: String, router: AGIRouter, input: CInt = STDIN_FILENO,
                           output: CInt = STDOUT_FILENO, logger: Logger) async throws -> AGISessionEnd {
        let hangup = AGIHangupSignal()
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { hangup.raise() }
        source.resume()
        defer { source.cancel() }

        let channel = try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .takingOwnershipOfDescriptors(input: input, output: output) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AGIInboundDecoder()))
                    return try NIOAsyncChannel<AGIInbound, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            let transport = ChannelAGITransport(inbound: inbound.makeAsyncIterator(), outbound: outbound,
                                                allocator: channel.channel.allocator)
            // The route named on the command line wins: for process AGI, agi_request holds the
            // program's path.
            return await router.runSession(over: transport, hangupSignal: hangup, route: route, logger: logger)
        }
    }
}


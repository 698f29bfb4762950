import Dispatch
import Logging
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
private let systemWrite = Darwin.write
#endif

/// Runs one AGI session over a process's stdin and stdout, for `AGI(/path/to/touchbase,agi,ROUTE)`
/// in a dialplan.
///
/// Process AGI differs from FastAGI in two ways the runner takes care of: the environment carries
/// no `agi_network*` lines, and a hangup arrives as SIGHUP rather than as a `HANGUP` line. The
/// route comes from the command line, not from the environment. Log to stderr: stdout carries
/// the protocol.
///
/// The descriptors may be anything Asterisk or a shell hands a program: pipes, sockets, a
/// terminal, a regular file, `/dev/null`. They are read and written with blocking calls on NIO's
/// thread pool rather than through an event loop, because epoll takes neither regular files nor
/// `/dev/null`. One session per process makes the blocking calls cost nothing.
public enum ProcessAGI {
    /// Serves one session on the given descriptors and returns how it ended.
    ///
    /// Input that is not AGI (nothing at all, bytes that are not an environment, a line over
    /// Asterisk's 8,192-byte limit) ends the session as ``AGISessionEnd/closedBeforeEnvironment``
    /// or ``AGISessionEnd/failed(_:)``; the caller decides the exit status. The descriptors are
    /// left open.
    ///
    /// - Parameters:
    ///   - route: the route to run, as given on the command line.
    ///   - router: the handlers.
    ///   - input: the descriptor Asterisk writes to; default stdin.
    ///   - output: the descriptor Asterisk reads; default stdout.
    ///   - logger: where to log (not stdout).
    /// - Returns: how the session ended.
    public static func run(route: String, router: AGIRouter, input: CInt = STDIN_FILENO,
                           output: CInt = STDOUT_FILENO, logger: Logger) async throws -> AGISessionEnd {
        let hangup = AGIHangupSignal()
        signal(SIGHUP, SIG_IGN)
        // Asterisk closing its end must fail a write, not kill the process before it can log.
        signal(SIGPIPE, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { hangup.raise() }
        source.resume()
        defer { source.cancel() }

        let transport = DescriptorAGITransport(input: input, output: output, threadPool: .singleton)
        // The route named on the command line wins: for process AGI, agi_request holds the
        // program's path.
        return await router.runSession(over: transport, hangupSignal: hangup, route: route, logger: logger)
    }
}

/// An ``AGITransport`` over two file descriptors of any kind, read and written with blocking
/// calls on a thread pool.
struct DescriptorAGITransport: AGITransport {
    let input: CInt
    let output: CInt
    let threadPool: NIOThreadPool
    private var decoder = AGIInboundDecoder()
    private var buffer = ByteBuffer()
    private var inputEnded = false

    init(input: CInt, output: CInt, threadPool: NIOThreadPool) {
        self.input = input
        self.output = output
        self.threadPool = threadPool
    }

    mutating func write(line: String) async throws {
        let bytes = Array((line + "\n").utf8)
        let output = self.output
        try await threadPool.runIfActive { try Self.writeAll(bytes, to: output) }
    }

    mutating func next() async throws -> AGIInbound? {
        while true {
            if let frame = try decoder.decode(buffer: &buffer) { return frame }
            if inputEnded {
                guard buffer.readableBytes == 0 else {
                    throw AGIProtocolError.connectionClosed(during: "a line (\(buffer.readableBytes) bytes without a newline)")
                }
                return nil
            }
            let input = self.input
            let chunk = try await threadPool.runIfActive { try Self.read(from: input) }
            if chunk.isEmpty { inputEnded = true } else { buffer.writeBytes(chunk) }
        }
    }

    /// Reads what is there, up to 64 KiB; empty at end of input.
    private static func read(from descriptor: CInt) throws -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count >= 0 { return Array(chunk.prefix(count)) }
            try waitOrThrow(errno, descriptor: descriptor, for: Int16(POLLIN), reason: "read")
        }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: CInt) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if count >= 0 { sent += count; continue }
            try waitOrThrow(errno, descriptor: descriptor, for: Int16(POLLOUT), reason: "write")
        }
    }

    /// Retries after an interruption, waits on a non-blocking descriptor a parent left behind,
    /// and throws any other error.
    private static func waitOrThrow(_ code: CInt, descriptor: CInt, for events: Int16, reason: String) throws {
        switch code {
        case EINTR: return
        case EAGAIN, EWOULDBLOCK:
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            _ = poll(&entry, 1, -1)
        default:
            throw IOError(errnoCode: code, reason: reason)
        }
    }
}

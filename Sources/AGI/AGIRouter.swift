import Logging

/// The work for one AGI route: runs with the session and returns when the dialog is done.
///
/// Returning ends the session: the FastAGI server then closes the connection, process AGI exits.
///
/// Where it runs: under ``FastAGIServer`` a handler's task prefers its connection's event loop
/// as its executor, so each command's answer resumes it with no thread hop. That loop serves
/// many other connections too: a handler must not block it. Awaiting the session, the store or
/// the network is fine; blocking calls (synchronous file or database I/O, `sleep`, locks held
/// long) and CPU work of more than about a millisecond (resampling audio, hashing, rendering)
/// belong off the loop:
///
/// ```swift
/// let audio = try await withTaskExecutorPreference(globalConcurrentExecutor) {
///     try await speaker.render(request)
/// }
/// ```
///
/// Under process AGI (``ProcessAGI``) the handler runs on the global executor.
public typealias AGIHandler = @Sendable (AGISession) async throws -> Void

/// Maps script paths to handlers: `agi://host:4573/answered` runs the handler for `answered`.
public struct AGIRouter: Sendable {
    private var routes: [String: AGIHandler] = [:]

    /// Creates a router with no routes.
    public init() {}

    /// Adds or replaces the handler for a path (without a leading slash).
    ///
    /// Under ``FastAGIServer`` the handler runs on its connection's event loop: see
    /// ``AGIHandler`` for what it must not do there.
    public mutating func on(_ path: String, _ handler: @escaping AGIHandler) {
        routes[Self.normalized(path)] = handler
    }

    /// The handler for a request's script path, or `nil` when there is none.
    public func handler(for path: String) -> AGIHandler? {
        routes[Self.normalized(path)]
    }

    /// The paths that have handlers, sorted.
    public var paths: [String] { routes.keys.sorted() }

    private static func normalized(_ path: String) -> String {
        var path = Substring(path)
        while path.hasPrefix("/") { path = path.dropFirst() }
        while path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }

    /// Reads the environment from a transport, then runs the route it asks for.
    ///
    /// A request for a path with no route gets a `VERBOSE` line saying so, and the session ends.
    /// Errors from the handler are logged, not thrown: one session's failure is its own.
    ///
    /// - Returns: how the session ended.
    @discardableResult
    /// - Parameters:
    ///   - transport: the connection, positioned before the environment.
    ///   - hangupSignal: a flag raised from outside on hangup (SIGHUP for process AGI).
    ///   - route: the route to run; by default the environment's script path.
    ///   - logger: where to log.
    public func runSession(over transport: any AGITransport, hangupSignal: AGIHangupSignal? = nil,
                           route: String? = nil, logger: Logger) async -> AGISessionEnd {
        var transport = transport
        let environment: AGIEnvironment
        // A peer that sends no valid environment is an ordinary failure of the peer: the caller
        // reads it from the returned end and decides how loudly to say so.
        do {
            switch try await transport.next() {
            case .environment(let env)?:
                environment = env
            case nil:
                logger.debug("AGI peer closed the connection before sending its environment")
                return .closedBeforeEnvironment
            case let other?:
                logger.debug("AGI peer sent \(other) before its environment")
                return .failed(.protocolViolation(.malformedEnvironmentLine(String(describing: other))))
            }
        } catch let error as AGIProtocolError {
            logger.debug("AGI environment refused", metadata: ["error": "\(error)"])
            return .failed(.protocolViolation(error))
        } catch {
            logger.debug("AGI environment not read", metadata: ["error": "\(error)"])
            return .closedBeforeEnvironment
        }

        let route = route ?? environment.scriptPath
        var sessionLogger = logger
        // One metadata write: a handler such as StreamLogHandler re-renders all of it on each.
        var metadata = sessionLogger.handler.metadata
        metadata["agi.route"] = "\(route)"
        if let uniqueID = environment.uniqueID { metadata["agi.uniqueid"] = "\(uniqueID)" }
        sessionLogger.handler.metadata = metadata
        let session = AGISession(environment: environment, transport: transport,
                                 hangupSignal: hangupSignal, logger: sessionLogger)

        guard let handler = handler(for: route) else {
            sessionLogger.warning("No AGI route for this request", metadata: ["agi.request": "\(environment.request ?? "")"])
            let message = "TouchBase has no AGI route '\(route)'; routes: \(paths.joined(separator: ", "))"
            _ = try? await session.send(.verbose(message.filter { $0 != "\n" && $0 != "\r" && $0 != "\0" }, level: 1))
            return .noRoute(route)
        }
        do {
            try await handler(session)
            return .completed
        } catch let error as AGIError {
            sessionLogger.warning("AGI session ended with an error", metadata: ["error": "\(error)"])
            return .failed(error)
        } catch {
            sessionLogger.error("AGI handler failed", metadata: ["error": "\(error)"])
            return .handlerFailed(String(describing: error))
        }
    }
}

/// How an AGI session ended.
public enum AGISessionEnd: Sendable, Hashable {
    /// The handler returned.
    case completed
    /// No route matched the request's script path.
    case noRoute(String)
    /// The peer went away before it sent the environment.
    case closedBeforeEnvironment
    /// The protocol broke, or a command failed and the handler did not catch it.
    case failed(AGIError)
    /// The handler threw an error of its own.
    case handlerFailed(String)
}

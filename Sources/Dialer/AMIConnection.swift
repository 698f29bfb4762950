import Logging

/// How long to wait before connecting to AMI again: doubling from `initial` up to `maximum`,
/// back to `initial` once a login succeeds.
public struct ReconnectBackoff: Sendable, Hashable {
    /// The first wait.
    public var initial: Duration
    /// The longest wait.
    public var maximum: Duration
    private var current: Duration?

    /// Creates a backoff.
    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait before the next attempt; each call doubles the one after.
    public mutating func next() -> Duration {
        let wait = current.map { min(maximum, $0 * 2) } ?? initial
        current = wait
        return wait
    }

    /// Starts over from `initial` (after a successful login).
    public mutating func reset() { current = nil }
}

/// One AMI connection kept logged in for the whole process, reconnected with backoff when
/// Asterisk closes it or it breaks; every originate shares it, answers matched by `ActionID`.
///
/// The connection starts with the first ``client()`` call. While it is down, ``client()``
/// fails at once with the last error (the dialer then pauses), rather than holding the caller
/// through the backoff; while an attempt is under way, callers wait for its result.
public actor AMIConnection {
    private enum State {
        case idle
        case connecting([CheckedContinuation<AMIClient, any Error>])
        case connected(AMIClient)
        case down(any Error)
    }

    private let configuration: AMIClient.Configuration
    private let logger: Logger
    private var backoff: ReconnectBackoff
    private var state = State.idle
    private var loop: Task<Void, Never>?
    private var stopping = false
    /// Logins that succeeded, reconnections included.
    public private(set) var logins = 0

    /// Creates the connection; nothing connects until the first ``client()``.
    public init(configuration: AMIClient.Configuration, backoff: ReconnectBackoff = ReconnectBackoff(), logger: Logger) {
        self.configuration = configuration
        self.backoff = backoff
        self.logger = logger
    }

    /// The logged-in client, connecting first when nothing has yet.
    ///
    /// - Throws: the error of the last attempt while the connection is down (refused login,
    ///   unreachable host, ...).
    public func client() async throws -> AMIClient {
        switch state {
        case .connected(let client): return client
        case .down(let error): throw error
        case .idle:
            state = .connecting([])
            loop = Task { await self.keepConnected() }
            return try await waitForAttempt()
        case .connecting:
            return try await waitForAttempt()
        }
    }

    /// Logs off and stops reconnecting.
    public func shutdown() async {
        stopping = true
        if case .connected(let client) = state {
            await client.releaseCloseWaiters()
        } else {
            loop?.cancel()
        }
        await loop?.value
        loop = nil
    }

    private func waitForAttempt() async throws -> AMIClient {
        try await withCheckedThrowingContinuation { continuation in
            if case .connecting(var waiters) = state {
                waiters.append(continuation)
                state = .connecting(waiters)
            } else if case .connected(let client) = state {
                continuation.resume(returning: client)
            } else if case .down(let error) = state {
                continuation.resume(throwing: error)
            } else {
                continuation.resume(throwing: AMIError.connectionClosed)
            }
        }
    }

    private func keepConnected() async {
        while !Task.isCancelled && !stopping {
            if case .down = state { state = .connecting([]) }
            do {
                let configuration = configuration
                try await AMIClient.withConnection(to: configuration, logger: logger) { client in
                    await self.loggedIn(client)
                    await client.untilClosed()
                }
                if !Task.isCancelled && !stopping {
                    logger.warning("AMI connection closed; reconnecting", metadata: ["host": "\(configuration.host):\(configuration.port)"])
                }
                attemptEnded(AMIError.connectionClosed)
            } catch {
                logger.error("AMI connection failed; retrying with backoff", metadata: [
                    "host": "\(configuration.host):\(configuration.port)", "error": "\(error)",
                ])
                attemptEnded(error)
            }
            if !stopping { try? await Task.sleep(for: backoff.next()) }
        }
        state = .idle
    }

    private func loggedIn(_ client: AMIClient) {
        logins += 1
        backoff.reset()
        if case .connecting(let waiters) = state { for waiter in waiters { waiter.resume(returning: client) } }
        state = .connected(client)
        logger.info("AMI logged in", metadata: ["host": "\(configuration.host):\(configuration.port)"])
    }

    private func attemptEnded(_ error: any Error) {
        if case .connecting(let waiters) = state { for waiter in waiters { waiter.resume(throwing: error) } }
        state = .down(error)
    }
}

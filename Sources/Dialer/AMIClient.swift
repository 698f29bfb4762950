import Logging
import NIOCore
import NIOPosix

/// A connection to Asterisk's manager interface (AMI), for originating calls on an Asterisk that
/// runs on another host than TouchBase.
///
/// Logs in, then sends actions and matches answers and events to them by `ActionID`. Use it
/// scoped: ``withConnection(to:logger:_:)`` connects, logs in, runs the body and closes;
/// ``AMIConnection`` keeps one such connection logged in for as long as the process runs.
public actor AMIClient {
    /// Where and as whom to connect.
    public struct Configuration: Sendable {
        /// The Asterisk host.
        public var host: String
        /// The manager port; default 5038.
        public var port: Int
        /// The manager user (manager.conf); give it `originate` rights only.
        public var username: String
        /// The manager user's secret.
        public var secret: String
        /// How long to wait for an answer to an action.
        public var actionTimeout: Duration

        /// Creates a configuration.
        public init(host: String = "127.0.0.1", port: Int = 5038, username: String, secret: String,
                    actionTimeout: Duration = .seconds(10)) {
            self.host = host
            self.port = port
            self.username = username
            self.secret = secret
            self.actionTimeout = actionTimeout
        }
    }

    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let logger: Logger
    private let actionTimeout: Duration
    private var nextActionID = 0
    private var responseWaiters: [String: CheckedContinuation<AMIMessage, any Error>] = [:]
    private var eventWaiters: [String: (event: String, continuation: CheckedContinuation<AMIMessage, any Error>)] = [:]
    private var isClosed = false
    // Answers that arrived before their waiter was registered (the actor is re-entered while a
    // write is in flight), kept by ActionID until claimed or expired.
    private var earlyResponses: [String: AMIMessage] = [:]
    private var earlyEvents: [String: AMIMessage] = [:]
    private var closeWaiters: [CheckedContinuation<Void, Never>] = []

    init(outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, logger: Logger, actionTimeout: Duration) {
        self.outbound = outbound
        self.logger = logger
        self.actionTimeout = actionTimeout
    }

    /// Connects, logs in, runs `body` with the client, then logs off and closes.
    ///
    /// - Throws: ``AMIError`` for a refused login or a broken connection, or what `body` throws.
    public static func withConnection<T: Sendable>(to configuration: Configuration, logger: Logger,
                                                   _ body: @Sendable (AMIClient) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AMILineDecoder()))
                    return try NIOAsyncChannel<AMIMessageParser.Output, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            let client = AMIClient(outbound: outbound, logger: logger, actionTimeout: configuration.actionTimeout)
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    do {
                        for try await output in inbound { await client.receive(output) }
                        await client.connectionEnded(AMIError.connectionClosed)
                    } catch {
                        await client.connectionEnded(error)
                    }
                    return nil
                }
                let response = try await client.send(AMIMessage([
                    ("Action", "Login"), ("Username", configuration.username), ("Secret", configuration.secret),
                    ("Events", "call"),
                ]), checkSuccess: false)
                guard response.response == "Success" else {
                    group.cancelAll()
                    throw AMIError.loginRefused(response["Message"] ?? "no message")
                }
                let result = try await body(client)
                _ = try? await client.send(AMIMessage([("Action", "Logoff")]), checkSuccess: false)
                group.cancelAll()
                return result
            }
        }
    }

    /// Sends an action and returns Asterisk's response to it.
    ///
    /// An `ActionID` is added. With `checkSuccess`, a `Response: Error` throws
    /// ``AMIError/actionFailed(action:message:)``.
    public func send(_ action: AMIMessage, checkSuccess: Bool = true) async throws -> AMIMessage {
        let id = makeActionID()
        let response = try await exchange(action, id: id)
        if checkSuccess && response.response != "Success" {
            throw AMIError.actionFailed(action: action["Action"] ?? "action", message: response["Message"] ?? "no message")
        }
        return response
    }

    /// Originates a call asynchronously and waits for Asterisk's `OriginateResponse` event.
    ///
    /// - Parameters:
    ///   - request: the call.
    ///   - timeout: how long the call may take to be answered or fail, on top of its ring time.
    /// - Returns: how the attempt ended.
    public func originate(_ request: AMIOriginate, timeout: Duration = .seconds(120)) async throws -> AMIOriginateResult {
        let id = makeActionID()
        let action = request.action
        try await write(action, id: id)
        // Register for the event before the response can arrive; both carry the same ActionID.
        async let event = waitForEvent("OriginateResponse", id: id, timeout: timeout)
        let response = try await waitForResponse(id: id, action: "Originate")
        guard response.response == "Success" else {
            cancelEventWaiter(id: id)
            _ = try? await event
            throw AMIError.actionFailed(action: "Originate", message: response["Message"] ?? "no message")
        }
        return AMIOriginateResult(try await event)
    }

    private func makeActionID() -> String {
        nextActionID += 1
        return "touchbase-\(nextActionID)"
    }

    private func exchange(_ action: AMIMessage, id: String) async throws -> AMIMessage {
        try await write(action, id: id)
        return try await waitForResponse(id: id, action: action["Action"] ?? "action")
    }

    private func write(_ action: AMIMessage, id: String) async throws {
        guard !isClosed else { throw AMIError.connectionClosed }
        var message = action
        message.headers.removeAll { $0.name.lowercased() == "actionid" }
        message.headers.insert(("ActionID", id), at: min(1, message.headers.count))
        let text = try message.encoded()
        try await outbound.write(ByteBuffer(string: text))
    }

    private func waitForResponse(id: String, action: String) async throws -> AMIMessage {
        let timeout = actionTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.expire(id: id, action: action)
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            if let early = earlyResponses.removeValue(forKey: id) { continuation.resume(returning: early); return }
            if isClosed { continuation.resume(throwing: AMIError.connectionClosed); return }
            responseWaiters[id] = continuation
        }
    }

    private func waitForEvent(_ name: String, id: String, timeout: Duration) async throws -> AMIMessage {
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.expireEvent(id: id, action: name)
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            if let early = earlyEvents[id], early.event?.lowercased() == name.lowercased() {
                earlyEvents.removeValue(forKey: id)
                continuation.resume(returning: early)
                return
            }
            if isClosed { continuation.resume(throwing: AMIError.connectionClosed); return }
            eventWaiters[id] = (name, continuation)
        }
    }

    private func cancelEventWaiter(id: String) {
        earlyEvents.removeValue(forKey: id)
        eventWaiters.removeValue(forKey: id)?.continuation.resume(throwing: CancellationError())
    }

    private func expire(id: String, action: String) {
        responseWaiters.removeValue(forKey: id)?.resume(throwing: AMIError.timedOut(action: action))
    }

    private func expireEvent(id: String, action: String) {
        eventWaiters.removeValue(forKey: id)?.continuation.resume(throwing: AMIError.timedOut(action: action))
    }

    func receive(_ output: AMIMessageParser.Output) {
        guard case .message(let message) = output else { return }
        guard let id = message.actionID, id.hasPrefix("touchbase-") else { return }
        if let event = message.event {
            if let waiter = eventWaiters[id], waiter.event.lowercased() == event.lowercased() {
                eventWaiters.removeValue(forKey: id)
                waiter.continuation.resume(returning: message)
            } else if event.lowercased() == "originateresponse", earlyEvents.count < 1024 {
                earlyEvents[id] = message
            }
        } else if message.response != nil {
            if let waiter = responseWaiters.removeValue(forKey: id) {
                waiter.resume(returning: message)
            } else if earlyResponses.count < 1024 {
                // A late answer to an action that timed out also lands here; the bound keeps
                // a misbehaving peer from growing this without end.
                earlyResponses[id] = message
            }
        }
    }

    /// Returns when the connection has ended (Asterisk closed it, or it broke), or when the
    /// calling task is cancelled.
    public func untilClosed() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if isClosed || Task.isCancelled { continuation.resume(); return }
                closeWaiters.append(continuation)
            }
        } onCancel: {
            Task { await self.releaseCloseWaiters() }
        }
    }

    /// Lets ``untilClosed()`` return while the connection stays open (a logoff follows).
    func releaseCloseWaiters() {
        for waiter in closeWaiters { waiter.resume() }
        closeWaiters = []
    }

    func connectionEnded(_ error: any Error) {
        isClosed = true
        releaseCloseWaiters()
        let error = (error as? AMIError) ?? AMIError.protocolViolation(String(describing: error))
        for (_, waiter) in responseWaiters { waiter.resume(throwing: error) }
        for (_, waiter) in eventWaiters { waiter.continuation.resume(throwing: error) }
        responseWaiters = [:]
        eventWaiters = [:]
    }
}

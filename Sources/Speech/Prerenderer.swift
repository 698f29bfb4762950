import Cadence
import Foundation
import Logging

/// Renders the audio of each contact's next message in the background, as soon as the call is
/// scheduled, so that when the call is placed (and at the beep) there is nothing left to
/// synthesize: the dialer's own rendering then finds the files in the cache.
///
/// The words are rendered for the start of the scheduled window, the moment the dialer will
/// place the call; the promise they speak is computed for that moment.
public actor Prerenderer {
    private let messages: MessagePreparation
    private let logger: Logger
    private let inFlight: Int
    private let clock: @Sendable () -> Date
    private var queue: [(Contact, FollowUpState)] = []
    private var queued: Set<Int64> = []
    private var workers = 0
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    /// Messages rendered so far (cache hits included).
    public private(set) var rendered = 0
    /// Messages that could not be rendered.
    public private(set) var failed = 0

    /// Creates a pre-renderer with at most `inFlight` renders at once.
    public init(messages: MessagePreparation, inFlight: Int = 2, clock: @escaping @Sendable () -> Date = Date.init, logger: Logger) {
        self.messages = messages
        self.clock = clock
        self.inFlight = max(1, inFlight)
        self.logger = logger
    }

    /// Queues a contact whose next call is scheduled; a contact already queued is not queued twice.
    public func schedule(_ contact: Contact, _ state: FollowUpState) {
        guard let id = contact.id, state.phase == .active, state.nextCall != nil, !queued.contains(id) else { return }
        queued.insert(id)
        queue.append((contact, state))
        while workers < inFlight && !queue.isEmpty {
            workers += 1
            Task { await self.work() }
        }
    }

    /// Queues every active follow-up whose next call starts before `horizon`.
    ///
    /// - Parameters:
    ///   - horizon: the latest start of a call whose message is rendered now.
    ///   - due: the active follow-ups whose next call starts by a moment (the store's
    ///     `dueFollowUps`); `Speech` reads the schedule only through it.
    public func sweep(until horizon: Date,
                      due: @Sendable (Date) async throws -> [(contact: Contact, state: FollowUpState)]) async {
        do {
            for (contact, state) in try await due(horizon) { schedule(contact, state) }
        } catch {
            logger.error("Pre-rendering could not read the schedule", metadata: ["error": "\(error)"])
        }
    }

    /// Returns when the queue is empty and nothing is rendering.
    public func idle() async {
        if workers == 0 && queue.isEmpty { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private func work() async {
        while !queue.isEmpty {
            let (contact, state) = queue.removeFirst()
            let at = MessagePreparation.dialTime(of: state, now: clock())
            do {
                _ = try await messages.prepare(for: contact, state: state, at: at)
                rendered += 1
            } catch {
                failed += 1
                logger.error("Pre-rendering failed; the dialer will try again before the call",
                             metadata: ["contact": "\(contact.id ?? 0)", "error": "\(error)"])
            }
            if let id = contact.id { queued.remove(id) }
        }
        workers -= 1
        if workers == 0 {
            for waiter in idleWaiters { waiter.resume() }
            idleWaiters = []
        }
    }
}

import NIOCore

/// Runs a task's jobs on one SwiftNIO event loop.
///
/// A FastAGI session's task prefers its connection's event loop: each answer Asterisk sends is
/// read on that loop, and the session's next command is written from it, so a command's
/// turnaround costs no hop between NIO's threads and Swift's cooperative pool. Handlers must
/// not block: anything slow (SQLite, HTTP) runs on its own threads and is awaited.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }

    func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }
}

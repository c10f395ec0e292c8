import Hummingbird
import NIOCore
import NIOPosix

/// Runs Swift tasks on NIO's event loops, on the very loop that woke them when there is one.
///
/// Without it a request is read on an event loop, handled on Swift's global thread pool and written back on
/// the event loop: two thread hops per request, and on two cores four busy threads taking turns. With it the
/// handler runs on the loop that read the request (measured with `bench/run.py`: see README, Performance).
/// Handlers may block for microseconds (the cached database read) but never longer: writes and calls to
/// Kakao suspend.
@available(macOS 15, *)
final class EventLoopExecutor: TaskExecutor {
    static let shared = EventLoopExecutor(group: .singleton)

    private let group: MultiThreadedEventLoopGroup

    private init(group: MultiThreadedEventLoopGroup) {
        self.group = group
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // `any()` is the current loop when called on one, which keeps a woken task where its I/O happened.
        group.any().execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}

extension ApplicationProtocol {
    /// `runService()` with every task of the service preferring the event loops (see ``EventLoopExecutor``).
    public func runServiceOnEventLoops() async throws {
        if #available(macOS 15, *) {
            try await withTaskExecutorPreference(EventLoopExecutor.shared) { try await runService() }
        } else {
            try await runService()
        }
    }
}

import Hummingbird
import NIOCore
import NIOPosix

/// Runs Swift tasks on NIO's event loops instead of Swift's global thread pool.
///
/// Without it a request is read on an event loop, handled on Swift's global pool and written back on the
/// event loop: two thread hops per request, and on two cores four busy threads taking turns. With it the
/// handler runs on the loop that read the request, and ``EventLoopAffinityMiddleware`` keeps it there when
/// it resumes after a database write or a call to Kakao (measured with `bench/run.py`; see README,
/// Performance). Handlers may block for microseconds (the cached session read) but never longer: writes and
/// calls to Kakao suspend.
@available(macOS 15, *)
final class EventLoopExecutor: TaskExecutor {
    /// Any loop: the current one when there is one.
    static let anyLoop = EventLoopExecutor(loop: nil)
    /// One executor per loop of the singleton group, made once.
    private static let pinned: [ObjectIdentifier: EventLoopExecutor] = {
        var executors: [ObjectIdentifier: EventLoopExecutor] = [:]
        for loop in MultiThreadedEventLoopGroup.singleton.makeIterator() {
            executors[ObjectIdentifier(loop)] = EventLoopExecutor(loop: loop)
        }
        return executors
    }()

    /// The executor of the loop the caller is running on, if it is one of the singleton group's.
    static var currentLoop: EventLoopExecutor? {
        MultiThreadedEventLoopGroup.currentEventLoop.flatMap { pinned[ObjectIdentifier($0)] }
    }

    private let loop: (any EventLoop)?

    private init(loop: (any EventLoop)?) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // `any()` is the current loop when called on one, which keeps a woken task where its I/O happened.
        (loop ?? MultiThreadedEventLoopGroup.singleton.any()).execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}

extension ApplicationProtocol {
    /// `runService()` with every task of the service preferring the event loops (see ``EventLoopExecutor``).
    public func runServiceOnEventLoops() async throws {
        if #available(macOS 15, *) {
            try await withTaskExecutorPreference(EventLoopExecutor.anyLoop) { try await runService() }
        } else {
            try await runService()
        }
    }
}

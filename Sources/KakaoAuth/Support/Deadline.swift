import NIOCore
import NIOPosix
import Synchronization

/// Thrown by ``withDeadline(_:operation:)`` when the operation did not finish in time.
struct DeadlineExceeded: Error {}

/// Runs `operation`, cancelling it and throwing ``DeadlineExceeded`` if it has not finished after
/// `duration`. Used where a peer controls how long something takes: reading a client's body, reading
/// Kakao's answer (AsyncHTTPClient's own deadline stops at the response head).
func withDeadline<Value: Sendable>(
    _ duration: TimeAmount, operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value.self) { group in
        group.addTask(operation: operation)
        group.addTask {
            // An event loop's timer rather than `Task.sleep`, whose dispatch timer cost a twentieth of every
            // introspection (measured with bench/run.py); cancelled at once when the operation wins.
            let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: duration) {}
            try await withTaskCancellationHandler {
                try await timer.futureResult.get()
            } onCancel: {
                timer.cancel()
            }
            throw DeadlineExceeded()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// The value of `task`, or ``DeadlineExceeded`` after `duration`, leaving `task` running: for work others
/// share (a JWKS fetch that logins also wait for), which ``withDeadline(_:operation:)`` could not abandon, since
/// a task group waits for its children and an unstructured task's value does not heed cancellation.
func value<Value: Sendable>(of task: Task<Value, any Error>, waitingAtMost duration: TimeAmount) async throws -> Value {
    let waiter = OnceContinuation<Value>()
    return try await withCheckedThrowingContinuation { continuation in
        waiter.set(continuation)
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: duration) { waiter.resume(with: .failure(DeadlineExceeded())) }
        Task {
            let result = await task.result
            timer.cancel()
            waiter.resume(with: result)
        }
    }
}

/// A continuation resumed by whichever of two racers comes first; the other's result is dropped.
private final class OnceContinuation<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Value, any Error>?>(nil)

    func set(_ continuation: CheckedContinuation<Value, any Error>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(with result: Result<Value, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}

import NIOCore
import NIOPosix

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

import NIOCore

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
            try await Task.sleep(nanoseconds: UInt64(duration.nanoseconds))
            throw DeadlineExceeded()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

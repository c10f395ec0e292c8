import GRDB
import Synchronization

/// Runs the service's writes through SQLite's one writer in group commits: the writes that arrive while a
/// transaction is being written go together into the next one, each in its own savepoint, and every caller
/// is answered only once the transaction holding its write has committed.
///
/// Durability is exactly that of one transaction per write (an answered write is committed, with the
/// configured `synchronous` setting); what is shared is the cost of a commit: the WAL frames of the pages
/// that every login and rotation touches (the audit log's last page, the indexes) are written once per
/// group instead of once per write. Measured with `bench/run.py`: several times the rotations per second
/// of one transaction each. A write that throws rolls back its own savepoint only; a commit that fails
/// fails every write of its group.
final class GroupCommit: Sendable {
    private let writer: any DatabaseWriter
    private let queue = Mutex(Queue())

    private struct Queue {
        var pending: [Write] = []
        var isDraining = false
    }

    /// One caller's write: `run` performs it in the open transaction and keeps its outcome, `finish`
    /// answers the caller once the transaction has ended (with the commit's error, if it failed).
    private struct Write: Sendable {
        let run: @Sendable (Database) -> Void
        let finish: @Sendable ((any Error)?) -> Void
    }

    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    func write<Value: Sendable>(_ work: @escaping @Sendable (Database) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = Mutex<Result<Value, any Error>?>(nil)
            let write = Write(
                run: { db in
                    let result = Result {
                        var value: Value?
                        try db.inSavepoint {
                            value = try work(db)
                            return .commit
                        }
                        return value!
                    }
                    outcome.withLock { $0 = result }
                },
                finish: { commitError in
                    if let commitError {
                        continuation.resume(throwing: commitError)
                    } else {
                        continuation.resume(with: outcome.withLock { $0 }!)
                    }
                })
            let startsDrain = queue.withLock { queue in
                queue.pending.append(write)
                defer { queue.isDraining = true }
                return !queue.isDraining
            }
            if startsDrain {
                writer.asyncWriteWithoutTransaction { db in self.drain(db) }
            }
        }
    }

    /// Commits group after group until no write is waiting.
    private func drain(_ db: Database) {
        while true {
            let group = queue.withLock { queue in
                defer { queue.pending = [] }
                if queue.pending.isEmpty { queue.isDraining = false }
                return queue.pending
            }
            guard !group.isEmpty else { return }
            var commitError: (any Error)?
            do {
                try db.inTransaction(.immediate) {
                    for write in group { write.run(db) }
                    return .commit
                }
            } catch {
                commitError = error
            }
            for write in group { write.finish(commitError) }
        }
    }
}

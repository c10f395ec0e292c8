import GRDB
import Logging
import Synchronization

/// Empties SQLite's write-ahead log. A deleted row's earlier versions stay readable in the log's older
/// frames until new writes overwrite them (up to 40 MB of writes later, see `wal_autocheckpoint`), so
/// after an erasure the log is checkpointed and truncated: soon, and at most once per `delay`, so that a
/// stream of account deletions cannot keep the one writer busy checkpointing. A reader that holds the log
/// (a running `.backup`, a long read) makes a truncation fail: it is tried again, waiting twice as long each
/// time up to `longestWait`, with a warning each time, until it succeeds.
final class LogTruncation: Sendable {
    static let delay: Duration = .seconds(1)
    static let longestWait: Duration = .seconds(60)
    /// How long one attempt waits for readers to leave the log. The writer waits with it, so not the
    /// connection's busy timeout (5 s): a backup must not stall every login.
    static let readerWait = 100

    private let writer: any DatabaseWriter
    private let logger: Logger
    private let isScheduled = Mutex(false)
    /// Held while a truncation runs, so that closing waits for it and none starts on a closed connection
    /// (SQLite would crash on it).
    private let isClosed = Mutex(false)

    init(writer: any DatabaseWriter, logger: Logger) {
        self.writer = writer
        self.logger = logger
    }

    /// Truncates the log after `delay`, and again until it succeeds, unless a truncation is already waiting.
    func schedule() {
        guard claimSchedule() else { return }
        Task {
            var wait = Self.delay
            while true {
                try? await Task.sleep(for: wait)
                isScheduled.withLock { $0 = false }
                switch await truncate() {
                case .truncated, .closed:
                    return
                case .readersHoldTheLog:
                    wait = min(wait * 2, Self.longestWait)
                    logger.warning(
                        "the database's write-ahead log could not be emptied after an erasure: a reader holds it (a backup?); the erased rows stay in its -wal file until it can",
                        metadata: [
                            "retry_in_seconds": "\(wait.components.seconds)"
                        ])
                    // A later erasure's truncation covers this one; only one runs.
                    guard claimSchedule() else { return }
                }
            }
        }
    }

    /// Marks a truncation as waiting; false when one already is.
    private func claimSchedule() -> Bool {
        isScheduled.withLock { scheduled in
            defer { scheduled = true }
            return !scheduled
        }
    }

    enum Outcome {
        case truncated
        case readersHoldTheLog
        case closed
    }

    /// Copies the log into the database file and truncates it to zero bytes, on the writer's queue.
    @discardableResult
    func truncate() async -> Outcome {
        await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            writer.asyncWriteWithoutTransaction { db in
                let outcome = self.isClosed.withLock { isClosed -> Outcome in
                    guard !isClosed else { return .closed }
                    do {
                        try db.execute(sql: "PRAGMA busy_timeout = \(Self.readerWait)")
                        defer { try? db.execute(sql: "PRAGMA busy_timeout = \(SQLiteStore.busyTimeoutMilliseconds)") }
                        _ = try db.checkpoint(.truncate)
                        return .truncated
                    } catch {
                        return .readersHoldTheLog
                    }
                }
                continuation.resume(returning: outcome)
            }
        }
    }

    /// Called before the database closes: no truncation runs after this returns.
    func close() {
        isClosed.withLock { $0 = true }
    }
}

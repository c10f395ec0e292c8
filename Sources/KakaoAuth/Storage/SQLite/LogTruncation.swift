import GRDB
import Synchronization

/// Empties SQLite's write-ahead log. A deleted row's earlier versions stay readable in the log's older
/// frames until new writes overwrite them (up to 40 MB of writes later, see `wal_autocheckpoint`), so
/// after an erasure the log is checkpointed and truncated: soon, and at most once per `delay`, so that a
/// stream of account deletions cannot keep the one writer busy checkpointing.
final class LogTruncation: Sendable {
    static let delay: Duration = .seconds(1)

    private let writer: any DatabaseWriter
    private let isScheduled = Mutex(false)
    /// Held while a truncation runs, so that closing waits for it and none starts on a closed connection
    /// (SQLite would crash on it).
    private let isClosed = Mutex(false)

    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// Truncates the log after `delay`, unless a truncation is already waiting.
    func schedule() {
        let starts = isScheduled.withLock { scheduled in
            defer { scheduled = true }
            return !scheduled
        }
        guard starts else { return }
        Task {
            try? await Task.sleep(for: Self.delay)
            isScheduled.withLock { $0 = false }
            await truncate()
        }
    }

    /// Copies the log into the database file and truncates it to zero bytes, on the writer's queue. A reader
    /// that holds on to the log for longer than the busy timeout makes it a no-op: the next purge (or closing,
    /// which empties the log too) does it.
    func truncate() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            writer.asyncWriteWithoutTransaction { db in
                self.isClosed.withLock { isClosed in
                    if !isClosed { _ = try? db.checkpoint(.truncate) }
                }
                continuation.resume()
            }
        }
    }

    /// Called before the database closes: no truncation runs after this returns.
    func close() {
        isClosed.withLock { $0 = true }
    }
}

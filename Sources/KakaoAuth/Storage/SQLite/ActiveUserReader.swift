import GRDB
import GRDBSQLite
import Synchronization

/// The one read every authenticated request makes: the user of a live session.
///
/// It runs on its own read-only SQLite connections with the statement prepared once, straight on the
/// caller's thread. Through GRDB's pool the same indexed lookup cost more than all the rest of a
/// `GET /users/me` (a dispatch queue, a reader semaphore, a transaction and `Codable` row decoding around a
/// few microseconds of SQLite); measured with `bench/run.py`. Each statement runs in autocommit mode, so it
/// sees every transaction committed before it, exactly as a read through the pool would.
///
/// The caller's thread is an event loop's, so it waits for a lock only ``busyTimeoutMilliseconds``: a read
/// held up longer (a checkpoint, another process's exclusive lock) throws `SQLITE_BUSY`, and the store asks
/// GRDB's pool instead, whose threads may wait. With SQLite's 5 s here, one lock once stalled a loop and
/// every connection on it.
final class ActiveUserReader: Sendable {
    static let busyTimeoutMilliseconds: Int32 = 5

    static let sql = SessionQueries.activeUser(userID: "?", sessionID: "?", now: "?")
    /// About one connection per thread that reads at once; more than this are closed after use.
    private static let idleLimit = 8

    private let path: String
    private let state = Mutex(State())

    private struct State {
        var idle: [Connection] = []
        var isClosed = false
    }

    init(path: String) {
        self.path = path
    }

    func activeUser(id userID: String, sessionID: String, now: Int64) throws -> UserRecord? {
        let connection = try checkOut()
        defer { checkIn(connection) }
        return try connection.activeUser(id: userID, sessionID: sessionID, now: now)
    }

    /// Closes the idle connections now and any checked-out one when it comes back.
    func close() {
        let idle = state.withLock { state in
            state.isClosed = true
            defer { state.idle = [] }
            return state.idle
        }
        for connection in idle { connection.close() }
    }

    private func checkOut() throws -> Connection {
        let pooled = try state.withLock { state throws -> Connection? in
            guard !state.isClosed else { throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the database is closed") }
            return state.idle.popLast()
        }
        return try pooled ?? Connection(path: path, sql: Self.sql)
    }

    private func checkIn(_ connection: Connection) {
        let kept = state.withLock { state in
            guard !state.isClosed, state.idle.count < Self.idleLimit else { return false }
            state.idle.append(connection)
            return true
        }
        if !kept { connection.close() }
    }

    /// A read-only connection and its prepared statement, used by one thread at a time (the pool hands it out).
    private final class Connection: @unchecked Sendable {
        private let handle: OpaquePointer
        private let statement: OpaquePointer

        init(path: String, sql: String) throws {
            var handle: OpaquePointer?
            let opened = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
            guard opened == SQLITE_OK, let handle else {
                defer { sqlite3_close_v2(handle) }
                throw Self.error(opened, handle)
            }
            sqlite3_busy_timeout(handle, ActiveUserReader.busyTimeoutMilliseconds)
            var statement: OpaquePointer?
            let prepared = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
            guard prepared == SQLITE_OK, let statement else {
                defer { sqlite3_close_v2(handle) }
                throw Self.error(prepared, handle)
            }
            self.handle = handle
            self.statement = statement
        }

        func close() {
            sqlite3_finalize(statement)
            sqlite3_close_v2(handle)
        }

        func activeUser(id userID: String, sessionID: String, now: Int64) throws -> UserRecord? {
            defer {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            }
            // SQLITE_TRANSIENT: SQLite copies the text, which only lives for the call.
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            sqlite3_bind_text(statement, 1, userID, -1, transient)
            sqlite3_bind_text(statement, 2, sessionID, -1, transient)
            sqlite3_bind_int64(statement, 3, now)
            switch sqlite3_step(statement) {
            case SQLITE_ROW:
                return UserRecord(
                    id: text(0) ?? "", kakaoID: sqlite3_column_int64(statement, 1), nickname: text(2), email: text(3),
                    emailVerified: sqlite3_column_int64(statement, 4) != 0, profileImageURL: text(5), thumbnailImageURL: text(6),
                    createdAt: sqlite3_column_int64(statement, 7), updatedAt: sqlite3_column_int64(statement, 8),
                    lastLoginAt: sqlite3_column_int64(statement, 9), claims: try AccountClaims(stored: text(10) ?? "", text(11) ?? ""))
            case SQLITE_DONE:
                return nil
            case let code:
                throw Self.error(code, handle)
            }
        }

        private func text(_ column: Int32) -> String? {
            guard let bytes = sqlite3_column_text(statement, column) else { return nil }
            return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, column))), as: UTF8.self)
        }

        private static func error(_ code: Int32, _ handle: OpaquePointer?) -> DatabaseError {
            DatabaseError(resultCode: ResultCode(rawValue: code), message: handle.map { String(cString: sqlite3_errmsg($0)) })
        }
    }
}

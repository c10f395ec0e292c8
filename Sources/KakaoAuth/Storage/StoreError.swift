/// A store that cannot do its step now: PostgreSQL unreachable or too slow, or an answer the store did not
/// expect. Answered 503 `service_unavailable` (SQLite's own errors, GRDB's `DatabaseError`, are too).
enum StoreError: Error, CustomStringConvertible {
    /// The database did not answer within the store's time limit, or the connection failed.
    case unavailable(reason: String)
    case unexpectedAnswer(String)

    var description: String {
        switch self {
        case .unavailable(let reason): "the database is unavailable (\(reason))"
        case .unexpectedAnswer(let reason): "the database answered unexpectedly (\(reason))"
        }
    }
}

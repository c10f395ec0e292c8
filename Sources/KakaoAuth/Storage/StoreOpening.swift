import Logging

/// The store the settings name, migrated: PostgreSQL when `DATABASE_URL` is set, the SQLite file otherwise.
func openStore(_ settings: DatabaseSettings, logger: Logger) async throws -> any SessionStore {
    guard let postgres = settings.postgres else {
        return try SQLiteStore(path: settings.path, durability: settings.durability, logger: logger)
    }
    // postgres-nio tells every connection attempt at `info`: while the database is down, a line per retry.
    var quieter = logger
    quieter.logLevel = max(logger.logLevel, .warning)
    do {
        return try await PostgresStore.connect(postgres, logger: quieter)
    } catch let error as StoreError {
        throw StoreUnreachable(database: postgres.description, reason: error.description)
    }
}

/// The database named at start cannot be reached or migrated: the process stops (exit 78) with one line that
/// names the database without its password.
public struct StoreUnreachable: Error, CustomStringConvertible {
    let database: String
    let reason: String

    public var description: String { "DATABASE_URL: cannot reach \(database) or apply its migrations: \(reason)" }
}

/// What the `migrate`, `purge` and `events` commands do, on whichever store the settings name.
public struct StoreCommands: Sendable {
    private let store: any SessionStore

    /// Opens (and migrates) the store.
    public init(_ settings: DatabaseSettings, logger: Logger) async throws {
        store = try await openStore(settings, logger: logger)
    }

    public func purge(now: Int64, auditRetention: Int64) async throws -> PurgeReport {
        try await store.purge(now: now, auditRetention: auditRetention, batchSize: PurgeReport.batchSize)
    }

    public func events(userID: String, limit: Int) async throws -> [AuditEvent] {
        try await store.events(userID: userID, limit: limit)
    }

    /// Closes every connection; for SQLite, the write-ahead log is copied into the file and deleted.
    public func close() async throws {
        try await store.close()
    }
}

import Logging
import ServiceLifecycle

/// The store the application serves from: the store, the services it needs running beside the server (the
/// PostgreSQL pool), and what must happen before the server starts (connecting and migrating).
struct ServedStore {
    var store: any SessionStore
    var services: [any Service]
    var prepare: @Sendable () async throws -> Void

    /// PostgreSQL when `DATABASE_URL` is set, the SQLite file (opened and migrated now) otherwise. A
    /// PostgreSQL that `prepare` cannot reach or migrate is a ``StoreUnreachable``.
    init(_ settings: DatabaseSettings, logger: Logger) throws {
        guard let postgres = settings.postgres else {
            self.init(store: try SQLiteStore(path: settings.path, durability: settings.durability, logger: logger), services: [], prepare: {})
            return
        }
        let store = PostgresStore(postgres, logger: quieter(logger))
        self.init(
            store: store, services: [store.service],
            prepare: {
                try await reachable(postgres) { try await store.prepare() }
            })
    }

    private init(store: any SessionStore, services: [any Service], prepare: @escaping @Sendable () async throws -> Void) {
        self.store = store
        self.services = services
        self.prepare = prepare
    }
}

/// The store the settings name, migrated, for the commands: PostgreSQL when `DATABASE_URL` is set, the
/// SQLite file otherwise.
func openStore(_ settings: DatabaseSettings, logger: Logger) async throws -> any SessionStore {
    guard let postgres = settings.postgres else {
        return try SQLiteStore(path: settings.path, durability: settings.durability, logger: logger)
    }
    return try await reachable(postgres) { try await PostgresStore.connect(postgres, logger: quieter(logger)) }
}

/// postgres-nio tells every connection attempt at `info`: while the database is down, a line per retry.
private func quieter(_ logger: Logger) -> Logger {
    var quieter = logger
    quieter.logLevel = max(logger.logLevel, .warning)
    return quieter
}

/// `work`, with a store that cannot be reached or migrated said as a ``StoreUnreachable``.
private func reachable<Value>(_ postgres: PostgresSettings, _ work: () async throws -> Value) async throws -> Value {
    do {
        return try await work()
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

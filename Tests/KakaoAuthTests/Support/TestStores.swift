import Foundation
import Logging
import PostgresNIO
import Testing

@testable import KakaoAuth

/// The two stores the domain's rules are tested against: a fresh SQLite file, and a fresh database on the
/// PostgreSQL server that `KAKAO_AUTH_TEST_DATABASE_URL` names (`.ci/run` starts one; without the variable
/// the PostgreSQL cases are skipped, and say so).
enum TestStore: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    static let postgresURL = ProcessInfo.processInfo.environment["KAKAO_AUTH_TEST_DATABASE_URL"]

    /// The cases this machine can run.
    static var available: [TestStore] { postgresURL == nil ? [.sqlite] : allCases }

    var testDescription: String { rawValue }

    /// Runs `body` with a new, migrated, empty store of this kind, and removes it afterwards.
    func with(_ body: (any SessionStore) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("kakao-auth-store-\(UUID().uuidString).sqlite").path
            defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
            let store = try SQLiteStore(path: path)
            do {
                try await body(store)
            } catch {
                try? store.close()
                throw error
            }
            try store.close()
        case .postgres:
            try await Self.withPostgresDatabase { settings in
                let store = try await PostgresStore.connect(settings, logger: Self.logger)
                do {
                    try await body(store)
                } catch {
                    try? await store.close()
                    throw error
                }
                try await store.close()
            }
        }
    }

    /// For a test that closes a store and opens the database again (a process killed, a database gone):
    /// `body` gets a function that opens a new store on one fresh database each time it is called, and
    /// closes every store it opened.
    func withReopenable(_ body: (_ open: @Sendable () async throws -> any SessionStore) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("kakao-auth-store-\(UUID().uuidString).sqlite").path
            defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
            try await body { try SQLiteStore(path: path) }
        case .postgres:
            try await Self.withPostgresDatabase { settings in
                try await body { try await PostgresStore.connect(settings, logger: Self.logger) }
            }
        }
    }

    static let logger: Logger = {
        var logger = Logger(label: "kakao-auth-test-store")
        logger.logLevel = .warning
        return logger
    }()

    /// A database of its own on the test server, dropped afterwards; `body` gets its settings.
    static func withPostgresDatabase(_ body: (PostgresSettings) async throws -> Void) async throws {
        let admin = try PostgresSettings(url: postgresURL!, poolSize: 2)
        let name = "kakao_auth_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
        try await Self.administer(admin, "CREATE DATABASE \(name)")
        var settings = admin
        settings.database = name
        settings.poolSize = 8
        do {
            try await body(settings)
        } catch {
            try? await Self.administer(admin, "DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
        try await Self.administer(admin, "DROP DATABASE \(name) WITH (FORCE)")
    }

    /// Runs `body` while another connection holds `statement`'s row locks in an open transaction. That
    /// transaction then runs the statement `then` returns, if any, while `body` runs, and commits `holdFor`
    /// later. Fails with the holder's error, if it failed.
    static func whileLocked(
        _ settings: PostgresSettings, _ statement: String, holdFor: Duration,
        then next: (@Sendable () async throws -> String)? = nil, _ body: () async throws -> Void
    ) async throws {
        let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
        let locked = AsyncStream<Void>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let holder = Task {
                defer { locked.continuation.finish() }
                try await client.withTransaction(logger: logger) { connection in
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    locked.continuation.yield()
                    if let next { try await connection.query(PostgresQuery(unsafeSQL: try await next()), logger: logger) }
                    try await Task.sleep(for: holdFor)
                }
            }
            var wasLocked = false
            for await _ in locked.stream {
                wasLocked = true
                break
            }
            guard wasLocked else { throw StoreError.unexpectedAnswer("the lock was not taken: \(await holder.result)") }
            try await body()
            try await holder.value
        }
    }

    /// The one integer `query` answers, read on a connection of its own.
    static func integer(_ settings: PostgresSettings, _ query: String) async throws -> Int64 {
        let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let rows = try await client.query(PostgresQuery(unsafeSQL: query), logger: logger).decode(Int64.self).all()
            guard let value = rows.first else { throw StoreError.unexpectedAnswer("no row from \(query)") }
            return value
        }
    }

    private static func administer(_ settings: PostgresSettings, _ statement: String) async throws {
        let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
        }
    }
}

import Foundation
import KakaoAuthTokens
import Logging
import NIOCore
import PostgresMigrations
import PostgresNIO
import ServiceLifecycle

/// The store for several replicas: one PostgreSQL database through postgres-nio's connection pool. Each
/// step of ``SessionStore`` is one statement or one transaction. A refresh or logout reads its session,
/// ``Accounts`` judges it, and the change is written only if the session is still as read (read again
/// otherwise), so the same refresh token presented to two replicas at once has one successor and the other
/// answer follows the reuse interval, as on one process. Nothing is cached: every replica's next request
/// sees a logout or revocation.
final class PostgresStore: SessionStore {
    let client: PostgresClient
    /// The pool's run when this store runs it itself (``connect(_:logger:)``); nil when the application's
    /// service group runs it (``service``).
    private let running: Task<Void, Never>?
    let logger: Logger
    private let timeout: TimeAmount

    /// A store whose pool the application's service group runs (``service``: started before the server and
    /// stopped after it); ``prepare()`` it before serving.
    convenience init(_ settings: PostgresSettings, logger: Logger) {
        self.init(settings, runsItsOwnPool: false, logger: logger)
    }

    private init(_ settings: PostgresSettings, runsItsOwnPool: Bool, logger: Logger) {
        let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
        self.client = client
        self.running = runsItsOwnPool ? Task { await client.run() } : nil
        self.timeout = TimeAmount(settings.operationTimeout)
        self.logger = logger
    }

    /// The connection pool, for the application's service group.
    var service: any Service { client }

    /// For the commands and the tests, which have no service group: the store runs its own pool until
    /// ``close()``, and is prepared.
    static func connect(_ settings: PostgresSettings, logger: Logger) async throws -> PostgresStore {
        let store = PostgresStore(settings, runsItsOwnPool: true, logger: logger)
        do {
            try await store.prepare()
        } catch {
            store.running?.cancel()
            throw error
        }
        return store
    }

    /// Checks that the database answers within `settings.operationTimeout`, and applies the pending
    /// migrations under an advisory lock, so that replicas starting together migrate once.
    func prepare() async throws {
        try await step { _ = try await self.client.query("SELECT 1", logger: self.logger) }
        // Migrations may take longer than a request may (a table rewritten), so not within `step`.
        try await mapFailures { try await self.migrate() }
    }

    /// All pending migrations in one transaction (PostgreSQL's DDL is transactional), behind a transaction-scoped
    /// advisory lock: a replica that waited finds them applied.
    private func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            // The server-side limits of every connection (see PostgresSettings) are for requests, not for this.
            try await connection.query("SET LOCAL statement_timeout = 0", logger: logger)
            try await connection.query("SET LOCAL lock_timeout = 0", logger: logger)
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS schema_migrations (identifier TEXT PRIMARY KEY)", logger: logger)
            var applied = Set<String>()
            for try await identifier in try await connection.query("SELECT identifier FROM schema_migrations", logger: logger).decode(String.self) {
                applied.insert(identifier)
            }
            for migration in PostgresMigrations.all where !applied.contains(migration.name) {
                for statement in Self.statements(of: String(decoding: migration.sql, as: UTF8.self)) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (identifier) VALUES (\(migration.name))", logger: logger)
            }
        }
    }

    /// "kakao-auth migrations" as a 64-bit number: any constant works, as long as it is always this one.
    private static let migrationLock: Int64 = 0x6b61_6b61_6f2d_6175

    /// A migration file's statements: each ends with a semicolon at the end of a line (the files say so).
    static func statements(of file: String) -> [String] {
        var statements: [String] = []
        var current = ""
        for line in file.split(separator: "\n", omittingEmptySubsequences: false) {
            let code = line.hasPrefix("--") ? "" : String(line)
            current += code + "\n"
            if code.trimmingCharacters(in: .whitespaces).hasSuffix(";") {
                statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
            }
        }
        return statements
    }

    /// Runs one step of the store within `operationTimeout`, connecting included: a database that is down or
    /// too slow is a ``StoreError/unavailable(reason:)`` (503), never a request left hanging.
    func step<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try await mapFailures { try await withDeadline(self.timeout, operation: work) }
    }

    /// Every failure of a step as a ``StoreError``, so that none is answered 500.
    private func mapFailures<Value: Sendable>(_ work: () async throws -> Value) async throws -> Value {
        do {
            return try await work()
        } catch let error as StoreError {
            throw error
        } catch let refusal as LoginRefusal {
            // A rule of ours, decided by what the database answered: the client's answer, not a 503.
            throw refusal
        } catch is DeadlineExceeded {
            throw StoreError.unavailable(reason: "no answer within the time limit")
        } catch let error as PSQLError {
            throw StoreError.unavailable(reason: "\(error.code)")
        } catch let error as PostgresTransactionError {
            // BEGIN, a statement or COMMIT failed (the connection was lost, say): a 503 like any step the
            // database could not finish. A client retries a refresh as after any lost answer (the reuse interval).
            if let failure = error.closureError as? StoreError { throw failure }
            let failure = error.beginError ?? error.closureError ?? error.commitError
            throw StoreError.unavailable(reason: (failure as? PSQLError).map { "\($0.code)" } ?? "the transaction failed")
        } catch {
            throw StoreError.unavailable(reason: "\(type(of: error))")
        }
    }

    // MARK: Logins

    func recordLogin(_ profile: KakaoProfile, opening session: NewSession, origin: RequestOrigin) async throws -> (user: UserRecord, isNewUser: Bool)
    {
        // A statement of its own before the login's: a login that then fails leaves the credential used.
        if let credential = session.consumes, try await !consumeSingleUse(credential.credential, expiresAt: credential.expiresAt) {
            throw LoginRefusal.idTokenReused
        }
        return try await step {
            // One statement, so one round trip: the user, the session, its first token and the events.
            let login = LoginStatement(profile: profile, session: session, origin: origin)
            let users =
                profile.keepsAbsentFields
                ? try await self.prepared(LoginStatement.KeepingAbsentFields(login))
                : try await self.prepared(login)
            guard let user = users.first else {
                // The upsert changes no disabled user.
                var bindings = PostgresBindings(capacity: 4)
                bindings.append(session.createdAt)
                bindings.append(origin.clientIP)
                bindings.append(origin.userAgent)
                bindings.append(profile.id)
                _ = try await self.client.query(PostgresQuery(unsafeSQL: Self.refusedLoginSQL, binds: bindings), logger: self.logger)
                throw LoginRefusal.accountDisabled
            }
            return (user, user.id == session.newUserID)
        }
    }

    private static let refusedLoginSQL = UserUpsert.refusedLogin(at: "$1", clientIP: "$2", userAgent: "$3", kakaoID: "$4")

    func recordRefusedLogin(_ kind: AuditEvent.Kind, origin: RequestOrigin, detail: String, now: Int64) async throws {
        try await step {
            _ = try await self.client.query(
                """
                INSERT INTO auth_events (at, kind, client_ip, user_agent, detail) VALUES (\(now), \(kind.rawValue), \(origin.clientIP), \(origin.userAgent), \(detail))
                """, logger: self.logger)
        }
    }

    // MARK: Refresh and logout

    /// Optimistic: read the session (one statement, no lock), let the rules decide, and write only if the
    /// session is still as read, in one statement that checks it (a rotation moves the session off the presented
    /// token only if it is still the current one). When another replica changed it in between, read and decide
    /// again. Two round trips and no explicit transaction, where locking first took five; the same refresh token
    /// presented to several replicas at once still has one successor, since only one conditional write can win.
    func updateSession<Outcome: Sendable>(
        of presented: PresentedRefreshToken, origin: RequestOrigin, now: Int64,
        _ decide: @escaping @Sendable (StoredSessionState?) -> (SessionChange, Outcome)
    ) async throws -> Outcome? {
        try await step {
            try await self.retryingDeadlocks {
                for _ in 0..<Self.attemptsPerUpdate {
                    let stored = try await self.prepared(SessionStateStatement(presented: presented)).first
                    let (change, outcome) = decide(stored)
                    if try await self.apply(change, ifStill: stored, to: presented, origin: origin, now: now) { return outcome }
                }
                throw StoreError.unavailable(reason: "the session changed under every attempt")
            }
        }
    }

    /// Each lost attempt means another request changed the session in between; after a rotation the next read
    /// judges the presented token as just replaced, which writes only an event, so two attempts settle any race.
    private static let attemptsPerUpdate = 4

    /// Runs `operation` again when PostgreSQL ended it to break a deadlock (40P01, after its one-second
    /// `deadlock_timeout`). Logging out everywhere updates every session of a user in one statement, so two of
    /// them (or one beside an erasure, whose cascade locks the same rows in its own order, or beside a session
    /// held by another transaction) can wait for each other; the statement PostgreSQL chose is rolled back
    /// whole and runs again on what the other left (a decision taken again, an erasure that finds the user
    /// gone). Within the step's time limit, like any step.
    func retryingDeadlocks<Value: Sendable>(_ operation: () async throws -> Value) async throws -> Value {
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch  where attempt < 3 && Self.isDeadlock(error) {
                attempt += 1
            }
        }
    }

    private static func isDeadlock(_ error: any Error) -> Bool {
        let failure = (error as? PostgresTransactionError)?.closureError ?? error
        return (failure as? PSQLError)?.serverInfo?[.sqlState] == "40P01"
    }

    /// Writes `change` if the presented token's session is still as `stored` saw it; false when it is not.
    private func apply(
        _ change: SessionChange, ifStill stored: StoredSessionState?, to presented: PresentedRefreshToken, origin: RequestOrigin, now: Int64
    ) async throws -> Bool {
        switch change {
        case .none:
            // Nothing to write: the answer is the one the state read in one snapshot called for.
            return true
        case .record(let event, let attachedToUser):
            // Only an event, and the snapshot's answer, provided the session is still live: a disable (or a
            // logout) that committed after the read revoked it, and then the next read judges it dead rather
            // than a token being handed out after it.
            let userID = attachedToUser ? presented.userID : nil
            let recorded = try await client.query(
                """
                INSERT INTO auth_events (at, kind, user_id, session_id, client_ip, user_agent)
                SELECT \(now), \(event.rawValue), \(userID), \(presented.sessionID), \(origin.clientIP), \(origin.userAgent)
                WHERE EXISTS (SELECT 1 FROM sessions WHERE id = \(presented.sessionID) AND revoked_at IS NULL)
                RETURNING 1
                """, logger: logger
            ).decode(Int.self).all()
            return recorded.count == 1
        case .rotate(let successor):
            let moved = try await prepared(RotationStatement(presented: presented, successor: successor, now: now, origin: origin))
            return moved.first == 1
        case .revoke(let scope, let reason, let event, let detail):
            // The rules revoke only a live session they read, so `stored` is there; its current token is the condition.
            guard let readCurrent = stored?.current.jti else { throw StoreError.unexpectedAnswer("a revocation without a session") }
            let revoked: [Int64]
            switch scope {
            case .session:
                revoked = try await client.query(
                    """
                    WITH revoked AS (UPDATE sessions SET revoked_at = \(now), revoked_reason = \(reason)
                                     WHERE id = \(presented.sessionID) AND current_refresh_jti = \(readCurrent) AND revoked_at IS NULL RETURNING id),
                    logged AS (INSERT INTO auth_events (at, kind, user_id, session_id, client_ip, user_agent, detail)
                               SELECT \(now), \(event.rawValue), \(presented.userID), id, \(origin.clientIP), \(origin.userAgent), \(detail) FROM revoked)
                    SELECT COUNT(*) FROM revoked
                    """, logger: logger
                ).decode(Int64.self).all()
            case .allOfUser:
                // The condition is on the presented session as this statement's snapshot sees it; a rotation of it
                // that commits while this waits for its row is revoked all the same (logging out everywhere wins).
                revoked = try await client.query(
                    """
                    WITH still AS (SELECT 1 FROM sessions WHERE id = \(presented.sessionID) AND current_refresh_jti = \(readCurrent) AND revoked_at IS NULL),
                    revoked AS (UPDATE sessions SET revoked_at = \(now), revoked_reason = \(reason)
                                WHERE user_id = \(presented.userID) AND revoked_at IS NULL AND EXISTS (SELECT 1 FROM still) RETURNING id),
                    logged AS (INSERT INTO auth_events (at, kind, user_id, client_ip, user_agent, detail)
                               SELECT \(now), \(event.rawValue), \(presented.userID), \(origin.clientIP), \(origin.userAgent), COUNT(*) || ' sessions'
                               FROM revoked HAVING EXISTS (SELECT 1 FROM still))
                    SELECT COUNT(*) FROM still
                    """, logger: logger
                ).decode(Int64.self).all()
            }
            return revoked.first == 1
        }
    }

    // MARK: Accounts

    func eraseUser(_ selector: UserSelector, event: AuditEvent.Kind, detail: String?, now: Int64) async throws -> UserRecord? {
        switch selector {
        case .id(let id): try await erase(where: "id", is: id, event: event, detail: detail, now: now)
        case .kakaoID(let kakaoID): try await erase(where: "kakao_id", is: kakaoID, event: event, detail: detail, now: now)
        }
    }

    /// One transaction of three statements: the user goes (sessions and refresh tokens cascade), then their
    /// events are stripped, then the erasure is recorded without an address or agent. The strip is a statement
    /// of its own so that it sees the events of a login or refresh that committed while the delete waited for
    /// its locks (a single statement's snapshot would miss them).
    private func erase(
        where column: String, is value: some PostgresDynamicTypeEncodable & Sendable, event: AuditEvent.Kind, detail: String?, now: Int64
    ) async throws -> UserRecord? {
        try await step {
            try await self.retryingDeadlocks {
                try await self.client.withTransaction(logger: self.logger) { connection -> UserRecord? in
                    let gone = try await Self.users(
                        connection.query(
                            "DELETE FROM users WHERE \(unescaped: column) = \(value) RETURNING \(unescaped: UserUpsert.columns)", logger: self.logger)
                    )
                    guard let user = gone.first else { return nil }
                    try await connection.query(
                        "UPDATE auth_events SET client_ip = NULL, user_agent = NULL, detail = NULL WHERE user_id = \(user.id)", logger: self.logger)
                    try await connection.query(
                        "INSERT INTO auth_events (at, kind, user_id, detail) VALUES (\(now), \(event.rawValue), \(user.id), \(detail))",
                        logger: self.logger)
                    return user
                }
            }
        }
    }

    func consumeSingleUse(_ credential: String, expiresAt: Int64) async throws -> Bool {
        try await step {
            let inserted = try await self.client.query(
                """
                INSERT INTO used_credentials (credential_hash, expires_at) VALUES (\(ByteBuffer(bytes: OpenSSL.sha256(credential))), \(expiresAt))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: self.logger
            ).decode(Int32.self).all()
            return inserted.count == 1
        }
    }

    func isUsed(_ credential: String) async throws -> Bool {
        try await step {
            let found = try await self.client.query(
                "SELECT 1 FROM used_credentials WHERE credential_hash = \(ByteBuffer(bytes: OpenSSL.sha256(credential)))", logger: self.logger
            ).decode(Int32.self).all()
            return !found.isEmpty
        }
    }

    /// One statement, so the jti and the event are written together or not at all.
    func rememberSignal(_ jti: SingleUseCredential, recording event: AuditEvent?) async throws {
        guard let event else {
            _ = try await consumeSingleUse(jti.credential, expiresAt: jti.expiresAt)
            return
        }
        try await step {
            _ = try await self.client.query(
                """
                WITH remembered AS (INSERT INTO used_credentials (credential_hash, expires_at)
                                    VALUES (\(ByteBuffer(bytes: OpenSSL.sha256(jti.credential))), \(jti.expiresAt)) ON CONFLICT DO NOTHING)
                INSERT INTO auth_events (at, kind, user_id, session_id, client_ip, user_agent, detail)
                VALUES (\(event.at), \(event.kind.rawValue), \(event.userID), \(event.sessionID), \(event.clientIP), \(event.userAgent), \(event.detail))
                """, logger: self.logger)
        }
    }

    func updateProfile(_ profile: KakaoProfile, now: Int64) async throws -> Bool {
        var bindings = PostgresBindings(capacity: 7)
        bindings.append(profile.nickname)
        bindings.append(profile.email)
        bindings.append(profile.emailVerified)
        bindings.append(profile.profileImageURL)
        bindings.append(profile.thumbnailImageURL)
        bindings.append(now)
        bindings.append(profile.id)
        let query = PostgresQuery(unsafeSQL: Self.profileUpdateSQL, binds: bindings)
        return try await step {
            try await self.retryingDeadlocks { try await !self.client.query(query, logger: self.logger).decode(Int32.self).all().isEmpty }
        }
    }

    private static let profileUpdateSQL = UserUpsert.profileUpdate(values: "$1, $2, $3, $4, $5, $6", kakaoID: "$7") + " RETURNING 1"

    func requestErasure(userID: String, requestedAt: Int64) async throws {
        try await step {
            _ = try await self.client.query("UPDATE users SET erasure_requested_at = \(requestedAt) WHERE id = \(userID)", logger: self.logger)
        }
    }

    func withdrawErasureRequest(userID: String, requestedAt: Int64) async throws {
        try await step {
            _ = try await self.client.query(
                "UPDATE users SET erasure_requested_at = NULL WHERE id = \(userID) AND erasure_requested_at = \(requestedAt)", logger: self.logger)
        }
    }

    func pendingErasures(requestedAt: Int64, limit: Int) async throws -> [String] {
        try await step {
            try await self.client.query(
                "SELECT id FROM users WHERE erasure_requested_at <= \(requestedAt) LIMIT \(limit)", logger: self.logger
            ).decode(String.self).all()
        }
    }

    /// Every authenticated request asks: a statement prepared once per connection, so PostgreSQL plans it once.
    func activeUser(id userID: String, sessionID: String, now: Int64) async throws -> UserRecord? {
        try await step {
            try await self.prepared(ActiveUserStatement(userID: userID, sessionID: sessionID, now: now)).first
        }
    }

    func events(userID: String, limit: Int) async throws -> [AuditEvent] {
        try await step {
            let rows = try await self.client.query(
                """
                SELECT id, at, kind, user_id, session_id, client_ip, user_agent, detail FROM auth_events
                WHERE user_id = \(userID) ORDER BY at DESC, id DESC LIMIT \(limit)
                """, logger: self.logger)
            var events: [AuditEvent] = []
            for try await row in rows.decode((Int64, Int64, String, String?, String?, String?, String?, String?).self) {
                guard let kind = AuditEvent.Kind(rawValue: row.2) else { throw StoreError.unexpectedAnswer("unknown event kind") }
                var event = AuditEvent(
                    kind, at: row.1, userID: row.3, sessionID: row.4, origin: RequestOrigin(clientIP: row.5, userAgent: row.6), detail: row.7)
                event.id = row.0
                events.append(event)
            }
            return events
        }
    }

    func activeSessionCount(now: Int64) async throws -> Int {
        try await step {
            let counts = try await self.client.query(
                "SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL AND expires_at > \(now)", logger: self.logger
            ).decode(Int64.self).all()
            return Int(counts.first ?? 0)
        }
    }

    // MARK: Purging

    /// Each batch locks its rows with `SKIP LOCKED`, so replicas purging at the same moment share the work
    /// instead of waiting for each other. PostgreSQL gives the space back to the table through autovacuum
    /// (see README "Data we keep"), so no bytes are reported.
    func purge(now: Int64, auditRetention: Int64, batchSize: Int) async throws -> PurgeReport {
        var report = PurgeReport()
        (report.erasuresFinished, report.erasuresFailed) = try await finishInterruptedErasures(now: now)
        report.sessions = try await deleteInBatches(
            """
            DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at <= \(now) OR revoked_at <= \(now - 86_400)
                                              LIMIT \(batchSize) FOR UPDATE SKIP LOCKED) RETURNING 1
            """, batchSize: batchSize)
        report.refreshTokens = try await deleteInBatches(
            """
            DELETE FROM refresh_tokens WHERE jti IN (SELECT jti FROM refresh_tokens WHERE expires_at <= \(now) AND rotated_at IS NOT NULL
                                                     LIMIT \(batchSize) FOR UPDATE SKIP LOCKED) RETURNING 1
            """, batchSize: batchSize)
        report.usedCredentials = try await deleteInBatches(
            """
            DELETE FROM used_credentials WHERE credential_hash IN (SELECT credential_hash FROM used_credentials WHERE expires_at <= \(now)
                                                                   LIMIT \(batchSize) FOR UPDATE SKIP LOCKED) RETURNING 1
            """, batchSize: batchSize)
        // As in SQLite: events are written in time order, so the events older than the cutoff below the first
        // one kept for its age go; one dated more than a day ahead does not end the range.
        let cutoff = now - auditRetention
        let horizon = now + PurgeReport.plausibleClockSkew
        let firstKept = try await step {
            try await self.client.query(
                """
                SELECT COALESCE((SELECT id FROM auth_events WHERE at >= \(cutoff) AND at <= \(horizon) ORDER BY id LIMIT 1),
                                (SELECT COALESCE(MAX(id), 0) + 1 FROM auth_events))
                """, logger: self.logger
            ).decode(Int64.self).all().first ?? 0
        }
        report.auditEventsAhead = try await step {
            try await self.client.query(
                "SELECT COUNT(*) FROM auth_events WHERE id < \(firstKept) AND at > \(horizon)", logger: self.logger
            ).decode(Int64.self).all().first.map(Int.init) ?? 0
        }
        report.auditEvents = try await deleteInBatches(
            """
            DELETE FROM auth_events WHERE id IN (SELECT id FROM auth_events WHERE id < \(firstKept) AND at < \(cutoff) ORDER BY id
                                                 LIMIT \(batchSize) FOR UPDATE SKIP LOCKED) RETURNING 1
            """, batchSize: batchSize)
        return report
    }

    /// A prepared statement's rows, on a connection that is closed if the statement fails. postgres-nio keeps
    /// a failed preparation for the life of the connection and answers every later use with that error: a
    /// table locked past `lock_timeout` (`VACUUM (FULL)`, a migration) once left every pooled connection that
    /// prepared during the lock failing until PostgreSQL restarted. The pool replaces a closed connection,
    /// which prepares again; a statement that fails while executing costs one reconnection, and is rare.
    private func prepared<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row]
    where Statement.Row: Sendable {
        try await client.withConnection { connection in
            do {
                return try await connection.execute(statement, logger: self.logger).all()
            } catch {
                try? await connection.close()
                throw error
            }
        }
    }

    private func deleteInBatches(_ statement: PostgresQuery, batchSize: Int) async throws -> Int {
        var deleted = 0
        while true {
            let count = try await step { try await self.client.query(statement, logger: self.logger).decode(Int32.self).all().count }
            deleted += count
            guard count == batchSize else { return deleted }
        }
    }

    // MARK: Operations

    /// Runs the statement every authenticated request runs, prepared as they prepare it, so that ready means
    /// what requests need works (a `SELECT 1` answered while every prepared statement failed).
    func checkReadiness() async throws {
        try await step {
            _ = try await self.prepared(ActiveUserStatement(userID: "", sessionID: "", now: 0))
        }
    }

    /// Stops the pool this store runs itself; one the service group runs stops with the group.
    func close() async throws {
        running?.cancel()
    }

    /// A row of ``UserUpsert/columns``.
    static func user(_ row: PostgresRow) throws -> UserRecord {
        let columns = try row.decode((String, Int64, String?, String?, Bool, String?, String?, Int64, Int64, Int64, String, String).self)
        return try user(columns)
    }

    static func user(
        _ columns: (String, Int64, String?, String?, Bool, String?, String?, Int64, Int64, Int64, String, String)
    ) throws -> UserRecord {
        UserRecord(
            id: columns.0, kakaoID: columns.1, nickname: columns.2, email: columns.3, emailVerified: columns.4, profileImageURL: columns.5,
            thumbnailImageURL: columns.6, createdAt: columns.7, updatedAt: columns.8, lastLoginAt: columns.9,
            claims: try AccountClaims(stored: columns.10, columns.11))
    }

    private static func users(_ rows: PostgresRowSequence) async throws -> [UserRecord] {
        try await rows.map(user).all()
    }
}

extension AsyncSequence {
    /// Every element, in order.
    func all() async throws -> [Element] {
        var elements: [Element] = []
        for try await element in self { elements.append(element) }
        return elements
    }
}

import Foundation
import GRDB
import KakaoAuthTokens
import Logging

/// The embedded store: one SQLite file. One method per step of ``SessionStore``; callers never see SQL.
///
/// WAL mode through a `DatabasePool` (readers never wait for the writer), a busy timeout for the rare
/// contention with another process (the `migrate` command), and every write committed before its answer is
/// sent: each write is all or nothing (a savepoint of a ``GroupCommit``), so an acknowledged login, rotation
/// or revocation is on disk.
public final class SQLiteStore: SessionStore {
    /// `NORMAL` survives a killed process (committed transactions are in the WAL, which the OS keeps);
    /// `FULL` also survives power loss, at the cost of an fsync per commit (per group of writes).
    public enum Durability: String, Sendable, CaseIterable {
        case normal
        case full
    }

    let pool: DatabasePool
    private let activeUsers: ActiveUserReader
    let groupCommit: GroupCommit
    private let logTruncation: LogTruncation

    /// How long a statement waits for the database's lock: the one writer's turn, a reader leaving the log.
    static let busyTimeoutMilliseconds = 5_000

    public init(path: String, durability: Durability = .normal, logger: Logger = Logger(label: "kakao-auth")) throws {
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(TimeInterval(Self.busyTimeoutMilliseconds) / 1_000)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
            // Checkpoint at 40 MB of log rather than SQLite's 4 MB: every login and rotation rewrites the same
            // hot pages (index pages, the audit log's tail), and a longer log lets one checkpoint copy each
            // of them once instead of again and again. Measured with bench/run.py: about a sixth more
            // rotations per second (a checkpoint on a thread of its own gained nothing more). Durability
            // does not depend on it.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000")
            // Deleted and overwritten rows are zeroed, not left readable in free space (an erased user's
            // nickname, email, address). Measured with bench/run.py: see README "Data we keep".
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.enableIncrementalVacuum(pool)
        try Self.migrator.migrate(pool)
        // A process killed within a second of an erasure left the erased rows' earlier versions in the log:
        // empty it before serving (see LogTruncation).
        pool.writeWithoutTransaction { db in _ = try? db.checkpoint(.truncate) }
        activeUsers = ActiveUserReader(path: path)
        groupCommit = GroupCommit(writer: pool)
        logTruncation = LogTruncation(writer: pool, logger: logger)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in SQLiteMigrations.all {
            migrator.registerMigration(migration.name) { db in
                try db.execute(sql: String(decoding: migration.sql, as: UTF8.self))
            }
        }
        return migrator
    }

    /// Deleted rows give their space back only with auto-vacuum, which a database gets at its creation or from
    /// a `VACUUM` (switching to WAL has already created the file). So a new database, and one made before
    /// migration 0005, is rewritten once with incremental auto-vacuum; it cannot happen inside a migration's
    /// transaction. For an existing file that takes about as long as copying it, and needs that much free disk.
    private static func enableIncrementalVacuum(_ pool: DatabasePool) throws {
        try pool.writeWithoutTransaction { db in
            let incremental = 2
            guard try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") != incremental else { return }
            try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            try db.execute(sql: "VACUUM")
        }
    }

    func checkReadiness() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// One transaction. Concurrent first logins of one Kakao user meet in the `kakao_id` unique constraint's
    /// upsert and end with one user.
    func recordLogin(_ profile: KakaoProfile, opening session: NewSession, origin: RequestOrigin) async throws -> (user: UserRecord, isNewUser: Bool)
    {
        let now = session.createdAt
        // Asynchronous on purpose: a writer waiting for SQLite's one write lock must not hold one of the
        // few threads every other request runs on (measured: twice the throughput of a blocking write).
        let login = try await groupCommit.write { db -> (user: UserRecord, isNewUser: Bool)? in
            if let credential = session.consumes {
                try Self.insertUsedCredential(db, credential)
                guard db.changesCount == 1 else { throw LoginRefusal.idTokenReused }
            }
            guard
                let user = try UserRecord.fetchOne(
                    db.cachedStatement(sql: profile.keepsAbsentFields ? Self.upsertUserKeepingAbsentFields : Self.upsertUser),
                    arguments: [
                        session.newUserID, profile.id, profile.nickname, profile.email, profile.emailVerified,
                        profile.profileImageURL, profile.thumbnailImageURL, now, now, now, session.newUserRoles.storedText,
                    ])
            else {
                // The upsert changes no disabled user: record the refusal, and commit it (and the credential's use).
                try db.cachedStatement(sql: Self.refusedLoginSQL).execute(arguments: [now, origin.clientIP, origin.userAgent, profile.id])
                return nil
            }
            try SessionRecord(
                id: session.id, userID: user.id, createdAt: now, expiresAt: session.expiresAt,
                currentRefreshJTI: session.firstRefreshToken.jti, revokedAt: nil, revokedReason: nil,
                lastUsedAt: now, userAgent: origin.userAgent, clientIP: origin.clientIP
            ).insertPrepared(db)
            try session.firstRefreshToken.insertPrepared(db)
            let isNewUser = user.id == session.newUserID
            if isNewUser {
                try AuditEvent(.registration, at: now, userID: user.id, sessionID: nil, origin: origin, detail: "kakao_id=\(profile.id)")
                    .insertPrepared(db)
            }
            try AuditEvent(.login, at: now, userID: user.id, sessionID: session.id, origin: origin).insertPrepared(db)
            return (user, isNewUser)
        }
        guard let login else { throw LoginRefusal.accountDisabled }
        return login
    }

    private static let refusedLoginSQL = UserUpsert.refusedLogin(at: "?", clientIP: "?", userAgent: "?", kakaoID: "?")

    private static let upsertUser = UserUpsert.sql(values: "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?", keepingAbsentFields: false)
    private static let upsertUserKeepingAbsentFields = UserUpsert.sql(values: "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?", keepingAbsentFields: true)

    func recordRefusedLogin(_ kind: AuditEvent.Kind, origin: RequestOrigin, detail: String, now: Int64) async throws {
        try await groupCommit.write { db in
            try AuditEvent(kind, at: now, userID: nil, sessionID: nil, origin: origin, detail: detail).insertPrepared(db)
        }
    }

    /// Reading the session and changing it happen in one write transaction (SQLite has one writer), and a
    /// rotation is still a conditional update whose changed-row count is checked.
    func updateSession<Outcome: Sendable>(
        of presented: PresentedRefreshToken, origin: RequestOrigin, now: Int64,
        _ decide: @escaping @Sendable (StoredSessionState?) -> (SessionChange, Outcome)
    ) async throws -> Outcome? {
        try await groupCommit.write { db in
            let (change, outcome) = decide(try Self.storedSessionState(db, of: presented))
            switch change {
            case .none:
                break
            case .rotate(let successor):
                // The decision point: only the transaction that moves the session off the presented token
                // may issue its successor.
                try db.cachedStatement(
                    sql:
                        "UPDATE sessions SET current_refresh_jti = ?, last_used_at = ? WHERE id = ? AND current_refresh_jti = ? AND revoked_at IS NULL"
                ).execute(arguments: [successor.jti, now, presented.sessionID, presented.jti])
                guard db.changesCount == 1 else { return nil }
                try db.cachedStatement(sql: "UPDATE refresh_tokens SET rotated_at = ? WHERE jti = ?").execute(arguments: [now, presented.jti])
                try successor.insertPrepared(db)
                try AuditEvent(.refresh, at: now, userID: presented.userID, sessionID: presented.sessionID, origin: origin).insertPrepared(db)
            case .record(let event, let attachedToUser):
                try AuditEvent(event, at: now, userID: attachedToUser ? presented.userID : nil, sessionID: presented.sessionID, origin: origin)
                    .insertPrepared(db)
            case .revoke(.session, let reason, let event, let detail):
                try db.cachedStatement(sql: "UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE revoked_at IS NULL AND id = ?")
                    .execute(arguments: [now, reason, presented.sessionID])
                try AuditEvent(event, at: now, userID: presented.userID, sessionID: presented.sessionID, origin: origin, detail: detail)
                    .insertPrepared(db)
            case .revoke(.allOfUser, let reason, let event, _):
                try db.cachedStatement(sql: "UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE revoked_at IS NULL AND user_id = ?")
                    .execute(arguments: [now, reason, presented.userID])
                try AuditEvent(event, at: now, userID: presented.userID, sessionID: nil, origin: origin, detail: "\(db.changesCount) sessions")
                    .insertPrepared(db)
            }
            return outcome
        }
    }

    /// The presented token's session and that session's current token, in one lookup; nil when either the
    /// session or the presented token is unknown.
    private static let sessionStateSQL = SessionQueries.sessionState(presentedJTI: "?", sessionID: "?")

    private static func storedSessionState(_ db: Database, of presented: PresentedRefreshToken) throws -> StoredSessionState? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: Self.sessionStateSQL), arguments: [presented.jti, presented.sessionID])
        else { return nil }
        return StoredSessionState(
            sessionUserID: row[0], sessionExpiresAt: row[1], sessionRevokedAt: row[2], presentedTokenSessionID: row[3],
            presentedTokenRotatedAt: row[4],
            current: RefreshTokenRecord(jti: row[5], sessionID: row[6], parentJTI: row[7], issuedAt: row[8], expiresAt: row[9], rotatedAt: row[10]),
            claims: try AccountClaims(stored: row[11], row[12]))
    }

    /// One transaction; then the write-ahead log is truncated (see ``LogTruncation``).
    func eraseUser(_ selector: UserSelector, event: AuditEvent.Kind, detail: String?, now: Int64) async throws -> UserRecord? {
        let erased = try await groupCommit.write { db -> UserRecord? in
            let user: UserRecord?
            switch selector {
            case .id(let id): user = try UserRecord.fetchOne(db, key: id)
            case .kakaoID(let kakaoID): user = try UserRecord.filter(Column("kakao_id") == kakaoID).fetchOne(db)
            }
            guard let user else { return nil }
            try user.delete(db)
            try db.execute(sql: "UPDATE auth_events SET client_ip = NULL, user_agent = NULL, detail = NULL WHERE user_id = ?", arguments: [user.id])
            try AuditEvent(event, at: now, userID: user.id, sessionID: nil, origin: .erased, detail: detail).insertPrepared(db)
            return user
        }
        if erased != nil { logTruncation.schedule() }
        return erased
    }

    /// Only a SHA-256 of the credential is kept, until `expiresAt`.
    func consumeSingleUse(_ credential: String, expiresAt: Int64) async throws -> Bool {
        try await groupCommit.write { db in
            try Self.insertUsedCredential(db, SingleUseCredential(credential: credential, expiresAt: expiresAt))
            return db.changesCount == 1
        }
    }

    func isUsed(_ credential: String) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM used_credentials WHERE credential_hash = ?)", arguments: [Data(OpenSSL.sha256(credential))])
                ?? false
        }
    }

    func rememberSignal(_ jti: SingleUseCredential, recording event: AuditEvent?) async throws {
        try await groupCommit.write { db in
            try Self.insertUsedCredential(db, jti)
            try event?.insertPrepared(db)
        }
    }

    func updateProfile(_ profile: KakaoProfile, now: Int64) async throws -> Bool {
        try await groupCommit.write { db in
            try db.execute(
                sql: UserUpsert.profileUpdate(values: "?, ?, ?, ?, ?, ?", kakaoID: "?"),
                arguments: [
                    profile.nickname, profile.email, profile.emailVerified, profile.profileImageURL, profile.thumbnailImageURL, now, profile.id,
                ])
            return db.changesCount == 1
        }
    }

    /// Records the credential's SHA-256 unless it is there already (`changesCount` then says 0).
    private static func insertUsedCredential(_ db: Database, _ credential: SingleUseCredential) throws {
        try db.cachedStatement(sql: "INSERT INTO used_credentials (credential_hash, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .execute(arguments: [Data(OpenSSL.sha256(credential.credential)), credential.expiresAt])
    }

    func requestErasure(userID: String, requestedAt: Int64) async throws {
        try await groupCommit.write { db in
            try db.execute(sql: "UPDATE users SET erasure_requested_at = ? WHERE id = ?", arguments: [requestedAt, userID])
        }
    }

    func withdrawErasureRequest(userID: String, requestedAt: Int64) async throws {
        try await groupCommit.write { db in
            try db.execute(
                sql: "UPDATE users SET erasure_requested_at = NULL WHERE id = ? AND erasure_requested_at = ?", arguments: [userID, requestedAt])
        }
    }

    func pendingErasures(requestedAt: Int64, limit: Int) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM users WHERE erasure_requested_at <= ? LIMIT ?", arguments: [requestedAt, limit])
        }
    }

    public func events(userID: String, limit: Int) async throws -> [AuditEvent] {
        try await pool.read { db in
            try AuditEvent.filter(Column("user_id") == userID).order(Column("at").desc, Column("id").desc).limit(limit).fetchAll(db)
        }
    }

    func activeSessionCount(now: Int64) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL AND expires_at > ?", arguments: [now]) ?? 0
        }
    }

    /// Deletes what can never be used again: sessions that ended or were revoked more than a day ago (with
    /// their refresh tokens), expired refresh tokens that are no longer their session's current one
    /// (rotated tokens stay until they expire, so that their reuse is still recognised), used login states
    /// and id_tokens past their expiry (their cookie can no longer be opened, the token no longer verifies), and audit events older than
    /// `auditRetention` seconds. Works in small batches, each its own short transaction, so logins never wait
    /// long behind it. Then gives the freed pages back to the file system (incremental auto-vacuum, in
    /// batches too) and truncates the write-ahead log, so that the file shrinks on disk.
    public func purge(now: Int64, auditRetention: Int64, batchSize: Int = PurgeReport.batchSize) async throws -> PurgeReport {
        var report = PurgeReport()
        (report.erasuresFinished, report.erasuresFailed) = try await finishInterruptedErasures(now: now)
        report.sessions = try await deleteInBatches(
            "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at <= ? OR revoked_at <= ? LIMIT ?)",
            [now, now - 86_400], batchSize: batchSize)
        report.refreshTokens = try await deleteInBatches(
            "DELETE FROM refresh_tokens WHERE jti IN (SELECT jti FROM refresh_tokens WHERE expires_at <= ? AND rotated_at IS NOT NULL LIMIT ?)",
            [now], batchSize: batchSize)
        report.usedCredentials = try await deleteInBatches(
            "DELETE FROM used_credentials WHERE credential_hash IN (SELECT credential_hash FROM used_credentials WHERE expires_at <= ? LIMIT ?)",
            [now], batchSize: batchSize)
        // Events are written in time order, so the old ones are the lowest ids: find the first event kept for
        // its age (reading only the old ones, without an index on `at` that every write would pay for), and
        // delete the events older than the cutoff below it. One dated far ahead (a clock that stepped forward
        // once) does not end the range: it is kept until its date, and the events after it go on being purged.
        // An event written under a clock that stepped back waits for the first kept event before it.
        let cutoff = now - auditRetention
        let horizon = now + PurgeReport.plausibleClockSkew
        let (firstKept, ahead) = try await pool.read { db in
            let firstKept =
                try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT COALESCE((SELECT id FROM auth_events WHERE at >= ? AND at <= ? ORDER BY id LIMIT 1),
                                        (SELECT COALESCE(MAX(id), 0) + 1 FROM auth_events))
                        """, arguments: [cutoff, horizon]) ?? 0
            let ahead = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM auth_events WHERE id < ? AND at > ?", arguments: [firstKept, horizon]) ?? 0
            return (firstKept, ahead)
        }
        report.auditEventsAhead = ahead
        report.auditEvents = try await deleteInBatches(
            "DELETE FROM auth_events WHERE id IN (SELECT id FROM auth_events WHERE id < ? AND at < ? ORDER BY id LIMIT ?)",
            [firstKept, cutoff], batchSize: batchSize)
        report.bytesReturned = try await returnFreePages()
        return report
    }

    /// Runs `statement` (whose last argument is the batch size) until a batch deletes fewer rows than that.
    private func deleteInBatches(_ statement: String, _ arguments: StatementArguments, batchSize: Int) async throws -> Int {
        var deleted = 0
        while true {
            let count = try await pool.write { db in
                try db.execute(sql: statement, arguments: arguments + [batchSize])
                return db.changesCount
            }
            deleted += count
            guard count == batchSize else { return deleted }
            await Task.yield()
        }
    }

    /// Moves the free pages to the end of the file and cuts them off, 1,000 pages (4 MB) a transaction so
    /// that writers wait at most a few milliseconds; then a truncating checkpoint makes the file itself (and
    /// the write-ahead log) shrink. Returns how many bytes the database gave back.
    private func returnFreePages() async throws -> Int64 {
        func size(_ db: Database) throws -> (pages: Int64, pageSize: Int64) {
            (try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0, try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0)
        }
        let before = try pool.read(size)
        var freePages = Int.max
        while freePages > 0 {
            let left = try await pool.write { db in
                try db.execute(sql: "PRAGMA incremental_vacuum(1000)")
                return try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            }
            guard left < freePages else { break }  // nothing more to give back
            freePages = left
            await Task.yield()
        }
        await logTruncation.truncate()
        let after = try pool.read(size)
        return (before.pages - after.pages) * before.pageSize
    }

    /// Closes every connection; called once the server has stopped, and by the commands before they exit.
    /// The last connection to close copies the write-ahead log into the file and deletes it.
    public func close() throws {
        logTruncation.close()
        activeUsers.close()
        try pool.close()
    }

    /// Synchronous, on the caller's thread (see ``ActiveUserReader``).
    /// On the caller's thread, unless the database is locked for more than a few milliseconds: then on the
    /// pool's, which may wait (see ``ActiveUserReader``).
    func activeUser(id userID: String, sessionID: String, now: Int64) async throws -> UserRecord? {
        do {
            return try activeUsers.activeUser(id: userID, sessionID: sessionID, now: now)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            return try await pool.read { db in
                try UserRecord.fetchOne(db, sql: ActiveUserReader.sql, arguments: [userID, sessionID, now])
            }
        }
    }
}

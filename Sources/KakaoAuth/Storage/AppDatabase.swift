import Foundation
import GRDB

/// The service's SQLite database: one method per read or write the service needs; callers never see SQL.
///
/// WAL mode through a `DatabasePool` (readers never wait for the writer), a busy timeout for the rare
/// contention with another process (the `migrate` command), and every write committed before its answer is
/// sent: each write is all or nothing (a savepoint of a ``GroupCommit``), so an acknowledged login, rotation
/// or revocation is on disk.
public final class AppDatabase: Sendable {
    /// `NORMAL` survives a killed process (committed transactions are in the WAL, which the OS keeps);
    /// `FULL` also survives power loss, at the cost of an fsync per commit (per group of writes).
    public enum Durability: String, Sendable, CaseIterable {
        case normal
        case full
    }

    private let pool: DatabasePool
    private let activeUsers: ActiveUserReader
    private let groupCommit: GroupCommit
    private let logTruncation: LogTruncation

    public init(path: String, durability: Durability = .normal) throws {
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(5)
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
        activeUsers = ActiveUserReader(path: path)
        groupCommit = GroupCommit(writer: pool)
        logTruncation = LogTruncation(writer: pool)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in Migrations.all {
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

    /// Answers when the database can be read.
    func checkReadiness() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// Registers the Kakao user on first sight or refreshes their profile, and opens a new session with its
    /// first refresh token, all in one transaction. Concurrent first logins of one Kakao user meet in the
    /// `kakao_id` unique constraint's upsert and end with one user.
    func recordLogin(_ profile: KakaoProfile, policy: SessionPolicy, origin: RequestOrigin, now: Int64) async throws -> (user: UserRecord, isNewUser: Bool, grant: SessionGrant) {
        let newUserID = RandomID.make()
        // Asynchronous on purpose: a writer waiting for SQLite's one write lock must not hold one of the
        // few threads every other request runs on (measured: twice the throughput of a blocking write).
        return try await groupCommit.write { db in
            guard let user = try UserRecord.fetchOne(db.cachedStatement(sql: profile.keepsAbsentFields ? Self.upsertUserKeepingAbsentFields : Self.upsertUser), arguments: [
                    newUserID, profile.id, profile.nickname, profile.email, profile.emailVerified,
                    profile.profileImageURL, profile.thumbnailImageURL, now, now, now,
                ])
            else { throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "upsert returned no user") }

            let sessionID = RandomID.makeTimeOrdered()
            let sessionExpiresAt = now + policy.sessionLifetime
            let refreshToken = RefreshTokenRecord(
                jti: RandomID.makeTimeOrdered(), sessionID: sessionID, parentJTI: nil, issuedAt: now,
                expiresAt: min(now + policy.refreshTokenLifetime, sessionExpiresAt), rotatedAt: nil)
            try SessionRecord(
                id: sessionID, userID: user.id, createdAt: now, expiresAt: sessionExpiresAt,
                currentRefreshJTI: refreshToken.jti, revokedAt: nil, revokedReason: nil
            ).insertPrepared(db)
            try refreshToken.insertPrepared(db)
            let isNewUser = user.id == newUserID
            if isNewUser {
                try AuditEvent(.registration, at: now, userID: user.id, sessionID: nil, origin: origin, detail: "kakao_id=\(profile.id)").insertPrepared(db)
            }
            try AuditEvent(.login, at: now, userID: user.id, sessionID: sessionID, origin: origin).insertPrepared(db)
            let grant = SessionGrant(userID: user.id, sessionID: sessionID, sessionExpiresAt: sessionExpiresAt, refreshToken: refreshToken)
            return (user, isNewUser, grant)
        }
    }

    private static let upsertUser = upsertUserSQL(keepingAbsentFields: false)
    private static let upsertUserKeepingAbsentFields = upsertUserSQL(keepingAbsentFields: true)

    /// Registers or updates a user. A profile that tells only part of the truth (an id_token) leaves the
    /// fields it does not carry as they are; `/v2/user/me` tells all, so its absent fields clear ours.
    private static func upsertUserSQL(keepingAbsentFields: Bool) -> String {
        func value(_ column: String) -> String {
            keepingAbsentFields ? "COALESCE(excluded.\(column), \(column))" : "excluded.\(column)"
        }
        // email_verified belongs to the email: kept with it, replaced with it.
        let emailVerified = keepingAbsentFields
            ? "CASE WHEN excluded.email IS NULL THEN email_verified ELSE excluded.email_verified END" : "excluded.email_verified"
        return """
            INSERT INTO users (id, kakao_id, nickname, email, email_verified, profile_image_url,
                               thumbnail_image_url, created_at, updated_at, last_login_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (kakao_id) DO UPDATE SET
                updated_at = CASE WHEN nickname IS NOT \(value("nickname")) OR email IS NOT \(value("email"))
                                    OR email_verified IS NOT \(emailVerified)
                                    OR profile_image_url IS NOT \(value("profile_image_url"))
                                    OR thumbnail_image_url IS NOT \(value("thumbnail_image_url"))
                                  THEN excluded.updated_at ELSE updated_at END,
                nickname = \(value("nickname")),
                email = \(value("email")),
                email_verified = \(emailVerified),
                profile_image_url = \(value("profile_image_url")),
                thumbnail_image_url = \(value("thumbnail_image_url")),
                last_login_at = excluded.last_login_at
            RETURNING *
            """
    }

    /// Records a login refused for a reason security review wants to see (a Kakao token issued to
    /// another app), with no user of ours to attach it to.
    func recordRefusedLogin(_ kind: AuditEvent.Kind, origin: RequestOrigin, detail: String, now: Int64) async throws {
        try await groupCommit.write { db in
            try AuditEvent(kind, at: now, userID: nil, sessionID: nil, origin: origin, detail: detail).insertPrepared(db)
        }
    }

    /// Applies the rotation policy to a validly signed refresh token (see ``RefreshOutcome``). Reading the
    /// session and rotating it happen in one write transaction, and the rotation itself is a conditional
    /// update whose changed-row count is checked, so two concurrent refreshes cannot both rotate one token.
    func rotateRefreshToken(_ presented: PresentedRefreshToken, policy: SessionPolicy, origin: RequestOrigin, now: Int64) async throws -> RefreshOutcome {
        let successorJTI = RandomID.makeTimeOrdered()
        return try await groupCommit.write { db in
            guard let stored = try Self.storedSessionState(db, of: presented) else { return .invalid }
            switch policy.standing(of: presented, stored: stored, now: now) {
            case .dead:
                return .invalid
            case .justReplaced:
                return .granted(SessionGrant(
                    userID: presented.userID, sessionID: presented.sessionID, sessionExpiresAt: stored.sessionExpiresAt, refreshToken: stored.current))
            case .reused:
                try Self.revokeForReuse(db, presented, origin: origin, now: now)
                return .reuseDetected
            case .current:
                let sessionExpiresAt = stored.sessionExpiresAt
                // The decision point: only the transaction that moves the session off the presented token
                // may issue its successor.
                try db.cachedStatement(
                    sql: "UPDATE sessions SET current_refresh_jti = ? WHERE id = ? AND current_refresh_jti = ? AND revoked_at IS NULL"
                ).execute(arguments: [successorJTI, presented.sessionID, presented.jti])
                guard db.changesCount == 1 else { return .invalid }
                try db.cachedStatement(sql: "UPDATE refresh_tokens SET rotated_at = ? WHERE jti = ?").execute(arguments: [now, presented.jti])
                let successor = RefreshTokenRecord(
                    jti: successorJTI, sessionID: presented.sessionID, parentJTI: presented.jti, issuedAt: now,
                    expiresAt: min(now + policy.refreshTokenLifetime, sessionExpiresAt), rotatedAt: nil)
                try successor.insertPrepared(db)
                try AuditEvent(.refresh, at: now, userID: presented.userID, sessionID: presented.sessionID, origin: origin).insertPrepared(db)
                return .granted(SessionGrant(userID: presented.userID, sessionID: presented.sessionID, sessionExpiresAt: sessionExpiresAt, refreshToken: successor))
            }
        }
    }

    /// Logs out with a refresh token, judged exactly as refresh judges it: the current token (or the one it
    /// just replaced, within the reuse interval) ends its session, or with `allSessions` every session of
    /// the user; an older token is reuse and revokes its own session only; a dead token changes nothing.
    func logOut(_ presented: PresentedRefreshToken, allSessions: Bool, policy: SessionPolicy, origin: RequestOrigin, now: Int64) async throws -> LogoutOutcome {
        try await groupCommit.write { db in
            switch policy.standing(of: presented, stored: try Self.storedSessionState(db, of: presented), now: now) {
            case .dead:
                return .invalid
            case .reused:
                try Self.revokeForReuse(db, presented, origin: origin, now: now)
                return .reuseDetected
            case .current, .justReplaced:
                if allSessions {
                    let revoked = try Self.revokeSessions(db, sql: "user_id = ?", arguments: [presented.userID], reason: "logout_all", now: now)
                    try AuditEvent(.logoutAll, at: now, userID: presented.userID, sessionID: nil, origin: origin, detail: "\(revoked) sessions").insertPrepared(db)
                } else {
                    try Self.revokeSessions(db, sql: "id = ?", arguments: [presented.sessionID], reason: "logout", now: now)
                    try AuditEvent(.logout, at: now, userID: presented.userID, sessionID: presented.sessionID, origin: origin).insertPrepared(db)
                }
                return .loggedOut
            }
        }
    }

    /// The presented token's session and that session's current token, in one lookup; nil when either the
    /// session or the presented token is unknown.
    private static func storedSessionState(_ db: Database, of presented: PresentedRefreshToken) throws -> StoredSessionState? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT sessions.user_id, sessions.expires_at, sessions.revoked_at, presented.session_id, presented.rotated_at,
                       current.jti, current.session_id, current.parent_jti, current.issued_at, current.expires_at, current.rotated_at
                FROM sessions
                JOIN refresh_tokens AS presented ON presented.jti = ?
                JOIN refresh_tokens AS current ON current.jti = sessions.current_refresh_jti
                WHERE sessions.id = ?
                """), arguments: [presented.jti, presented.sessionID])
        else { return nil }
        return StoredSessionState(
            sessionUserID: row[0], sessionExpiresAt: row[1], sessionRevokedAt: row[2], presentedTokenSessionID: row[3], presentedTokenRotatedAt: row[4],
            current: RefreshTokenRecord(jti: row[5], sessionID: row[6], parentJTI: row[7], issuedAt: row[8], expiresAt: row[9], rotatedAt: row[10]))
    }

    private static func revokeForReuse(_ db: Database, _ presented: PresentedRefreshToken, origin: RequestOrigin, now: Int64) throws {
        try revokeSessions(db, sql: "id = ?", arguments: [presented.sessionID], reason: "refresh_token_reused", now: now)
        try AuditEvent(.refreshReuseDetected, at: now, userID: presented.userID, sessionID: presented.sessionID, origin: origin, detail: "session revoked").insertPrepared(db)
    }

    /// Erases the user: deletes their row (profile and Kakao id) with every session and refresh token, and
    /// strips their audit events of everything that could name them (address, user agent, detail), keeping
    /// the kind, the time and the opaque ids until the audit retention ends. The erasure is recorded as `event`
    /// (`unlink` or `webhook_unlink`) in the same terms, with a `detail` that must not name the user. Returns
    /// the erased user, or nil when there was none.
    @discardableResult
    func eraseUser(_ selector: UserSelector, event: AuditEvent.Kind, now: Int64, detail: String? = nil) async throws -> UserRecord? {
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

    /// Records that a server-side flow's state had its callback. Returns false when it already had one:
    /// the caller must then refuse the callback without calling Kakao. Kept until `expiresAt`.
    func consumeLoginState(_ state: String, expiresAt: Int64) async throws -> Bool {
        try await groupCommit.write { db in
            try db.cachedStatement(sql: "INSERT INTO used_login_states (state_hash, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .execute(arguments: [Data(OpenSSL.sha256(state)), expiresAt])
            return db.changesCount == 1
        }
    }

    enum UserSelector: Sendable {
        case id(String)
        case kakaoID(Int64)
    }

    @discardableResult
    private static func revokeSessions(_ db: Database, sql condition: String, arguments: StatementArguments, reason: String, now: Int64) throws -> Int {
        try db.execute(
            sql: "UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE revoked_at IS NULL AND \(condition)",
            arguments: [now, reason] + arguments)
        return db.changesCount
    }

    /// The user's audit events, newest first.
    public func events(userID: String, limit: Int) async throws -> [AuditEvent] {
        try await pool.read { db in
            try AuditEvent.filter(Column("user_id") == userID).order(Column("at").desc, Column("id").desc).limit(limit).fetchAll(db)
        }
    }

    /// Live sessions: not revoked and not over.
    func activeSessionCount(now: Int64) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL AND expires_at > ?", arguments: [now]) ?? 0
        }
    }

    /// Deletes what can never be used again: sessions that ended or were revoked more than a day ago (with
    /// their refresh tokens), expired refresh tokens that are no longer their session's current one
    /// (rotated tokens stay until they expire, so that their reuse is still recognised), used login states
    /// past their expiry (their cookie can no longer be opened), and audit events older than
    /// `auditRetention` seconds. Works in small batches, each its own short transaction, so logins never wait
    /// long behind it. Then gives the freed pages back to the file system (incremental auto-vacuum, in
    /// batches too) and truncates the write-ahead log, so that the file shrinks on disk.
    public func purge(now: Int64, auditRetention: Int64, batchSize: Int = 500) async throws -> PurgeReport {
        var report = PurgeReport()
        report.sessions = try await deleteInBatches(
            "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at <= ? OR revoked_at <= ? LIMIT ?)",
            [now, now - 86_400], batchSize: batchSize)
        report.refreshTokens = try await deleteInBatches(
            "DELETE FROM refresh_tokens WHERE jti IN (SELECT jti FROM refresh_tokens WHERE expires_at <= ? AND rotated_at IS NOT NULL LIMIT ?)",
            [now], batchSize: batchSize)
        report.loginStates = try await deleteInBatches(
            "DELETE FROM used_login_states WHERE state_hash IN (SELECT state_hash FROM used_login_states WHERE expires_at <= ? LIMIT ?)",
            [now], batchSize: batchSize)
        // Events are written in time order, so the old ones are the lowest ids: find the first event still
        // kept (reading only the old ones, without an index on `at` that every write would pay for) and delete
        // below it. An event written under a clock that stepped back waits for the first kept event before it.
        let firstKept = try await pool.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT COALESCE((SELECT id FROM auth_events WHERE at >= ? ORDER BY id LIMIT 1),
                                (SELECT COALESCE(MAX(id), 0) + 1 FROM auth_events))
                """, arguments: [now - auditRetention]) ?? 0
        }
        report.auditEvents = try await deleteInBatches(
            "DELETE FROM auth_events WHERE id IN (SELECT id FROM auth_events WHERE id < ? ORDER BY id LIMIT ?)",
            [firstKept], batchSize: batchSize)
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
        let before = try await pool.read(size)
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
        let after = try await pool.read(size)
        return (before.pages - after.pages) * before.pageSize
    }

    /// Closes every connection; called once the server has stopped, and by the commands before they exit.
    /// The last connection to close copies the write-ahead log into the file and deletes it.
    public func close() throws {
        logTruncation.close()
        activeUsers.close()
        try pool.close()
    }

    /// The user of a live session: nil when the session is revoked, over, or not the user's, or the user is gone.
    /// Every authenticated request makes this read, synchronously (see ``ActiveUserReader``).
    func activeUser(id userID: String, sessionID: String, now: Int64) throws -> UserRecord? {
        try activeUsers.activeUser(id: userID, sessionID: sessionID, now: now)
    }
}

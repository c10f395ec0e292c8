import GRDB

/// ``AdministrationStore`` on SQLite: reads through the pool, each change one write of the group commit.
extension SQLiteStore {
    func findUsers(_ search: UserSearch, now: Int64) async throws -> [AccountView] {
        let query = AdministrationQueries.findUsers(search, now: now, dialect: .sqlite)
        return try await pool.read { db in try Self.accountViews(db, query) }
    }

    func account(id userID: String, now: Int64) async throws -> AccountView? {
        try await pool.read { db in try Self.account(db, id: userID, now: now) }
    }

    func liveSessions(userID: String, now: Int64) async throws -> [SessionView] {
        let query = AdministrationQueries.liveSessions(userID: userID, now: now, dialect: .sqlite)
        return try await pool.read { db in
            try Row.fetchAll(db, sql: query.sql, arguments: query.statementArguments).map { row in
                SessionView(id: row[0], createdAt: row[1], lastUsedAt: row[2], expiresAt: row[3], userAgent: row[4], clientIP: row[5])
            }
        }
    }

    func disable(userID: String, _ disable: AccountDisable, origin: RequestOrigin, now: Int64) async throws -> AccountView? {
        try await groupCommit.write { db in
            guard let account = try Self.account(db, id: userID, now: now) else { return nil }
            guard account.disable?.replaceable(by: disable.by) ?? true else { return account }
            try db.execute(
                sql: "UPDATE users SET disabled_at = ?, disabled_reason = ?, disabled_by = ? WHERE id = ?",
                arguments: [disable.at, disable.reason, disable.by.label, userID])
            try db.execute(
                sql: "UPDATE sessions SET revoked_at = ?, revoked_reason = 'account_disabled' WHERE user_id = ? AND revoked_at IS NULL",
                arguments: [now, userID])
            try AuditEvent(
                .accountDisabled, at: now, userID: userID, sessionID: nil, origin: origin,
                detail: "\(disable.by.auditName), \(account.liveSessions) sessions revoked"
            ).insertPrepared(db)
            return try Self.account(db, id: userID, now: now)
        }
    }

    func enable(userID: String, by actor: AccountActor, onlyIfDisabledBy: AccountActor?, origin: RequestOrigin, now: Int64) async throws
        -> AccountView?
    {
        try await groupCommit.write { db in
            guard let account = try Self.account(db, id: userID, now: now) else { return nil }
            guard let disable = account.disable, onlyIfDisabledBy.map({ $0 == disable.by }) ?? true else { return account }
            try db.execute(sql: "UPDATE users SET disabled_at = NULL, disabled_reason = NULL, disabled_by = NULL WHERE id = ?", arguments: [userID])
            try AuditEvent(.accountEnabled, at: now, userID: userID, sessionID: nil, origin: origin, detail: actor.auditName).insertPrepared(db)
            return try Self.account(db, id: userID, now: now)
        }
    }

    func change(userID: String, _ change: AccountClaimChange, by actor: AccountActor, origin: RequestOrigin, now: Int64) async throws -> AccountView?
    {
        try await groupCommit.write { db in
            let column = change.column
            try db.execute(sql: "UPDATE users SET \(column.name) = ? WHERE id = ?", arguments: [column.text, userID])
            guard db.changesCount == 1 else { return nil }
            try AuditEvent(change.event, at: now, userID: userID, sessionID: nil, origin: origin, detail: change.auditDetail(by: actor))
                .insertPrepared(db)
            return try Self.account(db, id: userID, now: now)
        }
    }

    func revokeSessions(
        userID: String, keeping: String?, openedAtOrBefore: Int64?, reason: String, detail: String, origin: RequestOrigin, now: Int64
    ) async throws -> Int {
        try await groupCommit.write { db in
            try db.execute(
                sql: """
                    UPDATE sessions SET revoked_at = ?, revoked_reason = ?
                    WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? AND id IS NOT ? AND created_at <= ?
                    """, arguments: [now, reason, userID, now, keeping, openedAtOrBefore ?? Int64.max])
            let revoked = db.changesCount
            if revoked > 0 {
                try AuditEvent(
                    .sessionsRevoked, at: now, userID: userID, sessionID: keeping, origin: origin, detail: "\(detail), \(revoked) sessions"
                )
                .insertPrepared(db)
            }
            return revoked
        }
    }

    func revokeSession(userID: String, sessionID: String, reason: String, detail: String, origin: RequestOrigin, now: Int64) async throws -> Bool {
        try await groupCommit.write { db in
            try db.execute(
                sql: "UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ?",
                arguments: [now, reason, sessionID, userID, now])
            guard db.changesCount == 1 else { return false }
            try AuditEvent(.sessionRevoked, at: now, userID: userID, sessionID: sessionID, origin: origin, detail: detail).insertPrepared(db)
            return true
        }
    }

    private static func account(_ db: Database, id userID: String, now: Int64) throws -> AccountView? {
        try accountViews(db, AdministrationQueries.account(id: userID, now: now, dialect: .sqlite)).first
    }

    private static func accountViews(_ db: Database, _ query: SQLQuery) throws -> [AccountView] {
        try Row.fetchAll(db, sql: query.sql, arguments: query.statementArguments).map { row in
            AccountView(
                user: try UserRecord(row: row),
                disable: try AdministrationQueries.disable(at: row["disabled_at"], reason: row["disabled_reason"], by: row["disabled_by"]),
                liveSessions: row[15])
        }
    }
}

extension SQLQuery {
    var statementArguments: StatementArguments {
        StatementArguments(
            arguments.map { argument -> any DatabaseValueConvertible in
                switch argument {
                case .text(let text): text
                case .integer(let number): number
                }
            })
    }
}

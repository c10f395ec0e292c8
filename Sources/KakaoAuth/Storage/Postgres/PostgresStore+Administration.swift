import PostgresNIO

/// ``AdministrationStore`` on PostgreSQL: each read one statement, each change one transaction that locks
/// the user's row first, so that a disable and a login (whose upsert locks the same row) never interleave.
extension PostgresStore {
    func findUsers(_ search: UserSearch, now: Int64) async throws -> [AccountView] {
        let query = AdministrationQueries.findUsers(search, now: now, dialect: .postgres)
        return try await step { try await Self.accountViews(self.client.query(query.postgresQuery, logger: self.logger)) }
    }

    func account(id userID: String, now: Int64) async throws -> AccountView? {
        try await step { try await self.client.withConnection { try await Self.account(on: $0, id: userID, now: now, logger: self.logger) } }
    }

    func liveSessions(userID: String, now: Int64) async throws -> [SessionView] {
        let query = AdministrationQueries.liveSessions(userID: userID, now: now, dialect: .postgres)
        return try await step {
            try await self.client.query(query.postgresQuery, logger: self.logger)
                .decode((String, Int64, Int64, Int64, String?, String?).self)
                .map { SessionView(id: $0.0, createdAt: $0.1, lastUsedAt: $0.2, expiresAt: $0.3, userAgent: $0.4, clientIP: $0.5) }
                .all()
        }
    }

    func disable(userID: String, _ disable: AccountDisable, origin: RequestOrigin, now: Int64) async throws -> AccountView? {
        try await changingAccount(userID, now: now) { connection, account in
            guard account.disable?.replaceable(by: disable.by) ?? true else { return }
            try await connection.query(
                """
                UPDATE users SET disabled_at = \(disable.at), disabled_reason = \(disable.reason), disabled_by = \(disable.by.label) WHERE id = \(userID)
                """, logger: self.logger)
            try await connection.query(
                "UPDATE sessions SET revoked_at = \(now), revoked_reason = 'account_disabled' WHERE user_id = \(userID) AND revoked_at IS NULL",
                logger: self.logger)
            try await Self.record(
                .accountDisabled, on: connection, userID: userID, sessionID: nil, origin: origin,
                detail: "\(disable.by.auditName), \(account.liveSessions) sessions revoked", now: now, logger: self.logger)
        }
    }

    func enable(userID: String, by actor: AccountActor, onlyIfDisabledBy: AccountActor?, origin: RequestOrigin, now: Int64) async throws
        -> AccountView?
    {
        try await changingAccount(userID, now: now) { connection, account in
            guard let disable = account.disable, onlyIfDisabledBy.map({ $0 == disable.by }) ?? true else { return }
            try await connection.query(
                "UPDATE users SET disabled_at = NULL, disabled_reason = NULL, disabled_by = NULL WHERE id = \(userID)", logger: self.logger)
            try await Self.record(
                .accountEnabled, on: connection, userID: userID, sessionID: nil, origin: origin, detail: actor.auditName, now: now,
                logger: self.logger)
        }
    }

    func change(userID: String, _ change: AccountClaimChange, by actor: AccountActor, origin: RequestOrigin, now: Int64) async throws -> AccountView?
    {
        try await changingAccount(userID, now: now) { connection, _ in
            let column = change.column
            try await connection.query("UPDATE users SET \(unescaped: column.name) = \(column.text) WHERE id = \(userID)", logger: self.logger)
            try await Self.record(
                change.event, on: connection, userID: userID, sessionID: nil, origin: origin, detail: change.auditDetail(by: actor), now: now,
                logger: self.logger)
        }
    }

    func revokeSessions(
        userID: String, keeping: String?, openedAtOrBefore: Int64?, reason: String, detail: String, origin: RequestOrigin, now: Int64
    ) async throws -> Int {
        try await step {
            try await self.retryingDeadlocks {
                let counts = try await self.client.query(
                    """
                    WITH revoked AS (UPDATE sessions SET revoked_at = \(now), revoked_reason = \(reason)
                                     WHERE user_id = \(userID) AND revoked_at IS NULL AND expires_at > \(now) AND id IS DISTINCT FROM \(keeping)
                                           AND created_at <= \(openedAtOrBefore ?? Int64.max)
                                     RETURNING id),
                    logged AS (INSERT INTO auth_events (at, kind, user_id, session_id, client_ip, user_agent, detail)
                               SELECT \(now), \(AuditEvent.Kind.sessionsRevoked.rawValue), \(userID), \(keeping), \(origin.clientIP), \(origin.userAgent),
                                      \(detail) || ', ' || COUNT(*) || ' sessions'
                               FROM revoked HAVING COUNT(*) > 0)
                    SELECT COUNT(*) FROM revoked
                    """, logger: self.logger
                ).decode(Int64.self).all()
                return Int(counts.first ?? 0)
            }
        }
    }

    func revokeSession(userID: String, sessionID: String, reason: String, detail: String, origin: RequestOrigin, now: Int64) async throws -> Bool {
        try await step {
            let counts = try await self.client.query(
                """
                WITH revoked AS (UPDATE sessions SET revoked_at = \(now), revoked_reason = \(reason)
                                 WHERE id = \(sessionID) AND user_id = \(userID) AND revoked_at IS NULL AND expires_at > \(now) RETURNING id),
                logged AS (INSERT INTO auth_events (at, kind, user_id, session_id, client_ip, user_agent, detail)
                           SELECT \(now), \(AuditEvent.Kind.sessionRevoked.rawValue), \(userID), id, \(origin.clientIP), \(origin.userAgent), \(detail)
                           FROM revoked)
                SELECT COUNT(*) FROM revoked
                """, logger: self.logger
            ).decode(Int64.self).all()
            return counts.first == 1
        }
    }

    /// In one transaction: the user's row locked, `change` applied to the account as it is then, and the
    /// account read again. Nil when there is no such user.
    private func changingAccount(
        _ userID: String, now: Int64, _ change: @escaping @Sendable (PostgresConnection, AccountView) async throws -> Void
    ) async throws -> AccountView? {
        try await step {
            try await self.retryingDeadlocks {
                try await self.client.withTransaction(logger: self.logger) { connection -> AccountView? in
                    let locked = try await connection.query("SELECT 1 FROM users WHERE id = \(userID) FOR UPDATE", logger: self.logger).decode(
                        Int32.self
                    ).all()
                    guard !locked.isEmpty, let account = try await Self.account(on: connection, id: userID, now: now, logger: self.logger) else {
                        return nil
                    }
                    try await change(connection, account)
                    return try await Self.account(on: connection, id: userID, now: now, logger: self.logger)
                }
            }
        }
    }

    private static func record(
        _ kind: AuditEvent.Kind, on connection: PostgresConnection, userID: String, sessionID: String?, origin: RequestOrigin, detail: String,
        now: Int64, logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO auth_events (at, kind, user_id, session_id, client_ip, user_agent, detail)
            VALUES (\(now), \(kind.rawValue), \(userID), \(sessionID), \(origin.clientIP), \(origin.userAgent), \(detail))
            """, logger: logger)
    }

    private static func account(on connection: PostgresConnection, id userID: String, now: Int64, logger: Logger) async throws -> AccountView? {
        try await accountViews(
            connection.query(AdministrationQueries.account(id: userID, now: now, dialect: .postgres).postgresQuery, logger: logger)
        ).first
    }

    private static func accountViews(_ rows: PostgresRowSequence) async throws -> [AccountView] {
        try await rows.map { row in
            let c = try row.decode(
                (String, Int64, String?, String?, Bool, String?, String?, Int64, Int64, Int64, String, String, Int64?, String?, String?, Int64).self)
            return AccountView(
                user: try PostgresStore.user((c.0, c.1, c.2, c.3, c.4, c.5, c.6, c.7, c.8, c.9, c.10, c.11)),
                disable: try AdministrationQueries.disable(at: c.12, reason: c.13, by: c.14), liveSessions: Int(c.15))
        }
        .all()
    }
}

extension SQLQuery {
    var postgresQuery: PostgresQuery {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .text(let text): bindings.append(text)
            case .integer(let number): bindings.append(number)
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}

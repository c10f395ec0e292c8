import PostgresNIO

// The statements every request of a kind runs, prepared once per connection so that PostgreSQL parses and plans
// them once: preparing the session lookup of /users/me took PostgreSQL's CPU per request from 216 to 52 us.

/// A login in one statement: the user registered or updated, the session opened with its first refresh token,
/// and the events recorded. The rows it inserts are checked against their foreign keys at the statement's end.
struct LoginStatement: PostgresPreparedStatement {
    static let sql = statement(keepingAbsentFields: false)
    typealias Row = UserRecord

    var profile: KakaoProfile
    var session: NewSession
    var origin: RequestOrigin

    /// The same for a profile that tells only part of the truth (see ``UserUpsert``): a statement of its own,
    /// since a prepared statement's text is fixed.
    struct KeepingAbsentFields: PostgresPreparedStatement {
        static let sql = LoginStatement.statement(keepingAbsentFields: true)
        typealias Row = UserRecord

        let login: LoginStatement

        init(_ login: LoginStatement) {
            self.login = login
        }

        func makeBindings() throws -> PostgresBindings { try login.makeBindings() }
        func decodeRow(_ row: PostgresRow) throws -> UserRecord { try PostgresStore.user(row) }
    }

    fileprivate static func statement(keepingAbsentFields: Bool) -> String {
        """
        WITH u AS (\(UserUpsert.sql(values: "$1, $2, $3, $4, $5, $6, $7, $8, $8, $8, $16", keepingAbsentFields: keepingAbsentFields))),
        s AS (INSERT INTO sessions (id, user_id, created_at, expires_at, current_refresh_jti, last_used_at, user_agent, client_ip)
              SELECT $9, id, $8, $10, $11, $8, $14, $13 FROM u),
        t AS (INSERT INTO refresh_tokens (jti, session_id, issued_at, expires_at) SELECT $11, $9, $8, $12 FROM u),
        e AS (INSERT INTO auth_events (at, kind, user_id, session_id, client_ip, user_agent, detail)
              SELECT $8, 'registration', id, NULL, $13, $14, $15 FROM u WHERE id = $1
              UNION ALL SELECT $8, 'login', id, $9, $13, $14, NULL FROM u)
        SELECT \(UserUpsert.columns) FROM u
        """
    }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 16)
        bindings.append(session.newUserID)
        bindings.append(profile.id)
        bindings.append(profile.nickname)
        bindings.append(profile.email)
        bindings.append(profile.emailVerified)
        bindings.append(profile.profileImageURL)
        bindings.append(profile.thumbnailImageURL)
        bindings.append(session.createdAt)
        bindings.append(session.id)
        bindings.append(session.expiresAt)
        bindings.append(session.firstRefreshToken.jti)
        bindings.append(session.firstRefreshToken.expiresAt)
        bindings.append(origin.clientIP)
        bindings.append(origin.userAgent)
        bindings.append("kakao_id=\(profile.id)")
        bindings.append(session.newUserRoles.storedText)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> UserRecord {
        try PostgresStore.user(row)
    }
}

/// The presented token's session and that session's current token, in one snapshot: prepared, since every
/// refresh and logout reads it.
struct SessionStateStatement: PostgresPreparedStatement {
    static let sql = SessionQueries.sessionState(presentedJTI: "$1", sessionID: "$2")
    typealias Row = StoredSessionState

    var presented: PresentedRefreshToken

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(presented.jti)
        bindings.append(presented.sessionID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> StoredSessionState {
        let columns = try row.decode((String, Int64, Int64?, String, Int64?, String, String, String?, Int64, Int64, Int64?, String, String).self)
        return StoredSessionState(
            sessionUserID: columns.0, sessionExpiresAt: columns.1, sessionRevokedAt: columns.2, presentedTokenSessionID: columns.3,
            presentedTokenRotatedAt: columns.4,
            current: RefreshTokenRecord(
                jti: columns.5, sessionID: columns.6, parentJTI: columns.7, issuedAt: columns.8, expiresAt: columns.9, rotatedAt: columns.10),
            claims: try AccountClaims(stored: columns.11, columns.12))
    }
}

/// The decision point of a refresh, prepared: only the statement that moves the session off the presented
/// token (still its current one, the session still live) marks it rotated, issues its successor and records
/// the refresh. PostgreSQL re-checks the condition on the row's newest version when it had to wait for it.
struct RotationStatement: PostgresPreparedStatement {
    static let sql = """
        WITH moved AS (UPDATE sessions SET current_refresh_jti = $1, last_used_at = $4 WHERE id = $2 AND current_refresh_jti = $3 AND revoked_at IS NULL RETURNING id),
        rotated AS (UPDATE refresh_tokens SET rotated_at = $4 WHERE jti = $3 AND EXISTS (SELECT 1 FROM moved)),
        successor AS (INSERT INTO refresh_tokens (jti, session_id, parent_jti, issued_at, expires_at) SELECT $1, id, $3, $4, $5 FROM moved),
        logged AS (INSERT INTO auth_events (at, kind, user_id, session_id, client_ip, user_agent) SELECT $4, 'refresh', $6, id, $7, $8 FROM moved)
        SELECT COUNT(*) FROM moved
        """
    typealias Row = Int64

    var presented: PresentedRefreshToken
    var successor: RefreshTokenRecord
    var now: Int64
    var origin: RequestOrigin

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 8)
        bindings.append(successor.jti)
        bindings.append(presented.sessionID)
        bindings.append(presented.jti)
        bindings.append(now)
        bindings.append(successor.expiresAt)
        bindings.append(presented.userID)
        bindings.append(origin.clientIP)
        bindings.append(origin.userAgent)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 {
        try row.decode(Int64.self)
    }
}

/// The user of a live session (see ``SessionStore/activeUser(id:sessionID:now:)``).
struct ActiveUserStatement: PostgresPreparedStatement {
    static let sql = SessionQueries.activeUser(userID: "$1", sessionID: "$2", now: "$3")
    typealias Row = UserRecord

    var userID: String
    var sessionID: String
    var now: Int64

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(userID)
        bindings.append(sessionID)
        bindings.append(now)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> UserRecord {
        try PostgresStore.user(row)
    }
}

import GRDB

/// The domain's records as rows of the SQLite store: column names, reading and prepared inserts.

extension UserRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "users"

    enum Columns {
        static let id = "id", kakaoID = "kakao_id", nickname = "nickname", email = "email", emailVerified = "email_verified"
        static let profileImageURL = "profile_image_url", thumbnailImageURL = "thumbnail_image_url"
        static let createdAt = "created_at", updatedAt = "updated_at", lastLoginAt = "last_login_at"
        static let roles = "roles", appMetadata = "app_metadata"
    }

    /// Read by column name directly: several times cheaper than GRDB's `Codable` row decoding, and every
    /// login reads a user.
    init(row: Row) throws {
        self.init(
            id: row[Columns.id], kakaoID: row[Columns.kakaoID], nickname: row[Columns.nickname], email: row[Columns.email],
            emailVerified: row[Columns.emailVerified], profileImageURL: row[Columns.profileImageURL],
            thumbnailImageURL: row[Columns.thumbnailImageURL], createdAt: row[Columns.createdAt], updatedAt: row[Columns.updatedAt],
            lastLoginAt: row[Columns.lastLoginAt], claims: try AccountClaims(stored: row[Columns.roles], row[Columns.appMetadata]))
    }

    func encode(to container: inout PersistenceContainer) throws {
        container[Columns.id] = id
        container[Columns.kakaoID] = kakaoID
        container[Columns.nickname] = nickname
        container[Columns.email] = email
        container[Columns.emailVerified] = emailVerified
        container[Columns.profileImageURL] = profileImageURL
        container[Columns.thumbnailImageURL] = thumbnailImageURL
        container[Columns.createdAt] = createdAt
        container[Columns.updatedAt] = updatedAt
        container[Columns.lastLoginAt] = lastLoginAt
        container[Columns.roles] = claims.roles.storedText
        container[Columns.appMetadata] = claims.appMetadata.compactText
    }
}

/// A row inserted on a hot path (every login and rotation) through a statement prepared once per
/// connection: GRDB's generic `insert` builds, authorizes and encodes its statement on every call, which
/// was most of the database writer's time in a rotation (measured with `bench/run.py`).
protocol PreparedInsert {
    static var insertSQL: String { get }
    var insertArguments: StatementArguments { get }
}

extension PreparedInsert {
    func insertPrepared(_ db: Database) throws {
        try db.cachedStatement(sql: Self.insertSQL).execute(arguments: insertArguments)
    }
}

extension SessionRecord: PreparedInsert {
    static let insertSQL = """
        INSERT INTO sessions (id, user_id, created_at, expires_at, current_refresh_jti, revoked_at, revoked_reason, last_used_at, user_agent, client_ip)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    var insertArguments: StatementArguments {
        [id, userID, createdAt, expiresAt, currentRefreshJTI, revokedAt, revokedReason, lastUsedAt, userAgent, clientIP]
    }
}

extension RefreshTokenRecord: PreparedInsert {
    static let insertSQL = """
        INSERT INTO refresh_tokens (jti, session_id, parent_jti, issued_at, expires_at, rotated_at) VALUES (?, ?, ?, ?, ?, ?)
        """
    var insertArguments: StatementArguments {
        [jti, sessionID, parentJTI, issuedAt, expiresAt, rotatedAt]
    }
}

extension AuditEvent: FetchableRecord, TableRecord, PreparedInsert {
    public static let databaseTableName = "auth_events"

    public init(row: Row) throws {
        guard let kind = Kind(rawValue: row["kind"]) else { throw StoreError.unexpectedAnswer("unknown event kind") }
        self.init(
            kind, at: row["at"], userID: row["user_id"], sessionID: row["session_id"],
            origin: RequestOrigin(clientIP: row["client_ip"], userAgent: row["user_agent"]), detail: row["detail"])
        id = row["id"]
    }

    static let insertSQL = """
        INSERT INTO auth_events (at, kind, user_id, session_id, client_ip, user_agent, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
        """
    var insertArguments: StatementArguments {
        [at, kind.rawValue, userID, sessionID, clientIP, userAgent, detail]
    }
}

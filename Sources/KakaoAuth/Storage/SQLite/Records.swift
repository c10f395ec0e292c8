import GRDB

/// A row of `users`.
struct UserRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "users"

    var id: String
    var kakaoID: Int64
    var nickname: String?
    var email: String?
    var emailVerified: Bool
    var profileImageURL: String?
    var thumbnailImageURL: String?
    var createdAt: Int64
    var updatedAt: Int64
    var lastLoginAt: Int64

    enum CodingKeys: String, CodingKey {
        case id, nickname, email
        case kakaoID = "kakao_id"
        case emailVerified = "email_verified"
        case profileImageURL = "profile_image_url"
        case thumbnailImageURL = "thumbnail_image_url"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case lastLoginAt = "last_login_at"
    }
}

extension UserRecord {
    /// Read by column name directly: several times cheaper than GRDB's `Codable` row decoding, and every
    /// login reads a user. (In an extension, so that the memberwise initialiser stays.)
    init(row: Row) throws {
        id = row[CodingKeys.id.rawValue]
        kakaoID = row[CodingKeys.kakaoID.rawValue]
        nickname = row[CodingKeys.nickname.rawValue]
        email = row[CodingKeys.email.rawValue]
        emailVerified = row[CodingKeys.emailVerified.rawValue]
        profileImageURL = row[CodingKeys.profileImageURL.rawValue]
        thumbnailImageURL = row[CodingKeys.thumbnailImageURL.rawValue]
        createdAt = row[CodingKeys.createdAt.rawValue]
        updatedAt = row[CodingKeys.updatedAt.rawValue]
        lastLoginAt = row[CodingKeys.lastLoginAt.rawValue]
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

/// A row of `sessions`: one login on one device, alive until revoked or `expiresAt`.
struct SessionRecord: Equatable, Sendable, PreparedInsert {
    var id: String
    var userID: String
    var createdAt: Int64
    var expiresAt: Int64
    var currentRefreshJTI: String
    var revokedAt: Int64?
    var revokedReason: String?

    static let insertSQL = """
        INSERT INTO sessions (id, user_id, created_at, expires_at, current_refresh_jti, revoked_at, revoked_reason)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """
    var insertArguments: StatementArguments {
        [id, userID, createdAt, expiresAt, currentRefreshJTI, revokedAt, revokedReason]
    }
}

/// A row of `refresh_tokens`: what we need to recognise, rotate or re-sign one refresh token.
struct RefreshTokenRecord: Equatable, Sendable, PreparedInsert {
    var jti: String
    var sessionID: String
    var parentJTI: String?
    var issuedAt: Int64
    var expiresAt: Int64
    var rotatedAt: Int64?

    static let insertSQL = """
        INSERT INTO refresh_tokens (jti, session_id, parent_jti, issued_at, expires_at, rotated_at) VALUES (?, ?, ?, ?, ?, ?)
        """
    var insertArguments: StatementArguments {
        [jti, sessionID, parentJTI, issuedAt, expiresAt, rotatedAt]
    }
}

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

/// A row of `sessions`: one login on one device, alive until revoked or `expiresAt`.
struct SessionRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "sessions"

    var id: String
    var userID: String
    var createdAt: Int64
    var expiresAt: Int64
    var currentRefreshJTI: String
    var revokedAt: Int64?
    var revokedReason: String?

    enum CodingKeys: String, CodingKey {
        case id
        case userID = "user_id"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case currentRefreshJTI = "current_refresh_jti"
        case revokedAt = "revoked_at"
        case revokedReason = "revoked_reason"
    }
}

/// A row of `refresh_tokens`: what we need to recognise, rotate or re-sign one refresh token.
struct RefreshTokenRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "refresh_tokens"

    var jti: String
    var sessionID: String
    var parentJTI: String?
    var issuedAt: Int64
    var expiresAt: Int64
    var rotatedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case jti
        case sessionID = "session_id"
        case parentJTI = "parent_jti"
        case issuedAt = "issued_at"
        case expiresAt = "expires_at"
        case rotatedAt = "rotated_at"
    }
}

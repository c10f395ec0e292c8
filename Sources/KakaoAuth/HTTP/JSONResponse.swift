import Foundation
import Hummingbird

extension Response {
    /// A JSON answer from an `Encodable` value.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Times in answers are RFC 3339 UTC strings.
enum Timestamp {
    static func rfc3339(_ secondsSince1970: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(secondsSince1970)).formatted(.iso8601)
    }
}

/// The `User` of the API. Absent profile fields are `null`, never omitted; `kakao_id` is a string because
/// Kakao ids exceed what a JavaScript number holds exactly.
struct UserResource: Encodable {
    let record: UserRecord

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

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(record.id, forKey: .id)
        try container.encode(String(record.kakaoID), forKey: .kakaoID)
        try container.encode(record.nickname, forKey: .nickname)
        try container.encode(record.email, forKey: .email)
        try container.encode(record.emailVerified, forKey: .emailVerified)
        try container.encode(record.profileImageURL, forKey: .profileImageURL)
        try container.encode(record.thumbnailImageURL, forKey: .thumbnailImageURL)
        try container.encode(Timestamp.rfc3339(record.createdAt), forKey: .createdAt)
        try container.encode(Timestamp.rfc3339(record.updatedAt), forKey: .updatedAt)
        try container.encode(Timestamp.rfc3339(record.lastLoginAt), forKey: .lastLoginAt)
    }
}

/// Where a client wants its tokens: in HttpOnly cookies (browsers) or in the JSON body (mobile apps).
enum TokenDelivery: String {
    case cookie
    case body
}

/// The token part of a login or refresh answer. In cookie delivery only the expiry times are in the body.
struct TokenAnswer: Encodable {
    var accessTokenExpiresAt: String
    var refreshTokenExpiresAt: String
    var accessToken: String?
    var refreshToken: String?
    var tokenType: String?
    var expiresIn: Int64?
    var refreshTokenExpiresIn: Int64?

    enum CodingKeys: String, CodingKey {
        case accessTokenExpiresAt = "access_token_expires_at"
        case refreshTokenExpiresAt = "refresh_token_expires_at"
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case refreshTokenExpiresIn = "refresh_token_expires_in"
    }

    init(_ tokens: IssuedTokens, delivery: TokenDelivery, now: Int64) {
        accessTokenExpiresAt = Timestamp.rfc3339(tokens.accessExpiresAt)
        refreshTokenExpiresAt = Timestamp.rfc3339(tokens.refreshExpiresAt)
        if delivery == .body {
            accessToken = tokens.accessToken
            refreshToken = tokens.refreshToken
            tokenType = "Bearer"
            expiresIn = tokens.accessExpiresAt - now
            refreshTokenExpiresIn = tokens.refreshExpiresAt - now
        }
    }
}

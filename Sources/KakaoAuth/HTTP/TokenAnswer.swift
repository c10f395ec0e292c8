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

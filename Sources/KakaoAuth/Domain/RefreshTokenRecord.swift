/// What we need to recognise, rotate or re-sign one refresh token.
struct RefreshTokenRecord: Equatable, Sendable {
    var jti: String
    var sessionID: String
    var parentJTI: String?
    var issuedAt: Int64
    var expiresAt: Int64
    var rotatedAt: Int64?
}

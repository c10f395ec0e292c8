import KakaoAuthTokens

/// A signed access and refresh token for one session grant, with their expiry times (seconds since 1970).
struct IssuedTokens: Sendable {
    var accessToken: String
    var accessExpiresAt: Int64
    var refreshToken: String
    var refreshExpiresAt: Int64
}

/// Turns session grants into signed tokens, and checks presented tokens.
struct TokenIssuer: Sendable {
    let codec: JWTCodec
    /// Seconds an access token lives, capped by the end of its session.
    let accessTokenLifetime: Int64

    /// A fresh access token, with the claims the grant read, and the grant's refresh token, which carries
    /// none. Re-issuing a grant's refresh token (the reuse interval) gives the same claims; with HS256 and
    /// EdDSA the very token issued first, with ES256 (a random nonce per signature) another signature of them.
    /// Nothing compares refresh tokens as strings: the database keys them by `jti`.
    func issue(for grant: SessionGrant, now: Int64) -> IssuedTokens {
        let access = TokenClaims(
            subject: grant.userID, sessionID: grant.sessionID, tokenID: RandomID.make(), issuedAt: now,
            expiresAt: min(now + accessTokenLifetime, grant.sessionExpiresAt), roles: grant.claims.roles.names,
            appMetadata: grant.claims.appMetadata.isEmpty ? nil : grant.claims.appMetadata.compactText)
        let refresh = TokenClaims(
            subject: grant.userID, sessionID: grant.sessionID, tokenID: grant.refreshToken.jti,
            issuedAt: grant.refreshToken.issuedAt, expiresAt: grant.refreshToken.expiresAt)
        return IssuedTokens(
            accessToken: codec.sign(access, as: .access), accessExpiresAt: access.expiresAt,
            refreshToken: codec.sign(refresh, as: .refresh), refreshExpiresAt: refresh.expiresAt)
    }

    func verify(_ token: some StringProtocol, as kind: TokenKind, now: Int64) throws(TokenError) -> TokenClaims {
        try codec.verify(token, as: kind, now: now)
    }
}

/// The two kinds of token this service issues. Each carries its own JOSE `typ`, and each is refused where
/// the other is expected.
package enum TokenKind: Sendable {
    case access
    case refresh

    /// `at+jwt` is RFC 9068's type for access tokens; refresh tokens get a type of their own.
    package var headerType: String {
        switch self {
        case .access: "at+jwt"
        case .refresh: "refresh+jwt"
        }
    }
}

/// What a token says beyond `iss` and `aud`, which are the same for every token of one deployment.
/// No personal data: the user is named only by our opaque id.
package struct TokenClaims: Equatable, Sendable {
    /// `sub`: our user id.
    package var subject: String
    /// `sid`: the session the token belongs to.
    package var sessionID: String
    /// `jti`: unique per token; refresh tokens are looked up by it.
    package var tokenID: String
    /// `iat`, seconds since 1970.
    package var issuedAt: Int64
    /// `exp`, seconds since 1970.
    package var expiresAt: Int64
    /// `roles`: an access token's, sorted, each once (``AuthorizationClaims``); always written, possibly
    /// empty. A refresh token carries none.
    package var roles: [String]
    /// `app_metadata`: an access token's JSON object in its compact form (``JSONValue/compactText``); nil
    /// when the user has none, and in a refresh token.
    package var appMetadata: String?

    package init(
        subject: String, sessionID: String, tokenID: String, issuedAt: Int64, expiresAt: Int64, roles: [String] = [], appMetadata: String? = nil
    ) {
        self.subject = subject
        self.sessionID = sessionID
        self.tokenID = tokenID
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.roles = roles
        self.appMetadata = appMetadata
    }
}

/// Why a presented token was refused. The kind says which token was expected, so one mapping can answer
/// `invalid_token` for access tokens and `refresh_token_invalid` for refresh tokens.
package struct TokenError: Error, Equatable {
    package enum Reason: String, Sendable {
        case malformed = "the token is not a well-formed compact JWS"
        case tooLarge = "the token is larger than any token this service issues"
        case unsupportedHeader = "the token header is not one this service issues (alg, typ or kid)"
        case wrongType = "the token is of the wrong type for this endpoint"
        case badSignature = "the token signature does not verify"
        case invalidClaims = "the token claims are missing, mistyped or not for this service"
        case expired = "the token has expired"
        case notYetValid = "the token is not valid yet"
    }

    package let kind: TokenKind
    package let reason: Reason
}

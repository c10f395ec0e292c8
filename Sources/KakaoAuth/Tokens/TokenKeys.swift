import KakaoAuthTokens

/// The keys tokens are signed and verified with (`JWT_ALGORITHM` and its variables), and what the JWKS
/// publishes.
struct TokenKeys: Sendable {
    /// Signs every new token: `JWT_SECRET`'s HS256 key, or the `JWT_PRIVATE_KEY(_FILE)`.
    let signing: any JWSKey
    /// Verify only: `JWT_PREVIOUS_PUBLIC_KEY_FILES`, and the HS256 secrets (`JWT_SECRET` when it does not sign,
    /// `JWT_PREVIOUS_SECRETS`) until `JWT_HS256_ACCEPTED_UNTIL`, so that a move from HS256 to EdDSA or ES256
    /// does not log anyone out.
    let verifying: [any JWSKey]
    /// `/.well-known/jwks.json`: the current public key, then `JWT_NEXT_PUBLIC_KEY_FILE`'s (published before it
    /// signs, so that caches know it when it does; not accepted until then), then the previous ones. Empty in
    /// HS256 mode: a secret is never published.
    let published: [AsymmetricKey]
    /// What the login state cookie's key is derived from: `JWT_SECRET` with HS256, the private key's own
    /// bytes otherwise.
    let stateCookieSecret: [UInt8]
}

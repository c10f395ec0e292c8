/// How long sessions and refresh tokens live, and how rotation treats a token presented twice.
struct SessionPolicy: Sendable {
    /// No token of a session outlives the session's first login by more than this (seconds).
    var sessionLifetime: Int64
    /// Lifetime of each refresh token (seconds), capped by the session's end.
    var refreshTokenLifetime: Int64
    /// How long after a rotation the just-replaced token is still honoured (seconds): two tabs refreshing
    /// at once both get the session's current token instead of tripping reuse detection.
    var reuseInterval: Int64
}

/// What a login or refresh grants: a live session and its current refresh token, ready to be signed.
struct SessionGrant: Equatable, Sendable {
    var userID: String
    var sessionID: String
    var sessionExpiresAt: Int64
    var refreshToken: RefreshTokenRecord
}

/// The result of presenting a refresh token.
enum RefreshOutcome: Equatable, Sendable {
    /// The token was current and has been rotated, or it was the one just replaced and was presented again
    /// within the reuse interval; either way the grant carries the session's current refresh token.
    case granted(SessionGrant)
    /// An older or already-rotated token was presented outside the reuse interval: the session is revoked.
    case reuseDetected
    /// The session is unknown, revoked or over, or the token is not one of its tokens.
    case invalid
}

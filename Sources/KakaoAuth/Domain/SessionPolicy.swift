import KakaoAuthTokens

/// How long sessions and refresh tokens live, and how rotation treats a token presented twice.
struct SessionPolicy: Sendable {
    /// No token of a session outlives the session's first login by more than this (seconds).
    var sessionLifetime: Int64
    /// Lifetime of each refresh token (seconds), capped by the session's end.
    var refreshTokenLifetime: Int64
    /// How long after a rotation the just-replaced token is still honoured (seconds): two tabs refreshing
    /// at once both get the session's current token instead of tripping reuse detection. Times are whole
    /// seconds, so N honours it for at most N seconds (between N - 1 and N), and 0 never.
    var reuseInterval: Int64
}

/// What a login or refresh grants: a live session and its current refresh token, ready to be signed, with
/// the user's claims as the same step read them.
struct SessionGrant: Equatable, Sendable {
    var userID: String
    var sessionID: String
    var sessionExpiresAt: Int64
    var refreshToken: RefreshTokenRecord
    var claims: AccountClaims
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

/// The result of ending something with a refresh token: logging out (one or every session), or erasing
/// the account.
enum SessionEndingOutcome: Equatable, Sendable {
    /// Logged out, or erased.
    case ended
    /// The token was an old one of a live session: that session (only) is now revoked, nothing else changed.
    case reuseDetected
    case invalid
}

/// A validly signed refresh token, as its session sees it: the one rule that refresh and logout both apply,
/// so that a token refresh would refuse can never log out (or revoke anything beyond what refresh would).
enum RefreshTokenStanding: Equatable, Sendable {
    /// The session's current token: refresh rotates it; logout ends the session (or all of the user's).
    case current
    /// The token the current one replaced, presented again within the reuse interval (two tabs refreshing at
    /// once): refresh answers with the current token; logout is honoured as for the current one.
    case justReplaced
    /// An older token of a live session, or the replaced one after the interval: reuse, so the session is
    /// revoked, whichever endpoint it was presented to. Never the user's other sessions.
    case reused
    /// The session is unknown, revoked, over or not the user's, or the token is not one of its tokens.
    case dead
}

/// A refresh token's claims: which token, of which session, for whom.
struct PresentedRefreshToken: Sendable {
    var jti: String
    var sessionID: String
    var userID: String
}

/// What the store read to judge a presented refresh token: its session, that session's current token, and
/// its user's claims now (a refresh carries them into the next access token).
struct StoredSessionState: Sendable {
    var sessionUserID: String
    var sessionExpiresAt: Int64
    var sessionRevokedAt: Int64?
    /// The session the presented token's row belongs to, and when that token was rotated.
    var presentedTokenSessionID: String
    var presentedTokenRotatedAt: Int64?
    var current: RefreshTokenRecord
    var claims: AccountClaims
}

extension SessionPolicy {
    /// `stored` is nil when the session or the presented token is not in the database.
    func standing(of presented: PresentedRefreshToken, stored: StoredSessionState?, now: Int64) -> RefreshTokenStanding {
        guard let stored, stored.presentedTokenSessionID == presented.sessionID, stored.sessionUserID == presented.userID,
            stored.sessionRevokedAt == nil, stored.sessionExpiresAt > now
        else { return .dead }
        if presented.jti == stored.current.jti { return .current }
        if stored.current.parentJTI == presented.jti, let rotatedAt = stored.presentedTokenRotatedAt,
            now - rotatedAt < reuseInterval, stored.current.expiresAt > now
        {
            return .justReplaced
        }
        return .reused
    }
}

extension TokenClaims {
    /// A refresh token's claims, as the session rules take them.
    var presentedRefreshToken: PresentedRefreshToken {
        PresentedRefreshToken(jti: tokenID, sessionID: sessionID, userID: subject)
    }
}

/// The two reads every refresh, logout and authenticated request makes, in the syntax SQLite and PostgreSQL
/// share, written once as ``UserUpsert`` is; each store supplies its own placeholders (`?`, or `$1`…).
enum SessionQueries {
    /// The presented token's session, that session's current token and its user's claims, in one snapshot:
    /// no row when either token is unknown. Columns in ``StoredSessionState``'s order.
    static func sessionState(presentedJTI: String, sessionID: String) -> String {
        """
        SELECT sessions.user_id, sessions.expires_at, sessions.revoked_at, presented.session_id, presented.rotated_at,
               current.jti, current.session_id, current.parent_jti, current.issued_at, current.expires_at, current.rotated_at,
               users.roles, users.app_metadata
        FROM sessions
        JOIN refresh_tokens AS presented ON presented.jti = \(presentedJTI)
        JOIN refresh_tokens AS current ON current.jti = sessions.current_refresh_jti
        JOIN users ON users.id = sessions.user_id
        WHERE sessions.id = \(sessionID)
        """
    }

    /// The user of a live session (unrevoked, not over), with ``UserUpsert/columns``.
    static func activeUser(userID: String, sessionID: String, now: String) -> String {
        """
        SELECT \(UserUpsert.qualifiedColumns)
        FROM users JOIN sessions ON sessions.user_id = users.id
        WHERE users.id = \(userID) AND sessions.id = \(sessionID) AND sessions.revoked_at IS NULL AND sessions.expires_at > \(now)
        """
    }
}

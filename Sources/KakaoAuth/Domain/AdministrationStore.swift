/// The steps of the store that act on an account as a whole, for operators (``Administration``) and for a
/// user's own sessions (``Accounts``). Each is one atomic step, as in ``SessionStore``, which refines it.
protocol AdministrationStore: Sendable {
    /// The users `search` matches, newest registration first, after its cursor: at most `search.limit`.
    func findUsers(_ search: UserSearch, now: Int64) async throws -> [AccountView]

    /// The user with this id, or nil.
    func account(id userID: String, now: Int64) async throws -> AccountView?

    /// The user's live sessions (unrevoked, not over), newest first.
    func liveSessions(userID: String, now: Int64) async throws -> [SessionView]

    /// In one transaction: marks the user disabled and revokes every live session, recording
    /// `account_disabled` by `disable.by`. An account already disabled is left as it is, except that an
    /// operator's disable replaces Kakao's (so that Kakao's `account-enabled` cannot lift it). Nil when there is
    /// no such user.
    func disable(userID: String, _ disable: AccountDisable, origin: RequestOrigin, now: Int64) async throws -> AccountView?

    /// Lifts the user's disable (their sessions stay revoked), recording `account_enabled` by `actor`; an
    /// active account is left as it is, and so is one disabled by another than `onlyIfDisabledBy` when it is
    /// given. Nil when there is no such user.
    func enable(userID: String, by actor: AccountActor, onlyIfDisabledBy: AccountActor?, origin: RequestOrigin, now: Int64) async throws
        -> AccountView?

    /// Replaces one of the user's claims, recording the change's event with its detail. The user's next access
    /// token (a login, a refresh) carries it; the ones already issued keep theirs until they expire. Nil when
    /// there is no such user.
    func change(userID: String, _ change: AccountClaimChange, by actor: AccountActor, origin: RequestOrigin, now: Int64) async throws -> AccountView?

    /// Revokes the user's live sessions but `keeping` (or every one), and with `openedAtOrBefore` only those
    /// opened then or earlier, recording `sessions_revoked` with `detail` and the count when any was. Returns
    /// how many were revoked.
    func revokeSessions(
        userID: String, keeping: String?, openedAtOrBefore: Int64?, reason: String, detail: String, origin: RequestOrigin, now: Int64
    ) async throws -> Int

    /// Revokes the session if it is a live session of this user, recording `session_revoked` with `detail`;
    /// false otherwise.
    func revokeSession(userID: String, sessionID: String, reason: String, detail: String, origin: RequestOrigin, now: Int64) async throws -> Bool
}

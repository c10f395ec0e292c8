/// The rules of accounts and sessions, with no HTTP and no SQL: logging in, rotating a refresh token (reuse
/// interval, reuse detection, the session's end), logging out one or every session, erasing an account and
/// checking that a token's session is live. Controllers call it; it reaches storage only through
/// ``SessionStore``, whose every step it decides.
struct Accounts: Sendable {
    let store: any SessionStore
    let policy: SessionPolicy
    /// The roles a user gets when first registered (`DEFAULT_ROLES`).
    var defaultRoles = Roles.none

    /// Registers or updates the user and opens a session whose refresh token lives `refreshTokenLifetime`,
    /// capped by the session's `sessionLifetime`. With `consuming`, only if that credential is used for the
    /// first time (on SQLite in the login's own transaction; on PostgreSQL in a statement just before it).
    func logIn(
        _ profile: KakaoProfile, origin: RequestOrigin, now: Int64, consuming credential: SingleUseCredential? = nil
    ) async throws -> (user: UserRecord, isNewUser: Bool, grant: SessionGrant) {
        let sessionID = RandomID.makeTimeOrdered()
        let sessionExpiresAt = now + policy.sessionLifetime
        let session = NewSession(
            id: sessionID, newUserID: RandomID.make(), createdAt: now, expiresAt: sessionExpiresAt,
            firstRefreshToken: RefreshTokenRecord(
                jti: RandomID.makeTimeOrdered(), sessionID: sessionID, parentJTI: nil, issuedAt: now,
                expiresAt: min(now + policy.refreshTokenLifetime, sessionExpiresAt), rotatedAt: nil),
            consumes: credential, newUserRoles: defaultRoles)
        let (user, isNewUser) = try await store.recordLogin(profile, opening: session, origin: origin)
        let grant = SessionGrant(
            userID: user.id, sessionID: sessionID, sessionExpiresAt: sessionExpiresAt, refreshToken: session.firstRefreshToken, claims: user.claims)
        return (user, isNewUser, grant)
    }

    /// Applies the rotation rule to a validly signed refresh token (see ``RefreshTokenStanding``): the current
    /// token is exchanged for a successor; the one it just replaced, within the reuse interval, gets the
    /// current one; any older one is reuse and revokes its session.
    func refresh(_ presented: PresentedRefreshToken, origin: RequestOrigin, now: Int64) async throws -> RefreshOutcome {
        let successorJTI = RandomID.makeTimeOrdered()
        let policy = policy
        let outcome = try await store.updateSession(of: presented, origin: origin, now: now) { stored -> (SessionChange, RefreshOutcome) in
            guard let stored else { return (.none, .invalid) }
            switch policy.standing(of: presented, stored: stored, now: now) {
            case .dead:
                return (.none, .invalid)
            case .justReplaced:
                return (
                    .record(.refreshWithinReuseInterval, attachedToUser: true),
                    .granted(
                        SessionGrant(
                            userID: presented.userID, sessionID: presented.sessionID, sessionExpiresAt: stored.sessionExpiresAt,
                            refreshToken: stored.current, claims: stored.claims))
                )
            case .reused:
                return (Self.revokeForReuse, .reuseDetected)
            case .current:
                let successor = RefreshTokenRecord(
                    jti: successorJTI, sessionID: presented.sessionID, parentJTI: presented.jti, issuedAt: now,
                    expiresAt: min(now + policy.refreshTokenLifetime, stored.sessionExpiresAt), rotatedAt: nil)
                return (
                    .rotate(to: successor),
                    .granted(
                        SessionGrant(
                            userID: presented.userID, sessionID: presented.sessionID, sessionExpiresAt: stored.sessionExpiresAt,
                            refreshToken: successor, claims: stored.claims))
                )
            }
        }
        return outcome ?? .invalid
    }

    /// Logs out with a refresh token, judged exactly as refresh judges it: the current token (or the one it
    /// just replaced, within the reuse interval) ends its session, or with `allSessions` every session of
    /// the user; an older token is reuse and revokes its own session only; a dead token changes nothing.
    func logOut(_ presented: PresentedRefreshToken, allSessions: Bool, origin: RequestOrigin, now: Int64) async throws -> SessionEndingOutcome {
        let policy = policy
        let outcome = try await store.updateSession(of: presented, origin: origin, now: now) { stored -> (SessionChange, SessionEndingOutcome) in
            switch policy.standing(of: presented, stored: stored, now: now) {
            case .dead:
                return (.none, .invalid)
            case .reused:
                return (Self.revokeForReuse, .reuseDetected)
            case .current, .justReplaced:
                let change: SessionChange =
                    allSessions
                    ? .revoke(.allOfUser, reason: "logout_all", event: .logoutAll, detail: nil)
                    : .revoke(.session, reason: "logout", event: .logout, detail: nil)
                return (change, .ended)
            }
        }
        return outcome ?? .invalid
    }

    /// Erases the account of a presented refresh token, judged exactly as refresh judges it: only the
    /// session's current token (or the one it just replaced, within the reuse interval) erases; an older one
    /// is reuse and revokes its session; a dead one changes nothing. An access token alone never erases: every
    /// service that verifies our tokens holds those. The request's origin is recorded first, apart from the
    /// user (`account_erasure_requested`, which the erasure does not strip), so that an erasure with a
    /// stolen token can be traced. Then the intent is recorded on the user, `unlink` tells Kakao, and only
    /// once Kakao agreed is the account erased. If `unlink` throws, the intent is withdrawn and nothing else
    /// changes; if the erasure does not happen after Kakao agreed (a crash, the database gone), the purge
    /// finishes it once ``erasureGrace`` has passed.
    func eraseAccount(
        of presented: PresentedRefreshToken, origin: RequestOrigin, now: Int64, unlink: (_ kakaoID: Int64) async throws -> Void
    ) async throws -> SessionEndingOutcome {
        let policy = policy
        let verdict = try await store.updateSession(of: presented, origin: origin, now: now) { stored -> (SessionChange, SessionEndingOutcome) in
            switch policy.standing(of: presented, stored: stored, now: now) {
            case .dead: (.none, .invalid)
            case .reused: (Self.revokeForReuse, .reuseDetected)
            case .current, .justReplaced: (.record(.accountErasureRequested, attachedToUser: false), .ended)
            }
        }
        guard verdict == .ended else { return verdict ?? .invalid }
        guard let user = try await store.activeUser(id: presented.userID, sessionID: presented.sessionID, now: now) else { return .invalid }
        try await eraseUnlinking(user, event: .unlink, detail: nil, now: now, unlink: unlink)
        return .ended
    }

    /// Erases `user` once Kakao agreed to `unlink` them: the intent is recorded first, withdrawn if Kakao
    /// refuses, and finished by the purge if the erasure is interrupted after Kakao's answer.
    func eraseUnlinking(
        _ user: UserRecord, event: AuditEvent.Kind, detail: String?, now: Int64, unlink: (_ kakaoID: Int64) async throws -> Void
    ) async throws {
        try await store.requestErasure(userID: user.id, requestedAt: now)
        do {
            try await unlink(user.kakaoID)
        } catch {
            // Kakao kept the link, so the account stays; if withdrawing fails too, the purge erases it later.
            try? await store.withdrawErasureRequest(userID: user.id, requestedAt: now)
            throw error
        }
        _ = try await store.eraseUser(.id(user.id), event: event, detail: detail, now: now)
    }

    // MARK: The user's own sessions

    /// The user's live sessions, newest first.
    func sessions(ofUser userID: String, now: Int64) async throws -> [SessionView] {
        try await store.liveSessions(userID: userID, now: now)
    }

    /// Ends one of the user's own live sessions; false when it is not one (another user's included).
    func revokeOwnSession(_ sessionID: String, userID: String, origin: RequestOrigin, now: Int64) async throws -> Bool {
        try await store.revokeSession(userID: userID, sessionID: sessionID, reason: "user", detail: "by the user", origin: origin, now: now)
    }

    /// "Log out my other devices": ends every live session of the user but `current`; returns how many.
    func revokeOtherSessions(userID: String, keeping current: String, origin: RequestOrigin, now: Int64) async throws -> Int {
        try await store.revokeSessions(
            userID: userID, keeping: current, openedAtOrBefore: nil, reason: "user", detail: "other devices, by the user", origin: origin, now: now)
    }

    /// How long an erasure's intent waits before the purge finishes it: longer than any request may wait on
    /// Kakao's unlink (`KAKAO_TIMEOUT_SECONDS` is at most 120), so that the purge never erases an account
    /// whose unlink Kakao may still refuse.
    static let erasureGrace: Int64 = 600

    private static let revokeForReuse = SessionChange.revoke(
        .session, reason: "refresh_token_reused", event: .refreshReuseDetected, detail: "session revoked")

    /// Erases the account: its row and sessions go, and its audit events keep only kind, time and ids.
    @discardableResult
    func erase(_ selector: UserSelector, event: AuditEvent.Kind, now: Int64, detail: String? = nil) async throws -> UserRecord? {
        try await store.eraseUser(selector, event: event, detail: detail, now: now)
    }

    /// Records a login refused because the Kakao access token was issued to another app (token substitution).
    func recordForeignToken(appID: String, origin: RequestOrigin, now: Int64) async throws {
        try await store.recordRefusedLogin(.foreignTokenRefused, origin: origin, detail: "app_id=\(appID)", now: now)
    }

    /// The user of a live session, or nil.
    func activeUser(id userID: String, sessionID: String, now: Int64) async throws -> UserRecord? {
        try await store.activeUser(id: userID, sessionID: sessionID, now: now)
    }
}

/// Where accounts, sessions and the audit log are kept: SQLite (``SQLiteStore``, the embedded default) or
/// PostgreSQL (``PostgresStore``, for several replicas). Each method is one atomic step in the store, so the
/// rules of ``Accounts``, which decide what the steps do, hold however many processes share one store.
protocol SessionStore: AdministrationStore {
    /// Registers the Kakao user on first sight (as `session.newUserID`) or updates their profile, and opens
    /// `session` with its first refresh token, recording `registration` and `login`; when the session
    /// consumes a single-use credential already used, nothing (``LoginRefusal/idTokenReused``); when the user
    /// is disabled, no session and no profile change, only a `login_refused_disabled` event
    /// (``LoginRefusal/accountDisabled``). First logins of one Kakao user racing on several processes end with one user.
    func recordLogin(_ profile: KakaoProfile, opening session: NewSession, origin: RequestOrigin) async throws -> (user: UserRecord, isNewUser: Bool)

    /// Reads the presented token's session (nil when the session or the token is unknown), lets `decide`
    /// judge it, and applies the change it returns, with no other change to that session in between: under a
    /// lock (SQLite), or by writing only if the session is still as read and otherwise reading and deciding
    /// again (PostgreSQL), so `decide` must be a pure function of what it is given. Returns `decide`'s
    /// outcome, or nil if the change could not be applied (the session moved on under the lock: impossible, and
    /// checked all the same).
    func updateSession<Outcome: Sendable>(
        of presented: PresentedRefreshToken, origin: RequestOrigin, now: Int64,
        _ decide: @escaping @Sendable (StoredSessionState?) -> (SessionChange, Outcome)
    ) async throws -> Outcome?

    /// Deletes the user (profile and Kakao id) with every session and refresh token, strips their audit
    /// events of the client IP, user agent and detail, and records `event` in the same terms with `detail`
    /// (which must not name the user). Returns the erased user, or nil when there was none.
    func eraseUser(_ selector: UserSelector, event: AuditEvent.Kind, detail: String?, now: Int64) async throws -> UserRecord?

    /// Records a login refused for a reason security review wants to see, with no user to attach it to.
    func recordRefusedLogin(_ kind: AuditEvent.Kind, origin: RequestOrigin, detail: String, now: Int64) async throws

    /// Records the use of a credential that works once (a server-side flow's state, a Kakao id_token), as a
    /// SHA-256 kept until `expiresAt`; false when it was used before.
    func consumeSingleUse(_ credential: String, expiresAt: Int64) async throws -> Bool

    /// Whether ``consumeSingleUse(_:expiresAt:)`` recorded this credential, and it has not expired yet.
    func isUsed(_ credential: String) async throws -> Bool

    /// Records the `jti` of one of Kakao's signals as ``consumeSingleUse(_:expiresAt:)`` does, with the audit
    /// event of what it did (``AccountSignals``), in one transaction.
    func rememberSignal(_ jti: SingleUseCredential, recording event: AuditEvent?) async throws

    /// Stores the profile Kakao gives now for an existing user, as a login from `/v2/user/me` would (absent
    /// fields clear ours), without opening a session. False when there is no such user.
    func updateProfile(_ profile: KakaoProfile, now: Int64) async throws -> Bool

    /// Records that the user asked for their erasure at `requestedAt`.
    func requestErasure(userID: String, requestedAt: Int64) async throws

    /// Withdraws the erasure request made at `requestedAt` (Kakao refused the unlink), unless another request
    /// has replaced it since.
    func withdrawErasureRequest(userID: String, requestedAt: Int64) async throws

    /// Users whose erasure was requested at or before `requestedAt` and never finished, at most `limit`.
    func pendingErasures(requestedAt: Int64, limit: Int) async throws -> [String]

    /// The user of a live session: nil when the session is revoked, over or not the user's, or the user is
    /// gone. Every authenticated request asks.
    func activeUser(id userID: String, sessionID: String, now: Int64) async throws -> UserRecord?

    /// The user's audit events, newest first.
    func events(userID: String, limit: Int) async throws -> [AuditEvent]

    /// Live sessions: not revoked and not over.
    func activeSessionCount(now: Int64) async throws -> Int

    /// Finishes erasures interrupted after Kakao's unlink (``finishInterruptedErasures(now:)``), deletes what
    /// can never be used again and audit events older than `auditRetention` seconds, in batches of
    /// `batchSize`, and gives the space back where the store can.
    func purge(now: Int64, auditRetention: Int64, batchSize: Int) async throws -> PurgeReport

    /// Answers when the store can be read.
    func checkReadiness() async throws

    /// Closes every connection; the store is not used afterwards.
    func close() async throws
}

extension SessionStore {
    /// Erases the users whose erasure was requested more than ``Accounts/erasureGrace`` ago: the request
    /// that recorded it ended before the erasure did (a crash, or the database gone after Kakao's unlink),
    /// and Kakao sends no webhook for an unlink we made. Each store's purge begins with it. One that fails
    /// again is counted and left for the next purge: it must not stop the retention of everyone else.
    func finishInterruptedErasures(now: Int64) async throws -> (finished: Int, failed: Int) {
        var finished = 0
        var failed = 0
        for userID in try await pendingErasures(requestedAt: now - Accounts.erasureGrace, limit: PurgeReport.batchSize) {
            do {
                if try await eraseUser(.id(userID), event: .unlink, detail: "finished by the purge", now: now) != nil { finished += 1 }
            } catch {
                failed += 1
            }
        }
        return (finished, failed)
    }
}

/// Which user to erase.
enum UserSelector: Sendable {
    case id(String)
    case kakaoID(Int64)
}

/// What a refresh or a logout decided to do to the presented token's session.
enum SessionChange: Sendable, Equatable {
    case none
    /// Moves the session from the presented token to `successor` (the presented one is marked rotated) and
    /// records a `refresh`.
    case rotate(to: RefreshTokenRecord)
    /// Revokes the presented token's session, or every session of its user, and records `event`.
    case revoke(RevocationScope, reason: String, event: AuditEvent.Kind, detail: String?)
    /// Changes nothing but records `event` for the presented token's session, under the user's id or (for
    /// an event that must outlive an erasure's stripping, with its origin) under none.
    case record(AuditEvent.Kind, attachedToUser: Bool)
}

enum RevocationScope: Sendable, Equatable {
    case session
    /// Every session of the user; the event's detail then says how many were live.
    case allOfUser
}

/// A session a login is about to open, with its first refresh token, and the id the user gets if new.
struct NewSession: Sendable {
    var id: String
    var newUserID: String
    var createdAt: Int64
    var expiresAt: Int64
    var firstRefreshToken: RefreshTokenRecord
    /// A credential that logs in once (a Kakao id_token): its use is recorded with the login, and a second
    /// use opens nothing (``LoginRefusal/idTokenReused``).
    var consumes: SingleUseCredential?
    /// The roles the user gets if new; a known user's stay as they are.
    var newUserRoles: Roles
}

/// A credential that works once, known by its SHA-256 until `expiresAt`.
struct SingleUseCredential: Sendable {
    var credential: String
    var expiresAt: Int64
}

/// A row of `auth_events`: one thing that happened to an account. Written in the same transaction as the
/// change it records, so the log and the data never disagree.
public struct AuditEvent: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case registration, login, refresh
        case refreshReuseDetected = "refresh_reuse_detected"
        /// The token a rotation just replaced, presented again within the reuse interval and answered with the
        /// session's current one: two tabs at once, or a thief racing the owner, so it is recorded with its origin.
        case refreshWithinReuseInterval = "refresh_within_reuse_interval"
        /// `DELETE /auth/account` with a live refresh token: recorded with the request's origin before the
        /// erasure, under the session's id only, so the erasure's stripping keeps it.
        case accountErasureRequested = "account_erasure_requested"
        case logout
        case logoutAll = "logout_all"
        case unlink
        case webhookUnlink = "webhook_unlink"
        /// A Kakao access token issued to another app was presented to log in (token substitution).
        case foreignTokenRefused = "foreign_token_refused"
        /// An operator (or Kakao) disabled the account, revoking every session; the detail names who.
        case accountDisabled = "account_disabled"
        case accountEnabled = "account_enabled"
        /// A disabled account's login, refused after Kakao vouched for the user; no session was opened.
        case loginRefusedDisabled = "login_refused_disabled"
        /// One session revoked by its user or an operator (the detail says which).
        case sessionRevoked = "session_revoked"
        /// Several sessions revoked at once: by an operator, or by the user's "log out my other devices".
        case sessionsRevoked = "sessions_revoked"
        /// An account erased by an operator (the detail names them, and whether Kakao was told).
        case accountErased = "account_erased"
        /// An operator set the user's roles (the detail names them, and the operator).
        case rolesChanged = "roles_changed"
        /// An operator set the user's app metadata (the detail gives its size, not its content, and the operator).
        case appMetadataChanged = "app_metadata_changed"
        /// One of Kakao's account status signals applied to the account (the detail names each event by its
        /// short name and says what was done); an erasure it caused is recorded with this kind too.
        case kakaoSignal = "kakao_signal"
    }

    public var id: Int64?
    public var at: Int64
    public var kind: Kind
    public var userID: String?
    public var sessionID: String?
    public var clientIP: String?
    public var userAgent: String?
    public var detail: String?

    /// The names `kakao-auth events --json` prints.
    enum CodingKeys: String, CodingKey {
        case id, at, kind, detail
        case userID = "user_id"
        case sessionID = "session_id"
        case clientIP = "client_ip"
        case userAgent = "user_agent"
    }

    init(_ kind: Kind, at: Int64, userID: String?, sessionID: String?, origin: RequestOrigin, detail: String? = nil) {
        self.kind = kind
        self.at = at
        self.userID = userID
        self.sessionID = sessionID
        clientIP = origin.clientIP
        userAgent = origin.userAgent
        self.detail = detail
    }
}

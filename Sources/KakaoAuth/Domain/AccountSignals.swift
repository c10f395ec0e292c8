import KakaoAuthTokens

/// Applies what Kakao's account status webhook tells us (``KakaoSecurityEvent``) to the account it is about,
/// once per `jti`. No HTTP and no SQL: it reaches storage only through ``SessionStore``.
///
/// At least once, never twice for a repeat: a `jti` already remembered is not applied again, and it is
/// remembered only after its events were applied, so a crash in between applies them again when Kakao sends
/// the SET again. Every action is idempotent for that reason: revoking sessions opened before a time,
/// disabling, lifting Kakao's disable, erasing, storing the profile Kakao has now.
struct AccountSignals: Sendable {
    let administration: Administration
    /// Kakao's profile of a user, fetched with the admin key (`KakaoAK`); nil without `KAKAO_ADMIN_KEY`.
    let fetchProfile: (@Sendable (_ kakaoID: Int64) async throws -> KakaoProfile)?
    /// `KAKAO_SET_MAX_AGE`: the oldest `iat` taken, so a `jti` is remembered that long after it.
    let maximumAge: Int64

    private var store: any SessionStore { administration.accounts.store }

    enum Outcome: Sendable, Equatable {
        case applied
        /// A `jti` applied before: nothing was done.
        case repeated
    }

    func apply(_ signal: KakaoSecurityEvent, origin: RequestOrigin, now: Int64) async throws -> Outcome {
        // A namespace of its own in the store's single-use hashes: a jti can never collide with a state or an id_token.
        let jti = SingleUseCredential(credential: "kakao-set:" + signal.jti, expiresAt: signal.issuedAt + maximumAge + JWTCodec.clockLeeway)
        guard try await !store.isUsed(jti.credential) else { return .repeated }
        var record: AuditEvent? = nil
        if let account = try await store.findUsers(UserSearch(kakaoID: signal.kakaoID, limit: 1), now: now).first {
            var outcomes: [String] = []
            for event in signal.events {
                guard let outcome = try await apply(event, to: account.user, signal: signal, origin: origin, now: now) else {
                    // Erased: the erasure is the audit event, and nothing is left to act on.
                    outcomes = []
                    break
                }
                outcomes.append("\(event.name): \(outcome)")
            }
            if !outcomes.isEmpty {
                record = AuditEvent(
                    .kakaoSignal, at: now, userID: account.user.id, sessionID: nil, origin: origin, detail: outcomes.joined(separator: "; "))
            }
        }
        try await store.rememberSignal(jti, recording: record)
        return .applied
    }

    /// What was done, for the audit event; nil when the account was erased.
    private func apply(
        _ event: KakaoAccountEvent, to user: UserRecord, signal: KakaoSecurityEvent, origin: RequestOrigin, now: Int64
    ) async throws -> String? {
        switch event.action {
        case .revokeSessions:
            let revoked = try await store.revokeSessions(
                userID: user.id, keeping: nil, openedAtOrBefore: signal.issuedAt, reason: "kakao_signal", detail: "kakao \(event.name)",
                origin: origin, now: now)
            return "\(revoked) sessions revoked"
        case .disable:
            let account = try await administration.disable(
                id: user.id, reason: "Kakao: \(event.name)", by: .kakao, origin: origin, now: now)
            return account.disable?.by == .kakao ? "disabled" : "already disabled by \(account.disable?.by.label ?? "nobody")"
        case .enable:
            guard let account = try await store.enable(userID: user.id, by: .kakao, onlyIfDisabledBy: .kakao, origin: origin, now: now) else {
                return "no such user"
            }
            return account.disable.map { "kept disabled (\($0.by.label))" } ?? "enabled"
        case .erase:
            try await administration.accounts.erase(.id(user.id), event: .kakaoSignal, now: now, detail: "\(event.name): erased")
            return nil
        case .refreshProfile:
            guard let fetchProfile else { return "recorded only (KAKAO_ADMIN_KEY is unset)" }
            let profile = try await fetchProfile(signal.kakaoID)
            guard profile.id == signal.kakaoID else { throw KakaoError.malformedAnswer("the profile is of another user") }
            return try await store.updateProfile(profile, now: now) ? "profile fetched again" : "no such user"
        case .record:
            return "recorded only"
        }
    }
}

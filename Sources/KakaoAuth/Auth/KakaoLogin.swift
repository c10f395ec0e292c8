/// A login with what Kakao gave the user, shared by `/auth/kakao` and the server-side callback: verify it
/// with Kakao (or, for an id_token, with Kakao's keys), register or update the user, open a session, sign
/// its tokens.
struct KakaoLogin: Sendable {
    /// The three things an app can bring from Kakao.
    enum Credential: Sendable {
        /// An authorization code from a redirect (web, or an app's own browser tab).
        case code(String, redirectURI: String, codeVerifier: String?)
        /// An OpenID Connect ID token from Kakao's SDKs, with the nonce the app passed to Kakao's login.
        case idToken(String, nonce: String?)
        /// A Kakao access token from Kakao's SDKs.
        case accessToken(String)
    }

    struct Outcome: Sendable {
        var user: UserRecord
        var isNewUser: Bool
        var tokens: IssuedTokens
        /// The time the tokens were issued at (seconds since 1970), for cookie lifetimes.
        var issuedAt: Int64
    }

    let kakao: KakaoClient
    let idTokens: KakaoIDTokenVerifier
    /// `KAKAO_APP_ID`: the app every accepted access token must have been issued to.
    let appID: String?
    let accounts: Accounts
    let tokens: TokenIssuer
    let metrics: ServiceMetrics
    let clock: UnixClock

    /// Nothing is written unless the credential is verified, so a failed login leaves nothing behind.
    func logIn(_ credential: Credential, origin: RequestOrigin) async throws -> Outcome {
        do {
            let (profile, singleUse) = try await verifiedProfile(credential, origin: origin)
            // SQLite would cut the text at it and PostgreSQL refuse the row: Kakao's answer is malformed.
            guard !profile.holdsNUL else { throw KakaoError.malformedAnswer("a profile field holds NUL (U+0000)") }
            let now = clock.now()
            let (user, isNewUser, grant) = try await accounts.logIn(profile, origin: origin, now: now, consuming: singleUse)
            metrics.login(outcome: isNewUser ? "new_user" : "existing_user")
            return Outcome(user: user, isNewUser: isNewUser, tokens: tokens.issue(for: grant, now: now), issuedAt: now)
        } catch {
            metrics.login(outcome: APIError(from: error).code.rawValue)
            throw error
        }
    }

    /// The profile the credential vouches for, and, for an id_token, the token as a credential that logs in
    /// once: its SHA-256 is kept until it would be refused anyway, so that a token found in a proxy log or a
    /// crash report logs no one in.
    private func verifiedProfile(_ credential: Credential, origin: RequestOrigin) async throws -> (KakaoProfile, SingleUseCredential?) {
        switch credential {
        case .code(let code, let redirectURI, let codeVerifier):
            let kakaoAccessToken = try await kakao.exchangeCode(code, redirectURI: redirectURI, codeVerifier: codeVerifier)
            return (try await kakao.fetchProfile(accessToken: kakaoAccessToken), nil)
        case .idToken(let token, let nonce):
            let verified = try await idTokens.verify(token, nonce: nonce, now: clock.now())
            return (verified.profile, SingleUseCredential(credential: token, expiresAt: verified.acceptedUntil))
        case .accessToken(let token):
            // Any app's access token reads any user's profile at /v2/user/me: only the app id tells
            // whether the token was issued to this app (token substitution).
            guard let appID else { throw LoginRefusal.accessTokenLoginsNeedAppID }
            let info = try await kakao.accessTokenInfo(token)
            guard info.appID == appID else {
                try await accounts.recordForeignToken(appID: info.appID, origin: origin, now: clock.now())
                throw KakaoCredentialRefusal(reason: "token was issued to another app")
            }
            let profile = try await kakao.fetchProfile(accessToken: token)
            guard profile.id == info.kakaoID else {
                throw KakaoError.malformedAnswer("the token info and the user answer name different users")
            }
            return (profile, nil)
        }
    }
}

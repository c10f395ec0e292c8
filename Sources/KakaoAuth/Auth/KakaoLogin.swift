/// A login with a Kakao authorization code, shared by the SPA/mobile endpoint and the server-side callback:
/// exchange the code, read the profile, register or update the user, open a session, sign its tokens.
struct KakaoLogin: Sendable {
    struct Outcome: Sendable {
        var user: UserRecord
        var isNewUser: Bool
        var tokens: IssuedTokens
        /// The time the tokens were issued at (seconds since 1970), for cookie lifetimes.
        var issuedAt: Int64
    }

    let kakao: KakaoClient
    let database: AppDatabase
    let tokens: TokenIssuer
    let sessionPolicy: SessionPolicy
    let metrics: ServiceMetrics
    let clock: UnixClock

    /// Nothing is written unless both Kakao calls succeed, so a failed login leaves nothing behind.
    func logIn(code: String, redirectURI: String, codeVerifier: String?, origin: RequestOrigin) async throws -> Outcome {
        do {
            let kakaoAccessToken = try await kakao.exchangeCode(code, redirectURI: redirectURI, codeVerifier: codeVerifier)
            let profile = try await kakao.fetchProfile(accessToken: kakaoAccessToken)
            let now = clock.now()
            let (user, isNewUser, grant) = try await database.recordLogin(profile, policy: sessionPolicy, origin: origin, now: now)
            metrics.login(outcome: isNewUser ? "new_user" : "existing_user")
            return Outcome(user: user, isNewUser: isNewUser, tokens: tokens.issue(for: grant, now: now), issuedAt: now)
        } catch {
            metrics.login(outcome: APIError(from: error).code.rawValue)
            throw error
        }
    }
}

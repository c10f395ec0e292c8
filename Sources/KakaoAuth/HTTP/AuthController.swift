import Hummingbird
import KakaoAuthTokens

/// `/auth`: log in with what Kakao gave the user (a code, an id_token or an access token), rotate refresh
/// tokens, log out, delete the account: everything that takes or mints a session's refresh token.
struct AuthController {
    typealias Context = AppRequestContext

    let login: KakaoLogin
    let kakao: KakaoClient
    let accounts: Accounts
    let tokens: TokenIssuer
    let cookies: AuthCookies
    let bodies: RequestBody
    /// The allowed `redirect_uri` values; the first is the default.
    let redirectURIs: [String]
    let origins: RequestOrigins
    let metrics: ServiceMetrics
    let clock: UnixClock

    /// Every route here calls Kakao or writes, and uses or sets the cookies.
    func addRoutes(to router: Router<Context>, guards: RouteGuards) {
        let group = guards.group(router, "auth", checks: [.rateLimited, .actsWithCookies])
        group.post("kakao", use: logIn)
        group.post("refresh", use: refresh)
        group.post("logout", use: logout)
        group.delete("account", use: deleteAccount)
    }

    // MARK: POST /auth/kakao

    /// Exactly one Kakao credential (a code, an id_token or an access token) with only the fields of its
    /// kind, and the delivery.
    struct LoginRequest {
        static let kinds: [(field: String, companions: Set<String>)] = [
            ("code", ["redirect_uri", "code_verifier"]), ("id_token", ["nonce"]), ("access_token", []),
        ]

        var credential: KakaoLogin.Credential
        var delivery: TokenDelivery

        /// A code's `redirect_uri` (default: the first of `redirectURIs`) must be one of `redirectURIs`:
        /// checked here, before Kakao is called, so a code is never exchanged for an unlisted target.
        init(_ fields: JSONFields, redirectURIs: [String]) throws(APIError) {
            let companions = Self.kinds.reduce(into: Set<String>()) { $0.formUnion($1.companions) }
            let fields = try fields.allowingOnly(Set(Self.kinds.map(\.field)).union(companions).union(["token_delivery"]))
            let present = Self.kinds.filter { fields.contains($0.field) }
            guard present.count == 1, let kind = present.first else {
                throw APIError(.invalidRequest, "send exactly one of code, id_token or access_token")
            }
            if let foreign = companions.subtracting(kind.companions).sorted().first(where: fields.contains) {
                throw APIError(.invalidRequest, "\(foreign) does not go with \(kind.field)")
            }
            switch kind.field {
            case "code":
                guard let code = try fields.visibleASCII("code", maximumLength: 2048) else { throw APIError(.invalidRequest, "code is required") }
                let codeVerifier = try fields.string("code_verifier", maximumLength: 128)
                if let verifier = codeVerifier, !Self.isValidCodeVerifier(verifier) {
                    throw APIError(.invalidRequest, "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)")
                }
                let redirectURI = try fields.string("redirect_uri") ?? redirectURIs[0]
                guard redirectURIs.containsExactly(redirectURI) else {
                    throw APIError(.redirectURINotAllowed, "redirect_uri is not one of KAKAO_REDIRECT_URIS")
                }
                credential = .code(code, redirectURI: redirectURI, codeVerifier: codeVerifier)
            case "id_token":
                // The size limit is the verifier's, so that an oversized token is refused as a token.
                credential = .idToken(
                    try fields.requiredString("id_token", maximumLength: RequestBody.maximumSize),
                    nonce: try fields.visibleASCII("nonce", maximumLength: 256))
            default:
                let token = try fields.requiredString("access_token", maximumLength: 4096)
                // It travels to Kakao in an Authorization header: RFC 6750's b64token, nothing else.
                guard token.utf8.allSatisfy(\.isBearerTokenCharacter) else {
                    throw APIError(.invalidRequest, "access_token must be a Bearer token: letters, digits and - . _ ~ + / =")
                }
                credential = .accessToken(token)
            }
            let delivery = try fields.string("token_delivery") ?? TokenDelivery.cookie.rawValue
            guard let delivery = TokenDelivery(rawValue: delivery) else {
                throw APIError(.invalidRequest, "token_delivery must be \"cookie\" or \"body\"")
            }
            self.delivery = delivery
        }

        static func isValidCodeVerifier(_ verifier: String) -> Bool {
            (43...128).contains(verifier.utf8.count) && verifier.utf8.allSatisfy(\.isUnreservedURICharacter)
        }
    }

    struct LoginAnswer {
        var user: UserResource
        var newUser: Bool
        var tokens: TokenAnswer

        func write(to json: inout JSONObjectWriter) {
            json.add("user", object: user.write)
            json.add("new_user", newUser)
            tokens.write(to: &json)
        }
    }

    @Sendable func logIn(_ request: Request, context: Context) async throws -> Response {
        let body = try LoginRequest(try await bodies.jsonObject(of: request, required: true)!, redirectURIs: redirectURIs)
        let outcome = try await login.logIn(body.credential, origin: origins.origin(of: request, context: context))
        let answer = LoginAnswer(
            user: UserResource(record: outcome.user), newUser: outcome.isNewUser,
            tokens: TokenAnswer(outcome.tokens, delivery: body.delivery, now: outcome.issuedAt))
        var response = Response.json(answer.write)
        if body.delivery == .cookie { cookies.set(outcome.tokens, now: outcome.issuedAt, on: &response) }
        return response
    }

    // MARK: POST /auth/refresh

    @Sendable func refresh(_ request: Request, context: Context) async throws -> Response {
        let presented = try await refreshToken(in: request, extraFields: [])
        return try await clearingCookiesOnRefusal(presented.delivery) {
            let now = clock.now()
            let claims = try tokens.verify(presented.token, as: .refresh, now: now)
            let outcome = try await accounts.refresh(claims.presentedRefreshToken, origin: origins.origin(of: request, context: context), now: now)
            switch outcome {
            case .granted(let grant):
                let issued = tokens.issue(for: grant, now: now)
                var response = Response.json(TokenAnswer(issued, delivery: presented.delivery, now: now).write)
                if presented.delivery == .cookie { cookies.set(issued, now: now, on: &response) }
                return response
            case .reuseDetected:
                throw reuseDetected()
            case .invalid:
                throw Self.deadRefreshToken
            }
        }
    }

    // MARK: POST /auth/logout

    /// The refresh token is judged exactly as refresh judges it (``RefreshTokenStanding``): a token refresh
    /// would refuse is refused here too, and an old one is reuse, which revokes its own session only.
    @Sendable func logout(_ request: Request, context: Context) async throws -> Response {
        let presented = try await refreshToken(in: request, extraFields: ["all_sessions"])
        let allSessions = try presented.fields?.bool("all_sessions") ?? false
        return try await clearingCookiesOnRefusal(presented.delivery) {
            let now = clock.now()
            let claims = try tokens.verify(presented.token, as: .refresh, now: now)
            let outcome = try await accounts.logOut(
                claims.presentedRefreshToken, allSessions: allSessions, origin: origins.origin(of: request, context: context), now: now)
            return try answer(outcome)
        }
    }

    // MARK: DELETE /auth/account

    /// Takes the session's refresh token as refresh and logout take it, and judges it by the same rule
    /// (``Accounts/eraseAccount(of:origin:now:unlink:)``): a dead or reused token erases nothing. The user is
    /// unlinked at Kakao with the admin key first; if Kakao fails, nothing is deleted.
    @Sendable func deleteAccount(_ request: Request, context: Context) async throws -> Response {
        guard let adminKey = kakao.settings.adminKey else {
            throw APIError(.unlinkUnavailable, "deleting accounts needs KAKAO_ADMIN_KEY, to unlink the user at Kakao first")
        }
        let presented = try await refreshToken(in: request, extraFields: [])
        return try await clearingCookiesOnRefusal(presented.delivery) {
            let now = clock.now()
            let claims = try tokens.verify(presented.token, as: .refresh, now: now)
            let outcome = try await accounts.eraseAccount(
                of: claims.presentedRefreshToken, origin: origins.origin(of: request, context: context), now: now
            ) { kakaoID in
                try await kakao.unlink(kakaoID: kakaoID, adminKey: adminKey)
            }
            return try answer(outcome)
        }
    }

    /// 204 with both cookies cleared, or the refusal of the refresh token.
    private func answer(_ outcome: SessionEndingOutcome) throws(APIError) -> Response {
        switch outcome {
        case .ended:
            var response = Response(status: .noContent)
            cookies.clear(on: &response)
            return response
        case .reuseDetected:
            throw reuseDetected()
        case .invalid:
            throw Self.deadRefreshToken
        }
    }

    private func reuseDetected() -> APIError {
        metrics.refreshReuseDetected()
        return APIError(.refreshTokenReused, "this refresh token was already exchanged; every token of the session is now revoked")
    }

    private static let deadRefreshToken = APIError(.refreshTokenInvalid, "the session of this refresh token is over, revoked or unknown")

    /// A refresh or logout refused for its token (401) in cookie delivery also clears the cookies, so that
    /// the browser stops presenting tokens that can no longer work. Other failures leave them alone.
    private func clearingCookiesOnRefusal(_ delivery: TokenDelivery, _ operation: () async throws -> Response) async throws -> Response {
        do {
            return try await operation()
        } catch {
            let problem = APIError(from: error)
            guard delivery == .cookie, problem.code.status == .unauthorized else { throw error }
            var response = problem.response
            cookies.clear(on: &response)
            return response
        }
    }

    // MARK: Refresh token from the body or the cookie

    private struct RefreshTokenInRequest {
        var token: String
        var delivery: TokenDelivery
        var fields: JSONFields?
    }

    /// The refresh token from the JSON body (body delivery) or else from the refresh cookie (cookie delivery).
    private func refreshToken(in request: Request, extraFields: Set<String>) async throws -> RefreshTokenInRequest {
        let fields = try await bodies.jsonObject(of: request, required: false)?.allowingOnly(extraFields.union(["refresh_token"]))
        if let token = try fields?.string("refresh_token", maximumLength: RequestBody.maximumSize) {
            return RefreshTokenInRequest(token: token, delivery: .body, fields: fields)
        }
        if let token = cookies.refreshToken(in: request), !token.isEmpty {
            return RefreshTokenInRequest(token: token, delivery: .cookie, fields: fields)
        }
        throw APIError(.refreshTokenInvalid, "no refresh token: send it as the refresh cookie or as \"refresh_token\" in a JSON body")
    }
}

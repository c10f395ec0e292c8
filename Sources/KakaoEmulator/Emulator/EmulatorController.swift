import Foundation
import Hummingbird
import KakaoAuth
import KakaoAuthTokens

/// What an authorize request asked for, carried through the consent form in hidden fields.
struct EmulatedAuthorizeRequest: Sendable {
    static let carriedFields = [
        "client_id", "redirect_uri", "response_type", "state", "nonce", "prompt", "scope", "code_challenge", "code_challenge_method",
    ]

    var redirectURI: String
    var state: String?
    var codeChallenge: String?
    var fields: [String: String]
}

/// A kapi refusal, carried as an error until the handler answers it.
struct EmulatorRefusal: Error {
    let response: Response
}

/// The parts of kauth.kakao.com and kapi.kakao.com that kakao-auth uses, behaving as Kakao documents them
/// (`shared/kakao-api.md`): a consent page instead of a Kakao account, single-use short-lived codes,
/// Kakao's error JSON and KOE codes, fields omitted without consent, Bearer or `KakaoAK` admin calls.
struct EmulatorController<Context: RequestContext> {
    let settings: EmulatorSettings
    let state: EmulatorState
    let clock: UnixClock
    var oidc: EmulatorOIDC<Context> { EmulatorOIDC(settings: settings, state: state, clock: clock) }

    func addRoutes(to router: Router<Context>) {
        oidc.addRoutes(to: router)
        router.get("oauth/authorize", use: authorize)
        router.post("oauth/authorize", use: decide)
        router.post("oauth/token", use: token)
        router.get("v2/user/me", use: me)
        router.post("v2/user/me", use: me)
        router.get("v1/user/access_token_info", use: accessTokenInfo)
        router.post("v1/user/logout", use: logout)
        router.post("v1/user/unlink", use: unlink)
    }

    // MARK: kauth: authorize

    /// Checks an authorize request as Kakao does; problems Kakao shows on its own error page (rather than
    /// redirecting) come back as that page.
    private func validate(_ fields: [String: String]) -> Result<EmulatedAuthorizeRequest, EmulatorErrorPage> {
        guard fields["client_id"] == settings.clientID else {
            return .failure(EmulatorErrorPage(code: "KOE101", message: "잘못된 앱 키 / invalid client_id"))
        }
        guard let redirectURI = fields["redirect_uri"], WebOrigin.of(redirectURI) != nil,
            settings.redirectURIs.isEmpty || settings.redirectURIs.containsExactly(redirectURI)
        else { return .failure(EmulatorErrorPage(code: "KOE006", message: "등록되지 않은 리다이렉트 URI / redirect_uri is not registered")) }
        guard fields["response_type"] == "code" else {
            return .failure(EmulatorErrorPage(code: "KOE004", message: "response_type must be code"))
        }
        if fields["code_challenge"] != nil, fields["code_challenge_method"] != "S256" {
            return .failure(EmulatorErrorPage(code: "KOE004", message: "code_challenge_method must be S256"))
        }
        let carried = fields.filter { EmulatedAuthorizeRequest.carriedFields.contains($0.key) }
        return .success(
            EmulatedAuthorizeRequest(redirectURI: redirectURI, state: fields["state"], codeChallenge: fields["code_challenge"], fields: carried))
    }

    @Sendable func authorize(_ request: Request, context: Context) async throws -> Response {
        let query = URLEncodedForm.decode(request.uri.query ?? "") ?? [:]
        switch validate(query) {
        case .failure(let page):
            return page.response
        case .success(let authorize):
            // The emulator keeps no Kakao login session, so it can never answer silently.
            if query["prompt"]?.split(separator: ",").contains("none") == true {
                return redirect(authorize, with: [("error", "consent_required"), ("error_description", "user consent required")])
            }
            return ConsentPage(carriedFields: authorize.fields).response
        }
    }

    /// The consent form's answer: approve with the user described, or cancel.
    @Sendable func decide(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 * 1024)
        let form = URLEncodedForm.decode(String(buffer: body)) ?? [:]
        let authorize: EmulatedAuthorizeRequest
        switch validate(form) {
        case .failure(let page): return page.response
        case .success(let valid): authorize = valid
        }
        guard form["decision"] == "approve" else {
            return redirect(authorize, with: [("error", "access_denied"), ("error_description", "User denied access")])
        }
        let requestedID = form["kakao_id"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        let id = requestedID.flatMap { $0 > 0 ? $0 : nil } ?? Int64.random(in: (1 << 53)...Int64.max)
        let nickname = form["nickname"].flatMap { $0.isEmpty ? nil : $0 }
        let shareEmail = form["share_email"] == "on"
        let email = shareEmail ? form["email"].flatMap { $0.isEmpty ? nil : $0 } : nil
        let now = clock.now()
        state.saveUser(
            EmulatedUser(
                id: id, nickname: nickname, email: email, emailVerified: form["email_verified"] == "on",
                connectedAt: state.user(id: id)?.connectedAt ?? now))
        let code = state.issueCode(
            EmulatorState.PendingCode(
                userID: id, redirectURI: authorize.redirectURI, codeChallenge: authorize.codeChallenge, nonce: authorize.fields["nonce"],
                wantsIDToken: authorize.fields["scope"]?.split(whereSeparator: { $0 == "," || $0 == " " }).contains("openid") == true,
                expiresAt: now + EmulatorState.codeLifetime))
        return redirect(authorize, with: [("code", code)])
    }

    private func redirect(_ authorize: EmulatedAuthorizeRequest, with parameters: [(String, String)]) -> Response {
        var parameters = parameters
        if let state = authorize.state { parameters.append(("state", state)) }
        let separator = authorize.redirectURI.contains("?") ? "&" : "?"
        return Response(status: .found, headers: [.location: authorize.redirectURI + separator + URLEncodedForm.encode(parameters)])
    }

    // MARK: kauth: token

    @Sendable func token(_ request: Request, context: Context) async throws -> Response {
        try await settings.tokenFault?.apply()
        if let status = settings.tokenFault?.status {
            return EmulatorAnswer.kauthError(status: status, error: "server_error", code: "KOE999", description: "injected fault")
        }
        let body = try await request.body.collect(upTo: 64 * 1024)
        guard let form = URLEncodedForm.decode(String(buffer: body)) else {
            return EmulatorAnswer.kauthError(status: 400, error: "invalid_request", code: "KOE002", description: "malformed form")
        }
        guard form["client_id"] == settings.clientID else {
            return EmulatorAnswer.kauthError(status: 401, error: "invalid_client", code: "KOE101", description: "Not exist client_id")
        }
        if let secret = settings.clientSecret, !OpenSSL.constantTimeEqual(form["client_secret"] ?? "", secret) {
            return EmulatorAnswer.kauthError(status: 401, error: "invalid_client", code: "KOE010", description: "Bad client credentials")
        }
        let now = clock.now()
        switch form["grant_type"] {
        case "authorization_code":
            guard let value = form["code"], let code = state.redeemCode(value, now: now) ?? benchmarkCode(value, form: form, now: now) else {
                return EmulatorAnswer.kauthError(
                    status: 400, error: "invalid_grant", code: "KOE320", description: "authorization code not found for code=\(form["code"] ?? "")")
            }
            guard form["redirect_uri"] == code.redirectURI else {
                return EmulatorAnswer.kauthError(status: 400, error: "invalid_grant", code: "KOE303", description: "Redirect URI mismatch.")
            }
            if let challenge = code.codeChallenge {
                guard let verifier = form["code_verifier"], Base64URL.encode(OpenSSL.sha256(verifier)) == challenge else {
                    return EmulatorAnswer.kauthError(
                        status: 400, error: "invalid_grant", code: "KOE320", description: "code_verifier does not match code_challenge")
                }
            }
            let tokens = state.issueTokens(userID: code.userID, now: now)
            var members: [(String, String)] = [
                ("token_type", "\"bearer\""), ("access_token", tokens.access.jsonQuoted), ("expires_in", "\(EmulatorState.accessTokenLifetime)"),
                ("refresh_token", tokens.refresh.jsonQuoted), ("refresh_token_expires_in", "\(EmulatorState.refreshTokenLifetime)"),
                ("scope", code.wantsIDToken ? "\"openid profile_nickname account_email\"" : "\"profile_nickname account_email\""),
            ]
            if code.wantsIDToken, let user = state.user(id: code.userID) {
                members.append(("id_token", oidc.idToken(for: user, audience: settings.clientID, nonce: code.nonce, now: now).jsonQuoted))
            }
            return EmulatorAnswer.object(members)
        case "refresh_token":
            guard let value = form["refresh_token"], let refreshed = state.refresh(value, now: now) else {
                return EmulatorAnswer.kauthError(status: 400, error: "invalid_grant", code: "KOE322", description: "refresh_token not found")
            }
            return EmulatorAnswer.json([
                "token_type": "\"bearer\"", "access_token": refreshed.access.jsonQuoted, "expires_in": "\(EmulatorState.accessTokenLifetime)",
            ])
        default:
            return EmulatorAnswer.kauthError(
                status: 400, error: "unsupported_grant_type", code: "KOE003", description: "grant_type must be authorization_code or refresh_token")
        }
    }

    /// With `acceptAnyCode`, a code nobody issued still names a user (see ``EmulatorSettings/acceptAnyCode``).
    private func benchmarkCode(_ value: String, form: [String: String], now: Int64) -> EmulatorState.PendingCode? {
        guard settings.acceptAnyCode, let redirectURI = form["redirect_uri"] else { return nil }
        // FNV-1a: a stable positive id per code.
        let id = value.hasPrefix("user-") ? Int64(value.dropFirst(5)) : nil
        let userID = id ?? Int64(truncatingIfNeeded: value.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 } >> 1)
        guard userID > 0 else { return nil }
        if state.user(id: userID) == nil {
            state.saveUser(EmulatedUser(id: userID, nickname: "bench", email: nil, emailVerified: false, connectedAt: now))
        }
        return EmulatorState.PendingCode(userID: userID, redirectURI: redirectURI, codeChallenge: nil, expiresAt: now + EmulatorState.codeLifetime)
    }

    // MARK: kapi

    /// Who a kapi call is for: the owner of a Bearer token, or the `target_id` of a `KakaoAK` admin call.
    private enum Caller {
        case token(String, EmulatorState.IssuedToken)
        case admin(userID: Int64)
    }

    private func caller(of request: Request) async throws -> Result<Caller, EmulatorRefusal> {
        let authorization = request.headers[.authorization] ?? ""
        if authorization.hasPrefix("Bearer ") {
            let value = String(authorization.dropFirst("Bearer ".count))
            guard let token = state.accessToken(value, now: clock.now()) else {
                return .failure(EmulatorRefusal(response: EmulatorAnswer.invalidToken))
            }
            return .success(.token(value, token))
        }
        if authorization.hasPrefix("KakaoAK "), OpenSSL.constantTimeEqual(authorization.dropFirst("KakaoAK ".count), settings.adminKey) {
            var parameters = URLEncodedForm.decode(request.uri.query ?? "") ?? [:]
            if request.method == .post {
                let body = try await request.body.collect(upTo: 64 * 1024)
                parameters.merge(URLEncodedForm.decode(String(buffer: body)) ?? [:]) { _, body in body }
            }
            guard parameters["target_id_type"] == "user_id", let id = parameters["target_id"].flatMap({ Int64($0) }) else {
                return .failure(
                    EmulatorRefusal(
                        response: EmulatorAnswer.kapiError(status: 400, code: -2, message: "target_id_type=user_id and target_id are required")))
            }
            guard state.user(id: id) != nil else {
                return .failure(EmulatorRefusal(response: EmulatorAnswer.kapiError(status: 400, code: -101, message: "NotRegisteredUserException")))
            }
            return .success(.admin(userID: id))
        }
        return .failure(EmulatorRefusal(response: EmulatorAnswer.invalidToken))
    }

    private func userID(of caller: Caller) -> Int64 {
        switch caller {
        case .token(_, let token): token.userID
        case .admin(let userID): userID
        }
    }

    @Sendable func me(_ request: Request, context: Context) async throws -> Response {
        try await settings.userFault?.apply()
        if let status = settings.userFault?.status {
            return EmulatorAnswer.kapiError(status: status, code: -1, message: "injected fault")
        }
        switch try await caller(of: request) {
        case .failure(let refusal): return refusal.response
        case .success(let caller):
            guard let user = state.user(id: userID(of: caller)) else { return EmulatorAnswer.invalidToken }
            return EmulatorAnswer.userMe(user)
        }
    }

    @Sendable func accessTokenInfo(_ request: Request, context: Context) async throws -> Response {
        switch try await caller(of: request) {
        case .success(.token(_, let token)):
            return EmulatorAnswer.json(["id": "\(token.userID)", "expires_in": "\(token.expiresAt - clock.now())", "app_id": settings.appID])
        case .success(.admin): return EmulatorAnswer.invalidToken
        case .failure(let refusal): return refusal.response
        }
    }

    @Sendable func logout(_ request: Request, context: Context) async throws -> Response {
        switch try await caller(of: request) {
        case .success(.token(let value, let token)):
            state.revokeAccessToken(value)
            return EmulatorAnswer.json(["id": "\(token.userID)"])
        case .success(.admin(let userID)):
            state.revokeAll(userID: userID, unlink: false)
            return EmulatorAnswer.json(["id": "\(userID)"])
        case .failure(let refusal): return refusal.response
        }
    }

    @Sendable func unlink(_ request: Request, context: Context) async throws -> Response {
        switch try await caller(of: request) {
        case .success(let caller):
            let id = userID(of: caller)
            state.revokeAll(userID: id, unlink: true)
            return EmulatorAnswer.json(["id": "\(id)"])
        case .failure(let refusal): return refusal.response
        }
    }
}

extension EmulatorSettings.Fault {
    func apply() async throws {
        if delay > .zero { try await Task.sleep(nanoseconds: UInt64(delay.nanoseconds)) }
    }
}

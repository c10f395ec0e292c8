import AsyncHTTPClient
import Foundation
import Hummingbird
import KakaoAuth
import KakaoAuthTokens

/// The emulator's OpenID Connect side: its signing keys as a JWKS, its discovery document, the id_tokens it
/// signs, and what Kakao's mobile SDKs hand an app after a login, so that an app can be developed offline.
struct EmulatorOIDC<Context: RequestContext> {
    /// Kakao's id_tokens live six hours.
    static var idTokenLifetime: Int64 { 21_600 }

    let settings: EmulatorSettings
    let state: EmulatorState
    let clock: UnixClock

    func addRoutes(to router: Router<Context>) {
        router.get(".well-known/jwks.json", use: jwks)
        router.get(".well-known/openid-configuration", use: discovery)
        router.post("emulator/sdk-login", use: sdkLogin)
        router.post("emulator/rotate-keys", use: rotateKeys)
        router.post("emulator/id-tokens", use: idTokens)
        router.post("emulator/account-event", use: accountEvent)
    }

    @Sendable func jwks(_ request: Request, context: Context) async throws -> Response {
        try await settings.jwksFault?.apply()
        if let status = settings.jwksFault?.status {
            return EmulatorAnswer.kauthError(status: status, error: "server_error", code: "KOE999", description: "injected fault")
        }
        let keys = state.publishedSigningKeys.map { signing in
            "{\"kty\":\"RSA\",\"kid\":\(signing.kid.jsonQuoted),\"use\":\"sig\",\"alg\":\"RS256\","
                + "\"n\":\(Base64URL.encode(signing.key.modulus).jsonQuoted),\"e\":\(Base64URL.encode(signing.key.exponent).jsonQuoted)}"
        }
        return EmulatorAnswer.json(["keys": "[" + keys.joined(separator: ",") + "]"])
    }

    @Sendable func discovery(_ request: Request, context: Context) async throws -> Response {
        let issuer = settings.issuer
        return EmulatorAnswer.json([
            "issuer": issuer.jsonQuoted, "authorization_endpoint": (issuer + "/oauth/authorize").jsonQuoted,
            "token_endpoint": (issuer + "/oauth/token").jsonQuoted, "jwks_uri": (issuer + "/.well-known/jwks.json").jsonQuoted,
            "userinfo_endpoint": (issuer + "/v1/oidc/userinfo").jsonQuoted, "response_types_supported": "[\"code\"]",
            "subject_types_supported": "[\"public\"]", "id_token_signing_alg_values_supported": "[\"RS256\"]",
            "code_challenge_methods_supported": "[\"S256\"]",
        ])
    }

    /// An id_token for `user` as Kakao signs one: RS256 under the current key, with the profile claims the
    /// user shared (`email` only when it is verified, as Kakao does).
    func idToken(for user: EmulatedUser, audience: String, nonce: String?, now: Int64) -> String {
        let signing = state.currentSigningKey
        let header = "{\"kid\":\(signing.kid.jsonQuoted),\"typ\":\"JWT\",\"alg\":\"RS256\"}"
        var claims = [
            "\"iss\":\(settings.issuer.jsonQuoted)", "\"aud\":\(audience.jsonQuoted)", "\"sub\":\(String(user.id).jsonQuoted)",
            "\"iat\":\(now)", "\"auth_time\":\(now)", "\"exp\":\(now + Self.idTokenLifetime)",
        ]
        if let nonce { claims.append("\"nonce\":\(nonce.jsonQuoted)") }
        if let nickname = user.nickname { claims.append("\"nickname\":\(nickname.jsonQuoted)") }
        if let email = user.email, user.emailVerified { claims.append("\"email\":\(email.jsonQuoted)") }
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(("{" + claims.joined(separator: ",") + "}").utf8))
        return signingInput + "." + Base64URL.encode(signing.key.signRS256(Array(signingInput.utf8)))
    }

    /// What `UserApi.shared.loginWithKakaoTalk` (iOS, Android, Flutter, React Native) hands the app for a
    /// chosen test user: Kakao's access and refresh tokens and an id_token for the native app key. A form
    /// with `kakao_id` (default: a new user), `nickname`, `email` and `nonce`. Any page may call it (CORS
    /// `*`, no credentials): it is how the demo page plays an app.
    @Sendable func sdkLogin(_ request: Request, context: Context) async throws -> Response {
        let form = URLEncodedForm.decode(String(buffer: try await request.body.collect(upTo: 64 * 1024))) ?? [:]
        let id = form["kakao_id"].flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil } ?? Int64.random(in: (1 << 53)...Int64.max)
        let now = clock.now()
        let email = form["email"].flatMap { $0.isEmpty ? nil : $0 }
        let user = EmulatedUser(
            id: id, nickname: form["nickname"].flatMap { $0.isEmpty ? nil : $0 }, email: email, emailVerified: email != nil,
            connectedAt: state.user(id: id)?.connectedAt ?? now)
        state.saveUser(user)
        let tokens = state.issueTokens(userID: id, now: now)
        let nonce = form["nonce"].flatMap { $0.isEmpty ? nil : $0 }
        var response = EmulatorAnswer.json([
            "token_type": "\"bearer\"", "access_token": tokens.access.jsonQuoted, "expires_in": "\(EmulatorState.accessTokenLifetime)",
            "refresh_token": tokens.refresh.jsonQuoted, "refresh_token_expires_in": "\(EmulatorState.refreshTokenLifetime)",
            "id_token": idToken(for: user, audience: settings.nativeAppKey, nonce: nonce, now: now).jsonQuoted,
            "scope": "\"openid profile_nickname account_email\"",
        ])
        response.headers[.accessControlAllowOrigin] = "*"
        return response
    }

    /// Many SDK logins' id_tokens at once, for load tests (each id_token logs in once): a form with `count`
    /// (1 to 100,000), `users` (how many Kakao users they cycle through, default `count`) and `first_kakao_id`
    /// (default 1), answered as text, one `<id_token> <nonce>` a line, each with a nonce of its own.
    @Sendable func idTokens(_ request: Request, context: Context) async throws -> Response {
        let form = URLEncodedForm.decode(String(buffer: try await request.body.collect(upTo: 64 * 1024))) ?? [:]
        guard let count = form["count"].flatMap({ Int($0) }), (1...100_000).contains(count),
            let users = form["users"].map({ Int($0) }) ?? count, users > 0,
            let firstID = form["first_kakao_id"].map({ Int64($0) }) ?? 1, firstID > 0, firstID <= Int64.max - Int64(users)
        else {
            return EmulatorAnswer.kauthError(
                status: 400, error: "invalid_request", code: "KOE010",
                description: "count (1 to 100000), users and first_kakao_id must be positive whole numbers")
        }
        let now = clock.now()
        var lines = ""
        for number in 0..<count {
            let user = EmulatedUser(id: firstID + Int64(number % users), nickname: nil, email: nil, emailVerified: false, connectedAt: now)
            let nonce = "load-\(number)-\(RandomID.make())"
            lines += idToken(for: user, audience: settings.nativeAppKey, nonce: nonce, now: now) + " " + nonce + "\n"
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: lines)))
    }

    /// Kakao's account status webhook: a form with `kakao_id`, `event` (a short name such as
    /// `credential-change`, or a whole event URI) and `webhook_url`. Signs a Security Event Token as Kakao does
    /// (RS256 under the current key, `typ` `secevent+jwt`, `aud` the client id, one event whose `subject` is
    /// the user), POSTs it there, and answers `{"status", "body", "jti", "set"}`: the receiver's answer and the SET it was sent. Any page
    /// may call it (CORS `*`, no credentials): the demo page plays Kakao with it.
    @Sendable func accountEvent(_ request: Request, context: Context) async throws -> Response {
        let form = URLEncodedForm.decode(String(buffer: try await request.body.collect(upTo: 64 * 1024))) ?? [:]
        guard let subject = form["kakao_id"], let kakaoID = Int64(subject), kakaoID > 0, String(kakaoID) == subject, let event = form["event"],
            !event.isEmpty,
            let webhookURL = form["webhook_url"], webhookURL.hasPrefix("http://") || webhookURL.hasPrefix("https://")
        else {
            return EmulatorAnswer.kauthError(
                status: 400, error: "invalid_request", code: "KOE010", description: "kakao_id, event and an http(s) webhook_url are required")
        }
        let jti = UUID().uuidString.lowercased()
        let token = securityEventToken(about: subject, event: KakaoAccountEvent.uri(of: event) ?? event, jti: jti, now: clock.now())
        var delivery = HTTPClientRequest(url: webhookURL)
        delivery.method = .POST
        delivery.headers.add(name: "Content-Type", value: "application/secevent+jwt")
        delivery.headers.add(name: "Accept", value: "application/json")
        delivery.body = .bytes(ByteBuffer(string: token))
        var response: Response
        do {
            // Kakao waits 3 s for an answer.
            let answer = try await HTTPClient.shared.execute(delivery, timeout: .seconds(3))
            let body = try await answer.body.collect(upTo: 64 * 1024)
            response = EmulatorAnswer.json([
                "status": "\(answer.status.code)", "body": String(buffer: body).jsonQuoted, "jti": jti.jsonQuoted, "set": token.jsonQuoted,
            ])
        } catch {
            response = EmulatorAnswer.kauthError(
                status: 502, error: "webhook_failed", code: "KOE999", description: "the webhook could not be reached: \(error)")
        }
        response.headers[.accessControlAllowOrigin] = "*"
        return response
    }

    /// A SET as `kakao-api.md` quotes Kakao's own: no `exp`, a `txm`, `sub` the Kakao id as a string.
    func securityEventToken(about subject: String, event uri: String, jti: String, now: Int64) -> String {
        let signing = state.currentSigningKey
        let header = "{\"kid\":\(signing.kid.jsonQuoted),\"typ\":\"secevent+jwt\",\"alg\":\"RS256\"}"
        let eventSubject = "{\"sub\":\(subject.jsonQuoted),\"subject_type\":\"iss-sub\",\"iss\":\(settings.issuer.jsonQuoted)}"
        let claims =
            "{\"aud\":\(settings.clientID.jsonQuoted),\"sub\":\(subject.jsonQuoted),\"iss\":\(settings.issuer.jsonQuoted),"
            + "\"txm\":\(UUID().uuidString.lowercased().jsonQuoted),\"iat\":\(now),\"jti\":\(jti.jsonQuoted),"
            + "\"events\":{\(uri.jsonQuoted):{\"subject\":\(eventSubject)}}}"
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
        return signingInput + "." + Base64URL.encode(signing.key.signRS256(Array(signingInput.utf8)))
    }

    /// Kakao rotates its keys now and then: a new current key, the old one still published. For drills.
    @Sendable func rotateKeys(_ request: Request, context: Context) async throws -> Response {
        EmulatorAnswer.json(["kid": state.rotateSigningKey().jsonQuoted])
    }
}

import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// Introspection, key rotation, metrics, request ids, rate limits and purging.
@Suite struct OperationsTests {
    func loginBody(_ service: TestService, _ code: String) async throws -> JSONValue {
        try await service.login(code: code, delivery: "body").json
    }

    func introspect(_ service: TestService, _ token: String, form: Bool = true, headers: HTTPFields = [:]) async throws -> HTTPAnswer {
        if form {
            return try await service.client.postForm("/auth/introspect", [("token", token), ("token_type_hint", "access_token")], headers: headers)
        }
        var headers = headers
        headers[.contentType] = "application/json"
        return try await service.post("/auth/introspect", json: "{\"token\":\(token.jsonQuoted)}", headers: headers)
    }

    @Test func introspectionAnswersActiveOnlyForLiveAccessTokens() async throws {
        let kakao = FakeKakao()
        kakao.addCode("a", profile: "{\"id\":9223372036854775807}")
        let time = ManualClock()
        try await TestService.run(kakao: kakao, clock: time.clock) { service in
            let body = try await loginBody(service, "a")
            let access = try #require(body["access_token"]?.stringValue)
            let refresh = try #require(body["refresh_token"]?.stringValue)
            for form in [true, false] {
                let active = try await introspect(service, access, form: form).json
                #expect(active["active"] == .bool(true))
                #expect(active["sub"] == body["user"]?["id"])
                #expect(active["kakao_id"] == .string("9223372036854775807"))
                #expect(active["iss"] == .string("kakao-auth") && active["aud"] == .string("kakao-auth"))
                #expect(active["token_type"] == .string("Bearer"))
                #expect(active["exp"]?.integerValue != nil && active["iat"]?.integerValue != nil && active["sid"]?.stringValue != nil)
            }
            for inactive in [refresh, "garbage", access + "x"] {
                #expect(try await introspect(service, inactive).json == .object(["active": .bool(false)]))
            }
            // An empty token is not a token at all: the request is malformed, in either encoding.
            #expect(try await introspect(service, "").problemCode == "invalid_request")
            #expect(try await introspect(service, "", form: false).problemCode == "invalid_request")
            time.advance(by: 900 + JWTCodec.clockLeeway)
            #expect(try await introspect(service, access).json == .object(["active": .bool(false)]))
            time.advance(by: -(900 + JWTCodec.clockLeeway))
            #expect(try await service.post("/auth/logout", json: "{\"refresh_token\":\(refresh.jsonQuoted)}").status == .noContent)
            #expect(try await introspect(service, access).json == .object(["active": .bool(false)]))
            #expect(try await service.client.postForm("/auth/introspect", [("other", "x")]).problemCode == "invalid_request")
        }
    }

    @Test func introspectionCanRequireACallerToken() async throws {
        let kakao = FakeKakao()
        kakao.addCode("a", profile: "{\"id\":1}")
        let callerToken = "introspection-caller-token-0123456789"
        try await TestService.run(kakao: kakao, environment: ["INTROSPECTION_TOKEN": callerToken]) { service in
            let access = try #require(try await loginBody(service, "a")["access_token"]?.stringValue)
            #expect(try await introspect(service, access).problemCode == "invalid_credentials")
            #expect(try await introspect(service, access, headers: [.authorization: "Bearer wrong"]).status == .unauthorized)
            #expect(try await introspect(service, access, headers: [.authorization: "Bearer \(callerToken)"]).json["active"] == .bool(true))
        }
    }

    @Test func previousSecretsStillVerifyButNeverSign() throws {
        let oldSecret = Array("the-old-secret-the-old-secret-0123456789".utf8)
        let newSecret = Array("the-new-secret-the-new-secret-0123456789".utf8)
        let claims = TokenClaims(subject: "u", sessionID: "s", tokenID: "t", issuedAt: 1_800_000_000, expiresAt: 1_800_000_900)
        let before = JWTCodec(secret: oldSecret, issuer: "kakao-auth", audience: "kakao-auth")
        let rotated = JWTCodec(secret: newSecret, previousSecrets: [oldSecret], issuer: "kakao-auth", audience: "kakao-auth")
        let after = JWTCodec(secret: newSecret, issuer: "kakao-auth", audience: "kakao-auth")
        let oldToken = before.sign(claims, as: .access)
        #expect(try rotated.verify(oldToken, as: .access, now: 1_800_000_100) == claims)
        let newToken = rotated.sign(claims, as: .access)
        #expect(try after.verify(newToken, as: .access, now: 1_800_000_100) == claims, "new tokens are signed with JWT_SECRET")
        #expect(throws: TokenError(kind: .access, reason: .unsupportedHeader)) { try after.verify(oldToken, as: .access, now: 1_800_000_100) }
        #expect(newToken.split(separator: ".")[0] != oldToken.split(separator: ".")[0], "each key has its own kid")
        var environment = TestService.environment(kakaoBaseURL: "http://localhost:9", databasePath: "/tmp/x.sqlite")
        environment["JWT_PREVIOUS_SECRETS"] = "the-old-secret-the-old-secret-0123456789, short"
        #expect(throws: ConfigurationError.self) { try Configuration(environment: environment) }
    }

    @Test func metricsCountRequestsLoginsKakaoCallsReuseAndSessions() async throws {
        let kakao = FakeKakao()
        kakao.addCode("a", profile: "{\"id\":1}")
        let time = ManualClock()
        let metricsPort = try await LoopbackClient.freePort()
        try await TestService.run(kakao: kakao, environment: ["METRICS_PORT": "\(metricsPort)"], clock: time.clock) { service in
            let scrape = { String(buffer: try await service.client.on(port: metricsPort).execute(uri: "/metrics", method: .get).body) }
            let body = try await loginBody(service, "a")
            #expect(try await service.login(code: "a").problemCode == "invalid_grant")
            let refresh = try #require(body["refresh_token"]?.stringValue)
            _ = try await service.refresh(token: refresh)
            _ = try await service.get("/no/such/path/\(UUID().uuidString)")
            let exposition = try await scrape()
            #expect(try await service.get("/metrics").status == .notFound, "never on the public port")
            for line in [
                #"kakao_auth_logins_total{outcome="new_user"} 1"#,
                #"kakao_auth_logins_total{outcome="invalid_grant"} 1"#,
                #"kakao_auth_active_sessions 1.0"#,
                #"kakao_auth_http_requests_total{route="/auth/kakao",method="POST",status="200"} 1"#,
                #"kakao_auth_http_requests_total{route="NotFound",method="GET",status="404"} 1"#,
                #"kakao_auth_kakao_failures_total{endpoint="token",reason="status_400"} 1"#,
            ] {
                #expect(exposition.contains(line), "\(line)")
            }
            #expect(exposition.contains("kakao_auth_kakao_request_duration_seconds_bucket{endpoint=\"user_me\""))
            #expect(exposition.contains("kakao_auth_http_request_duration_seconds_count"))
            time.advance(by: 11)
            #expect(try await service.refresh(token: refresh).problemCode == "refresh_token_reused")
            let later = try await scrape()
            #expect(later.contains("kakao_auth_refresh_reuse_detected_total 1"))
            // Sessions are counted at most every 30 s, however often Prometheus (or anyone) scrapes.
            #expect(later.contains("kakao_auth_active_sessions 1.0"), "counted 11 s ago")
            time.advance(by: LiveSessionGauge.interval - 11)
            #expect(try await scrape().contains("kakao_auth_active_sessions 0.0"))
        }
    }

    /// A route that answers with the id Hummingbird's context has, which its `id` force-unwraps.
    struct ContextIDRoute: AdditionalRoutes {
        func addRoutes<Context: RequestContext>(to router: Router<Context>) {
            router.get("test/context-id") { _, context in context.id }
        }
    }

    @Test func everyAnswerCarriesARequestID() async throws {
        try await TestService.run(kakaoBaseURL: "http://127.0.0.1:9", additionalRoutes: ContextIDRoute()) { service in
            let echoed = try await service.get("/test/context-id", headers: [.requestID: "trace-ctx.7"])
            #expect(String(buffer: echoed.body) == "trace-ctx.7" && echoed.headers[.requestID] == "trace-ctx.7")
            let fresh = try await service.get("/test/context-id")
            #expect(String(buffer: fresh.body) == fresh.headers[.requestID], "the context's id is the one answered")
            let generated = try await service.get("/healthz")
            #expect((generated.headers[.requestID]?.count ?? 0) >= 22)
            #expect(try await service.get("/healthz", headers: [.requestID: "trace-abc.123"]).headers[.requestID] == "trace-abc.123")
            let forged = try await service.get("/nope", headers: [.requestID: "x\" injected=1"])
            #expect(forged.headers[.requestID] != "x\" injected=1")
            #expect(forged.headers[.requestID]?.isEmpty == false)
        }
    }

    @Test func loginRefreshAndWebhookAreRateLimitedPerClient() async throws {
        try await TestService.run(environment: ["RATE_LIMIT_PER_MINUTE": "3", "KAKAO_ADMIN_KEY": FakeKakao.adminKey]) { service in
            for _ in 0..<3 { #expect(try await service.login(code: "x").problemCode == "invalid_grant") }
            let limited = try await service.login(code: "x")
            #expect(limited.status == .tooManyRequests)
            #expect(limited.problemCode == "rate_limited")
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
            // Other endpoints, and other limited endpoints, keep their own budgets.
            #expect(try await service.refresh(token: "x").problemCode == "refresh_token_invalid")
            for _ in 0..<5 { #expect(try await service.get("/healthz").status == .ok) }
            for _ in 0..<3 { _ = try await service.get("/webhooks/kakao/unlink") }
            #expect(try await service.get("/webhooks/kakao/unlink").problemCode == "rate_limited")
        }
    }

    @Test func forwardedForCountsOnlyBehindTrustedProxies() async throws {
        let forwarded = HTTPField.Name("X-Forwarded-For")!
        try await TestService.run(environment: ["RATE_LIMIT_PER_MINUTE": "1", "TRUSTED_PROXIES": "127.0.0.0/8, ::1"]) { service in
            for client in ["203.0.113.1", "203.0.113.2"] {
                let answer = try await service.post("/auth/refresh", headers: [forwarded: "\(client), 127.0.0.1"])
                #expect(answer.problemCode == "refresh_token_invalid")
            }
            let again = try await service.post("/auth/refresh", headers: [forwarded: "203.0.113.1"])
            #expect(again.problemCode == "rate_limited")
        }
        try await TestService.run(environment: ["RATE_LIMIT_PER_MINUTE": "1"]) { service in
            // Untrusted peer: whatever it claims, it is itself.
            let first = try await service.post("/auth/refresh", headers: [forwarded: "203.0.113.1"])
            #expect(first.problemCode == "refresh_token_invalid")
            let second = try await service.post("/auth/refresh", headers: [forwarded: "203.0.113.2"])
            #expect(second.problemCode == "rate_limited")
        }
    }

    @Test func purgeDeletesWhatCanNeverBeUsedAgainInBatches() async throws {
        let kakao = FakeKakao()
        for code in ["a", "b", "c"] { kakao.addCode(code, profile: "{\"id\":1}") }
        let time = ManualClock()
        try await TestService.run(kakao: kakao, environment: ["SESSION_TTL": "3600", "REFRESH_TOKEN_TTL": "600"], clock: time.clock) { service in
            let a = try await loginBody(service, "a")
            _ = try await loginBody(service, "b")
            let firstRefresh = try #require(a["refresh_token"]?.stringValue)
            #expect(try await service.refresh(token: firstRefresh).status == .ok)
            let database = try SQLiteStore(path: service.databasePath)
            let year: Int64 = 365 * 86_400
            #expect(try await database.purge(now: time.clock.now(), auditRetention: year).rowsDeleted == 0, "nothing is over yet")
            time.advance(by: 700)
            _ = try await loginBody(service, "c")
            // The rotated first token of session a has expired: gone. Every current token stays.
            let report = try await database.purge(now: time.clock.now(), auditRetention: year, batchSize: 1)
            #expect(report.refreshTokens == 1 && report.rowsDeleted == 1)
            #expect(try service.count("refresh_tokens") == 3)
            time.advance(by: 3600)
            #expect(try await database.purge(now: time.clock.now(), auditRetention: year, batchSize: 1).sessions == 3)
            #expect(try service.count("sessions") == 0 && service.count("refresh_tokens") == 0)
            #expect(try service.count("users") == 1, "users are not purged")
        }
    }
}

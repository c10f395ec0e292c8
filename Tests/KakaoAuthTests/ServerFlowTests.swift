import Foundation
import Hummingbird
import Testing

@testable import KakaoAuth

/// `GET /auth/kakao/login` → Kakao (the emulator) → `GET /auth/kakao/callback`, with the sealed state cookie.
@Suite struct ServerFlowTests {
    static let publicURL = "https://auth.example"
    static let callback = publicURL + "/auth/kakao/callback"
    static var environment: [String: String] {
        [
            "PUBLIC_URL": publicURL,
            "KAKAO_REDIRECT_URIS": "\(TestService.redirectURI),\(callback)",
            "CORS_ALLOWED_ORIGINS": "https://app.example",
        ]
    }

    /// Runs the service against the emulator with the server flow enabled.
    func withFlow(clock: UnixClock = .system, _ body: @Sendable (TestService, LoopbackClient) async throws -> Void) async throws {
        try await TestEmulator.run(TestEmulator.settings(), clock: clock) { emulatorURL, emulator in
            try await TestService.run(kakaoBaseURL: emulatorURL, environment: Self.environment, clock: clock) { service in
                try await body(service, emulator)
            }
        }
    }

    /// Starts the flow and answers Kakao's consent page; returns the start answer and the callback URL.
    func startAndConsent(_ service: TestService, _ emulator: LoopbackClient, returnTo: String = "/welcome", decision: String = "approve") async throws
        -> (start: HTTPAnswer, callback: [String: String])
    {
        let start = try await service.get("/auth/kakao/login?return_to=" + URLEncodedForm.escape(returnTo))
        #expect(start.status == .found)
        let authorize = try #require(start.redirect)
        #expect(authorize.url == emulator.baseURL + "/oauth/authorize")
        let consent = try await emulator.consent(authorize.query, kakaoID: "31337", decision: decision)
        let back = try #require(consent.redirect)
        #expect(back.url == Self.callback)
        return (start, back.query)
    }

    func callbackPath(_ query: [String: String]) -> String {
        "/auth/kakao/callback?" + URLEncodedForm.encode(query.sorted { $0.key < $1.key })
    }

    @Test func fullFlowSetsTheAuthCookiesAndReturns() async throws {
        try await withFlow { service, emulator in
            let (start, callback) = try await startAndConsent(service, emulator)
            let authorize = try #require(start.redirect?.query)
            #expect(authorize["client_id"] == FakeKakao.clientID)
            #expect(authorize["redirect_uri"] == Self.callback)
            #expect(authorize["response_type"] == "code")
            #expect(authorize["code_challenge_method"] == "S256")
            #expect(authorize["code_challenge"]?.count == 43)
            #expect((authorize["state"]?.count ?? 0) >= 22)
            let stateCookie = try #require(start.setCookies["__Host-kakao_login_state"])
            #expect(Set(stateCookie.attributes) == ["Max-Age=600", "Path=/", "Secure", "HttpOnly", "SameSite=Lax"])

            let landed = try await service.get(callbackPath(callback), headers: start.cookieHeader)
            #expect(landed.status == .found)
            #expect(landed.headers[.location] == "/welcome")
            #expect(landed.setCookies["__Host-kakao_login_state"]?.value == "")
            let me = try await service.get("/users/me", headers: landed.cookieHeader)
            #expect(try me.json["kakao_id"] == .string("31337"))

            // The state is good once: the cookie is gone, and replaying the callback with the old one is refused
            // for the state, before the code could reach Kakao again (which would say invalid_grant).
            let replay = try await service.get(callbackPath(callback), headers: start.cookieHeader)
            #expect(replay.status == .badRequest)
            #expect(replay.problemCode == "invalid_state")
            #expect(replay.setCookies["__Host-kakao_login_state"]?.value == "")
            #expect(try service.count("used_credentials") == 1)
            #expect(try service.count("sessions") == 1)
        }
    }

    @Test func callbackWithoutMatchingStateIsRefusedBeforeKakao() async throws {
        let time = ManualClock()
        try await withFlow(clock: time.clock) { service, emulator in
            let (start, callback) = try await startAndConsent(service, emulator)
            let missing = try await service.get(callbackPath(callback))
            #expect(missing.problemCode == "invalid_state")
            var forged = callback
            forged["state"] = "attacker-state"
            #expect(try await service.get(callbackPath(forged), headers: start.cookieHeader).problemCode == "invalid_state")
            let tampered: HTTPFields = [.cookie: start.cookieHeader[.cookie]!.replacingOccurrences(of: ".", with: "x.")]
            #expect(try await service.get(callbackPath(callback), headers: tampered).problemCode == "invalid_state")
            time.advance(by: LoginStateCookie.lifetime)
            #expect(try await service.get(callbackPath(callback), headers: start.cookieHeader).problemCode == "invalid_state")
            #expect(try service.count("users") == 0)
            // Still unspent at Kakao: none of the refused callbacks exchanged it.
            time.advance(by: -LoginStateCookie.lifetime)
            let landed = try await service.get(callbackPath(callback), headers: start.cookieHeader)
            #expect(landed.headers[.location] == "/welcome")
        }
    }

    @Test func cancelledConsentReturnsWithAccessDenied() async throws {
        try await withFlow { service, emulator in
            let (start, callback) = try await startAndConsent(service, emulator, returnTo: "/account?tab=1#top", decision: "cancel")
            let landed = try await service.get(callbackPath(callback), headers: start.cookieHeader)
            #expect(landed.status == .found)
            #expect(landed.headers[.location] == "/account?tab=1&error=access_denied#top")
            #expect(landed.setCookies["__Host-access_token"] == nil)
        }
    }

    @Test(arguments: [
        "//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "https://app.example.evil/",
        "http://app.example/", "/\u{0}x", "welcome", "https://user@app.example/",
        // The longest the API documents, each character 12 bytes once percent-encoded: still a problem+json 400.
        String(repeating: "\u{0D1}\u{F3A2F}", count: 1024),
    ])
    func returnToMustNotBeAnOpenRedirect(target: String) async throws {
        try await withFlow { service, _ in
            let answer = try await service.get("/auth/kakao/login?return_to=" + URLEncodedForm.escape(target))
            #expect(answer.problemCode == "invalid_request", "\(target)")
        }
    }

    /// `return_to`'s pattern in openapi.yaml says exactly which paths the service takes: the same answer on
    /// generated strings of the characters that matter (every URL delimiter, escapes, what browsers misread).
    @Test func returnToPathsAreCheckedExactlyAsTheAPIDescriptionSays() throws {
        let spec = String(decoding: PackageResources.openapi_yaml, as: UTF8.self)
        let line = try #require(spec.split(separator: "\n").first { $0.contains("pattern: \"^/") })
        // A YAML double-quoted scalar: `\\` is one backslash.
        let quoted = line.drop { $0 != "\"" }.dropFirst().dropLast()
        let pattern = quoted.replacingOccurrences(of: "\\\\", with: "\\")
        let regex = try NSRegularExpression(pattern: pattern)
        let alphabet = Array("/?#%aZ09-._~!$&'()*+,;=:@\\ \"<>[]{}|^`éfF").map(String.init) + ["%2F", "%zz", "%a", "//", "\u{0}", "\u{7F}"]
        var random = SeededRandom(seed: 2048)
        for _ in 0..<20_000 {
            let body = (0..<Int.random(in: 0...8, using: &random)).map { _ in random.pick(alphabet) }.joined()
            let text = (random.chance(0.8) ? "/" : "") + body
            let matches = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            #expect(ServerFlowController.isLocalPath(text) == matches, "\(text.debugDescription)")
        }
    }

    @Test func returnToMayBeAnAllowedOrigin() async throws {
        try await withFlow { service, emulator in
            let (start, callback) = try await startAndConsent(service, emulator, returnTo: "https://app.example/done")
            let landed = try await service.get(callbackPath(callback), headers: start.cookieHeader)
            #expect(landed.headers[.location] == "https://app.example/done")
        }
    }

    @Test func serverFlowNeedsItsCallbackRegistered() {
        var environment = TestService.environment(kakaoBaseURL: "http://localhost:9", databasePath: "/tmp/x.sqlite")
        environment["PUBLIC_URL"] = Self.publicURL
        #expect(throws: ConfigurationError.self) { try Configuration(environment: environment) }
    }

    @Test func withoutPublicURLThereIsNoServerFlow() async throws {
        try await TestService.run { service in
            let answer = try await service.get("/auth/kakao/login")
            #expect(answer.problemCode == "not_found")
        }
    }
}

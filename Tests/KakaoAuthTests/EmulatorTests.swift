import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens
@testable import KakaoEmulator

/// The emulator behaves as Kakao documents: consent, codes, KOE errors, omitted fields, admin calls, faults.
@Suite struct EmulatorTests {
    static let redirectURI = "https://app.example/callback"

    func authorizeQuery(_ extra: [String: String] = [:]) -> [String: String] {
        ["client_id": FakeKakao.clientID, "redirect_uri": Self.redirectURI, "response_type": "code", "state": "s-1"].merging(extra) { $1 }
    }

    func code(_ client: LoopbackClient, _ query: [String: String]? = nil, email: String? = "ryan@kakao.test", kakaoID: String = "9007199254740993")
        async throws -> String
    {
        let redirect = try await client.consent(query ?? authorizeQuery(), kakaoID: kakaoID, email: email)
        #expect(redirect.status == .found)
        return try #require(redirect.redirect?.query["code"])
    }

    func exchange(
        _ client: LoopbackClient, code: String, redirectURI: String = redirectURI, secret: String = FakeKakao.clientSecret, verifier: String? = nil
    ) async throws -> HTTPAnswer {
        var fields = [
            ("grant_type", "authorization_code"), ("client_id", FakeKakao.clientID), ("client_secret", secret), ("redirect_uri", redirectURI),
            ("code", code),
        ]
        if let verifier { fields.append(("code_verifier", verifier)) }
        return try await client.postForm("/oauth/token", fields)
    }

    @Test func consentPageShowsTheRequestSafely() async throws {
        try await TestEmulator.run { _, client in
            let query = URLEncodedForm.encode(authorizeQuery(["state": "\"><script>alert(1)</script>"]).sorted { $0.key < $1.key })
            let page = try await client.execute(uri: "/oauth/authorize?" + query, method: .get)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains("카카오 로그인") && html.contains("Agree"))
            #expect(html.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!html.contains("<script>alert(1)"))
        }
    }

    @Test func misconfiguredAuthorizeRequestsGetKakaosErrorPages() async throws {
        try await TestEmulator.run(TestEmulator.settings(redirectURIs: [Self.redirectURI])) { _, client in
            for (query, code) in [
                (authorizeQuery(["client_id": "wrong"]), "KOE101"),
                (authorizeQuery(["redirect_uri": "https://evil.example/cb"]), "KOE006"),
                (authorizeQuery(["response_type": "token"]), "KOE004"),
                (authorizeQuery(["code_challenge": "abc", "code_challenge_method": "plain"]), "KOE004"),
            ] {
                let page = try await client.execute(uri: "/oauth/authorize?" + URLEncodedForm.encode(query.map { ($0.key, $0.value) }), method: .get)
                #expect(page.status == .badRequest)
                #expect(String(buffer: page.body).contains(code))
            }
        }
    }

    @Test func cancelAndPromptNoneRedirectWithErrorsAndState() async throws {
        try await TestEmulator.run { _, client in
            let cancelled = try await client.consent(authorizeQuery(), decision: "cancel")
            #expect(cancelled.redirect?.url == Self.redirectURI)
            #expect(cancelled.redirect?.query == ["error": "access_denied", "error_description": "User denied access", "state": "s-1"])
            let silent = try await client.execute(
                uri: "/oauth/authorize?" + URLEncodedForm.encode(authorizeQuery(["prompt": "none"]).map { ($0.key, $0.value) }), method: .get)
            #expect(silent.redirect?.query["error"] == "consent_required")
            #expect(silent.redirect?.query["state"] == "s-1")
        }
    }

    @Test func codesAreSingleUseAndBoundToRedirectURIAndClient() async throws {
        try await TestEmulator.run { _, client in
            let first = try await code(client)
            #expect(try await exchange(client, code: first, secret: "wrong").json["error_code"] == .string("KOE010"))
            let second = try await code(client)
            #expect(try await exchange(client, code: second, redirectURI: "https://app.example/other").json["error_code"] == .string("KOE303"))
            #expect(try await exchange(client, code: second).json["error_code"] == .string("KOE320"), "a refused exchange still burns the code")
            let third = try await code(client)
            let tokens = try await exchange(client, code: third)
            #expect(tokens.status == .ok)
            #expect(try tokens.json["token_type"] == .string("bearer"))
            #expect(try tokens.json["access_token"]?.stringValue != nil)
            let reused = try await exchange(client, code: third)
            #expect(reused.status == .badRequest)
            let reusedError = try reused.json
            #expect(reusedError["error"] == .string("invalid_grant") && reusedError["error_code"] == .string("KOE320"))
            let wrongClient = try await client.postForm("/oauth/token", [("grant_type", "authorization_code"), ("client_id", "nope"), ("code", "x")])
            #expect(wrongClient.status == .unauthorized)
            #expect(try wrongClient.json["error_code"] == .string("KOE101"))
        }
    }

    @Test func codesExpireAfterTenMinutes() async throws {
        let time = ManualClock()
        try await TestEmulator.run(clock: time.clock) { _, client in
            let value = try await code(client)
            time.advance(by: EmulatorState.codeLifetime)
            #expect(try await exchange(client, code: value).json["error_code"] == .string("KOE320"))
        }
    }

    @Test func pkceVerifierMustMatchTheChallenge() async throws {
        try await TestEmulator.run { _, client in
            let verifier = String(repeating: "a", count: 43)
            let challenge = Base64URL.encode(OpenSSL.sha256(verifier))
            let query = authorizeQuery(["code_challenge": challenge, "code_challenge_method": "S256"])
            let wrongVerifier = try await exchange(client, code: code(client, query), verifier: String(repeating: "b", count: 43))
            #expect(try wrongVerifier.json["error_code"] == .string("KOE320"))
            let noVerifier = try await exchange(client, code: code(client, query))
            #expect(try noVerifier.json["error_code"] == .string("KOE320"), "a missing verifier is refused")
            let rightVerifier = try await exchange(client, code: code(client, query), verifier: verifier)
            #expect(rightVerifier.status == .ok)
        }
    }

    @Test func userEndpointOmitsWhatWasNotSharedAndKnowsAdminAndLogoutCalls() async throws {
        try await TestEmulator.run { _, client in
            let withEmail = try await exchange(client, code: code(client)).json["access_token"]!.stringValue!
            let me = try await client.execute(uri: "/v2/user/me", method: .get, headers: [.authorization: "Bearer \(withEmail)"]).json
            #expect(me["id"] == .number("9007199254740993"))
            #expect(me["kakao_account"]?["email"] == .string("ryan@kakao.test"))
            #expect(me["kakao_account"]?["profile"]?["nickname"] == .string("라이언"))

            let withoutEmail = try await exchange(client, code: code(client, email: nil, kakaoID: "77")).json["access_token"]!.stringValue!
            let privateAnswer = try await client.execute(uri: "/v2/user/me", method: .post, headers: [.authorization: "Bearer \(withoutEmail)"]).json
            #expect(privateAnswer["kakao_account"]?["email"] == nil && privateAnswer["kakao_account"]?["is_email_verified"] == nil)

            let info = try await client.execute(uri: "/v1/user/access_token_info", method: .get, headers: [.authorization: "Bearer \(withoutEmail)"])
                .json
            #expect(info["id"] == .number("77"))

            let admin = try await client.execute(
                uri: "/v2/user/me?target_id_type=user_id&target_id=77", method: .get, headers: [.authorization: "KakaoAK \(FakeKakao.adminKey)"])
            #expect(try admin.json["id"] == .number("77"))
            let badAdmin = try await client.execute(
                uri: "/v2/user/me?target_id_type=user_id&target_id=77", method: .get, headers: [.authorization: "KakaoAK wrong"])
            #expect(badAdmin.status == .unauthorized)
            #expect(try badAdmin.json["code"] == .number("-401"))

            let logout = try await client.execute(uri: "/v1/user/logout", method: .post, headers: [.authorization: "Bearer \(withEmail)"])
            #expect(try logout.json["id"] == .number("9007199254740993"))
            let revoked = try await client.execute(uri: "/v2/user/me", method: .get, headers: [.authorization: "Bearer \(withEmail)"])
            #expect(revoked.status == .unauthorized)
            #expect(revoked.headers[.wwwAuthenticate]?.contains("invalid_token") == true)

            let unlink = try await client.postForm(
                "/v1/user/unlink", [("target_id_type", "user_id"), ("target_id", "77")], headers: [.authorization: "KakaoAK \(FakeKakao.adminKey)"])
            #expect(try unlink.json["id"] == .number("77"))
            #expect(
                try await client.execute(uri: "/v2/user/me", method: .get, headers: [.authorization: "Bearer \(withoutEmail)"]).status
                    == .unauthorized)
            let unknown = try await client.execute(
                uri: "/v2/user/me?target_id_type=user_id&target_id=77", method: .get, headers: [.authorization: "KakaoAK \(FakeKakao.adminKey)"])
            #expect(try unknown.json["code"] == .number("-101"))
        }
    }

    @Test func refreshTokenGrantIssuesANewAccessToken() async throws {
        try await TestEmulator.run { _, client in
            let tokens = try await exchange(client, code: code(client)).json
            let refreshed = try await client.postForm(
                "/oauth/token",
                [
                    ("grant_type", "refresh_token"), ("client_id", FakeKakao.clientID), ("client_secret", FakeKakao.clientSecret),
                    ("refresh_token", tokens["refresh_token"]!.stringValue!),
                ])
            let access = try #require(try refreshed.json["access_token"]?.stringValue)
            #expect(access != tokens["access_token"]?.stringValue)
            #expect(try await client.execute(uri: "/v2/user/me", method: .get, headers: [.authorization: "Bearer \(access)"]).status == .ok)
            let bad = try await client.postForm(
                "/oauth/token",
                [
                    ("grant_type", "refresh_token"), ("client_id", FakeKakao.clientID), ("client_secret", FakeKakao.clientSecret),
                    ("refresh_token", "nope"),
                ])
            #expect(try bad.json["error_code"] == .string("KOE322"))
        }
    }

    @Test func faultSwitchesMakeEndpointsSlowOrFail() async throws {
        let settings = TestEmulator.settings(tokenFault: .init(status: 503), userFault: .init(delay: .milliseconds(300)))
        try await TestEmulator.run(settings) { _, client in
            #expect(try await exchange(client, code: code(client)).status == .serviceUnavailable)
            let started = ContinuousClock.now
            _ = try await client.execute(uri: "/v2/user/me", method: .get, headers: [.authorization: "Bearer x"])
            #expect(ContinuousClock.now - started >= .milliseconds(300))
        }
    }

    @Test func benchmarkModeAcceptsAnyCodeAndMapsItToAUser() async throws {
        var settings = TestEmulator.settings()
        settings.acceptAnyCode = true
        try await TestEmulator.run(settings) { _, client in
            let first = try #require(try await exchange(client, code: "user-42").json["access_token"]?.stringValue)
            let user = try await client.execute(uri: "/v2/user/me", method: .get, headers: [.authorization: "Bearer \(first)"])
            #expect(try user.json["id"] == .number("42"))
            let fresh = try #require(try await exchange(client, code: "any-other-code").json["access_token"]?.stringValue)
            let other = try await client.execute(uri: "/v2/user/me", method: .get, headers: [.authorization: "Bearer \(fresh)"])
            let id = try other.json["id"]?.integerValue
            #expect((id ?? 0) > 0 && id != 42)
        }
        try await TestEmulator.run { _, client in
            let refused = try await exchange(client, code: "user-42")
            #expect(try refused.json["error_code"] == .string("KOE320"), "off unless asked for")
        }
    }

    @Test func theServiceLogsInThroughTheEmulatorWithPKCE() async throws {
        try await TestEmulator.run { emulatorURL, emulator in
            try await TestService.run(kakaoBaseURL: emulatorURL) { service in
                let verifier = Base64URL.encode(OpenSSL.randomBytes(count: 32))
                let query = authorizeQuery([
                    "redirect_uri": TestService.redirectURI, "code_challenge": Base64URL.encode(OpenSSL.sha256(verifier)),
                    "code_challenge_method": "S256",
                ])
                let code = try await code(emulator, query, kakaoID: "9223372036854775807")
                let login = try await service.login(code: code, delivery: "body", extra: ",\"code_verifier\":\"\(verifier)\"")
                #expect(login.status == .ok)
                #expect(try login.json["user"]?["kakao_id"] == .string("9223372036854775807"))
                #expect(try login.json["user"]?["email_verified"] == .bool(true))
                #expect(try await service.login(code: code, delivery: "body").problemCode == "invalid_grant")
            }
        }
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// Every error code, as problem+json, and a failed login leaves nothing behind.
@Suite struct ErrorAnswerTests {
    func expectProblem(_ response: HTTPAnswer, _ code: String, _ status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status.code == status, sourceLocation: sourceLocation)
        #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        let problem = try response.json
        #expect(problem["code"] == .string(code), sourceLocation: sourceLocation)
        #expect(problem["status"]?.integerValue == Int64(status), sourceLocation: sourceLocation)
        #expect(problem["type"]?.stringValue == "urn:kakao-auth:problem:\(code)", sourceLocation: sourceLocation)
        #expect(problem["title"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(problem["detail"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        "", "{", "[]", "\"code\"", "{}", "{\"code\":\"\"}", "{\"code\":42}", "{\"code\":null}", "{\"code\":\"x\",\"redirect_uri\":1}",
        "{\"code\":\"x\",\"token_delivery\":\"smoke\"}", "{\"code\":\"x\",\"surprise\":true}", "{\"code\":\"x\",\"code\":\"y\"}",
        "{\"code\":\"x\",\"code_verifier\":\"short\"}", String(repeating: "[", count: 5000),
    ])
    func malformedLoginRequestsAreInvalidRequestAndNeverReachKakao(body: String) async throws {
        let kakao = FakeKakao()
        try await TestService.run(kakao: kakao) { service in
            try expectProblem(try await service.post("/auth/kakao", json: body, headers: [.contentType: "application/json"]), "invalid_request", 400)
            #expect(kakao.tokenRequests.isEmpty)
        }
    }

    @Test func nonJSONBodiesAreUnsupportedMediaType() async throws {
        try await TestService.run { service in
            try expectProblem(
                try await service.post("/auth/kakao", json: "{\"code\":\"x\"}", headers: [.contentType: "text/plain"]), "unsupported_media_type", 415)
            try expectProblem(
                try await service.post("/auth/kakao", json: "code=x", headers: [.contentType: "application/x-www-form-urlencoded"]),
                "unsupported_media_type", 415)
        }
    }

    @Test func unlistedRedirectURIIsRefusedBeforeKakaoIsCalled() async throws {
        let kakao = FakeKakao()
        kakao.addCode("code", profile: "{\"id\":1}")
        try await TestService.run(kakao: kakao) { service in
            for uri in [
                "https://evil.example/callback", "https://app.example/callback/", "https://app.example/callback?x=1", "HTTPS://app.example/callback",
            ] {
                try expectProblem(
                    try await service.login(code: "code", extra: ",\"redirect_uri\":\(uri.jsonQuoted)"), "redirect_uri_not_allowed", 400)
            }
            #expect(kakao.tokenRequests.isEmpty)
        }
        // Bytes, not canonical equivalence: KELVIN SIGN (U+212A) is K to Swift's `==`, not to Kakao.
        try await TestService.run(kakao: kakao, environment: ["KAKAO_REDIRECT_URIS": "https://app.example/Kakao/callback"]) { service in
            for uri in ["https://app.example/\u{212A}akao/callback", "https://app.example/Kakao/callback\u{0301}"] {
                try expectProblem(
                    try await service.login(code: "code", extra: ",\"redirect_uri\":\(uri.jsonQuoted)"), "redirect_uri_not_allowed", 400)
            }
            #expect(kakao.tokenRequests.isEmpty)
        }
    }

    @Test func codeKakaoRefusesIsInvalidGrant() async throws {
        let kakao = FakeKakao()
        kakao.addCode("once", profile: "{\"id\":1}")
        try await TestService.run(kakao: kakao) { service in
            #expect(try await service.login(code: "once").status == .ok)
            try expectProblem(try await service.login(code: "once"), "invalid_grant", 400)
            try expectProblem(try await service.login(code: "never-issued"), "invalid_grant", 400)
            #expect(try service.count("users") == 1)
            #expect(try service.count("sessions") == 1)
        }
    }

    static let kakaoFailures: [(String, FakeKakao.Script, String)] = [
        ("token 500", .init(token: .init(status: 500, body: "{}"), user: .init(body: "{\"id\":1}")), "provider_error"),
        (
            "token 503 html", .init(token: .init(status: 503, body: "<html>down</html>", contentType: "text/html"), user: .init(body: "{\"id\":1}")),
            "provider_error"
        ),
        ("token 200 html", .init(token: .init(body: "<html>hi</html>", contentType: "text/html"), user: .init(body: "{\"id\":1}")), "provider_error"),
        ("token 200 no access_token", .init(token: .init(body: "{\"token_type\":\"bearer\"}"), user: .init(body: "{\"id\":1}")), "provider_error"),
        ("token 200 truncated", .init(token: .init(body: "{\"access_token\":\"kakao-acc"), user: .init(body: "{\"id\":1}")), "provider_error"),
        (
            "token rate limited",
            .init(token: .init(status: 429, body: "{\"error\":\"invalid_request\",\"error_code\":\"KOE237\"}"), user: .init(body: "{\"id\":1}")),
            "provider_error"
        ),
        ("user 500", .init(user: .init(status: 500, body: "{\"msg\":\"oops\",\"code\":-1}")), "provider_error"),
        ("user 401", .init(user: .init(status: 401, body: "{\"msg\":\"this access token does not exist\",\"code\":-401}")), "provider_error"),
        ("user id string", .init(user: .init(body: "{\"id\":\"123\"}")), "provider_error"),
        ("user id fraction", .init(user: .init(body: "{\"id\":12.5}")), "provider_error"),
        ("user id float", .init(user: .init(body: "{\"id\":12.0}")), "provider_error"),
        ("user id exponent", .init(user: .init(body: "{\"id\":1e3}")), "provider_error"),
        ("user id negative", .init(user: .init(body: "{\"id\":-5}")), "provider_error"),
        ("user id zero", .init(user: .init(body: "{\"id\":0}")), "provider_error"),
        ("user id too large", .init(user: .init(body: "{\"id\":9223372036854775808}")), "provider_error"),
        ("user id missing", .init(user: .init(body: "{\"kakao_account\":{}}")), "provider_error"),
        ("user not an object", .init(user: .init(body: "[1]")), "provider_error"),
        ("user oversized", .init(user: .init(body: "{\"id\":1,\"pad\":\"" + String(repeating: "x", count: 1_100_000) + "\"}")), "provider_error"),
        ("user slow", .init(user: .init(body: "{\"id\":1}", delay: .seconds(9))), "provider_timeout"),
        (
            "token slow", .init(token: .init(body: "{\"access_token\":\"kakao-access-code\"}", delay: .seconds(9)), user: .init(body: "{\"id\":1}")),
            "provider_timeout"
        ),
    ]

    @Test(arguments: kakaoFailures)
    func kakaoFailuresAreProviderProblemsAndLeaveNothingBehind(name: String, script: FakeKakao.Script, code: String) async throws {
        let kakao = FakeKakao()
        kakao.addCode("code", script: script)
        // A short deadline only where the deadline is the point: on a machine busy with the rest of the suite,
        // the fake's immediate answers once took more than 1 s to arrive, and read as timeouts.
        let timesOut = code == "provider_timeout"
        try await TestService.run(kakao: kakao, environment: ["KAKAO_TIMEOUT_SECONDS": timesOut ? "1" : "10"]) { service in
            let started = ContinuousClock.now
            try expectProblem(try await service.login(code: "code"), code, timesOut ? 504 : 502)
            // Well under the fake's 9 s delay, so only the 1 s deadline can explain it, with room for a
            // machine busy running the rest of the suite in parallel (4.4 s was seen there).
            if timesOut { #expect(ContinuousClock.now - started < .seconds(7), "\(name) took too long") }
            #expect(try service.count("users") == 0)
            #expect(try service.count("sessions") == 0)
            #expect(try service.count("refresh_tokens") == 0)
        }
    }

    @Test func badClientCredentialsAreProviderErrors() async throws {
        let kakao = FakeKakao()
        kakao.addCode("code", profile: "{\"id\":1}")
        try await TestService.run(kakao: kakao, environment: ["KAKAO_CLIENT_SECRET": "wrong"]) { service in
            let response = try await service.login(code: "code")
            try expectProblem(response, "provider_error", 502)
            #expect(try response.json["detail"]?.stringValue?.contains("KOE010") == true)
        }
    }

    @Test func unreachableKakaoIsAProviderError() async throws {
        try await TestService.run(environment: ["KAKAO_AUTH_BASE_URL": "http://127.0.0.1:1"]) { service in
            try expectProblem(try await service.login(code: "code"), "provider_error", 502)
        }
    }

    @Test func oversizedBodiesArePayloadTooLarge() async throws {
        let kakao = FakeKakao()
        try await TestService.run(kakao: kakao) { service in
            let big = "{\"code\":\"" + String(repeating: "x", count: 70_000) + "\"}"
            try expectProblem(try await service.post("/auth/kakao", json: big), "payload_too_large", 413)
            try expectProblem(try await service.post("/auth/refresh", json: big), "payload_too_large", 413)
            #expect(kakao.tokenRequests.isEmpty)
        }
    }

    @Test func badAccessTokensAreInvalidTokenWithAChallenge() async throws {
        try await TestService.run { service in
            for headers: HTTPFields in [
                [:], [.authorization: "Bearer"], [.authorization: "Basic abc"], [.authorization: "Bearer not.a.token"],
                [.authorization: "Bearer " + String(repeating: "a", count: 5000)], [.cookie: "__Host-access_token=garbage"],
            ] {
                let response = try await service.get("/users/me", headers: headers)
                try expectProblem(response, "invalid_token", 401)
                #expect(response.headers[.wwwAuthenticate] == "Bearer error=\"invalid_token\"")
            }
        }
    }

    @Test func badRefreshTokensAreRefreshTokenInvalid() async throws {
        try await TestService.run { service in
            try expectProblem(try await service.post("/auth/refresh"), "refresh_token_invalid", 401)
            try expectProblem(try await service.refresh(token: "garbage"), "refresh_token_invalid", 401)
            try expectProblem(
                try await service.post("/auth/refresh", headers: [.cookie: "__Secure-refresh_token=garbage"]), "refresh_token_invalid", 401)
            try expectProblem(try await service.post("/auth/logout", json: "{\"refresh_token\":\"garbage\"}"), "refresh_token_invalid", 401)
            try expectProblem(try await service.post("/auth/refresh", json: "{\"refresh_token\":7}"), "invalid_request", 400)
        }
    }

    @Test func unknownPathsAreNotFoundAndUnservedMethodsNotAllowed() async throws {
        try await TestService.run { service in
            try expectProblem(try await service.get("/nope"), "not_found", 404)
            try expectProblem(try await service.get("/auth/kakao/nope"), "not_found", 404)
            try expectProblem(try await service.get("/auth/kakao"), "method_not_allowed", 405)
        }
    }
}

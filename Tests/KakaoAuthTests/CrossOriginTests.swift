import Foundation
import HTTPTypes
import Hummingbird
import Testing
@testable import KakaoAuth

/// CORS for an exact allowlist, and CSRF refusal of cookie-borne cross-origin requests.
@Suite struct CrossOriginTests {
    static let environment = ["CORS_ALLOWED_ORIGINS": "https://app.example, https://admin.example:8443"]
    let sameSite = HTTPField.Name("Sec-Fetch-Site")!

    @Test(arguments: ["https://app.example", "https://admin.example:8443"])
    func allowedOriginsGetCredentialedCORS(origin: String) async throws {
        try await TestService.run(environment: Self.environment) { service in
            let answer = try await service.get("/healthz", headers: [.origin: origin])
            #expect(answer.headers[.accessControlAllowOrigin] == origin)
            #expect(answer.headers[.accessControlAllowCredentials] == "true")
            #expect(answer.headers[values: .vary].contains("Origin"))
            let preflight = try await service.options("/auth/refresh", headers: [.origin: origin, .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "content-type"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == origin)
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("POST") == true)
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("Content-Type") == true)
        }
    }

    @Test(arguments: ["https://app.example.evil", "https://evil-app.example", "https://evil.example", "http://app.example",
                      "https://app.example:444", "null", "https://APP.example.", "*"])
    func otherOriginsGetNoCORSHeaders(origin: String) async throws {
        try await TestService.run(environment: Self.environment) { service in
            let answer = try await service.get("/healthz", headers: [.origin: origin])
            #expect(answer.status == .ok)
            #expect(answer.headers[.accessControlAllowOrigin] == nil)
            #expect(answer.headers[.accessControlAllowCredentials] == nil)
            let preflight = try await service.options("/auth/refresh", headers: [.origin: origin, .accessControlRequestMethod: "POST"])
            #expect(preflight.headers[.accessControlAllowOrigin] == nil)
            #expect(preflight.headers[.accessControlAllowMethods] == nil)
        }
    }

    @Test func cookieBorneRequestsFromOtherSitesAreRefused() async throws {
        let kakao = FakeKakao()
        for code in ["a", "b", "c"] { kakao.addCode(code, profile: "{\"id\":1}") }
        try await TestService.run(kakao: kakao, environment: Self.environment) { service in
            let login = try await service.login(code: "a")
            func refresh(_ extra: HTTPFields) async throws -> HTTPAnswer {
                var headers = login.cookieHeader
                headers.append(contentsOf: extra)
                return try await service.post("/auth/refresh", headers: headers)
            }
            for refused: HTTPFields in [
                [sameSite: "cross-site", .origin: "https://evil.example"],
                [sameSite: "same-site", .origin: "https://evil.example"],
                [sameSite: "cross-site"],
                [.origin: "https://evil.example"],
                [.origin: "null"],
            ] {
                let answer = try await refresh(refused)
                #expect(answer.status == .forbidden)
                #expect(answer.problemCode == "csrf_rejected")
                #expect(answer.setCookies.isEmpty, "a refused cross-site request must not touch the cookies")
            }
            #expect(try await service.post("/auth/logout", headers: login.cookieHeader + [sameSite: "cross-site", .origin: "https://evil.example"]).problemCode == "csrf_rejected")
            #expect(try await service.get("/users/me", headers: login.cookieHeader).status == .ok, "the refused requests changed nothing")

            // Allowed: our own pages, typed URLs, allowlisted origins, the Host's own origin, and non-browsers.
            var current = login
            for allowed: HTTPFields in [
                [sameSite: "same-origin"], [sameSite: "none"], [sameSite: "cross-site", .origin: "https://app.example"],
                [.origin: "http://localhost:\(service.client.port)"], [:],
            ] {
                var headers = current.cookieHeader
                headers.append(contentsOf: allowed)
                let answer = try await service.post("/auth/refresh", headers: headers)
                #expect(answer.status == .ok, "\(allowed)")
                current = answer
            }
        }
    }

    @Test func loginIntoCookiesIsCheckedButTokenBodiesAreNot() async throws {
        let kakao = FakeKakao()
        for code in ["a", "b", "c"] { kakao.addCode(code, profile: "{\"id\":1}") }
        try await TestService.run(kakao: kakao, environment: Self.environment) { service in
            let crossSite: HTTPFields = [.contentType: "application/json", sameSite: "cross-site", .origin: "https://evil.example"]
            let cookieLogin = try await service.post("/auth/kakao", json: "{\"code\":\"a\"}", headers: crossSite)
            #expect(cookieLogin.problemCode == "csrf_rejected")
            #expect(kakao.tokenRequests.isEmpty, "refused before the code is spent")
            let bodyLogin = try await service.post("/auth/kakao", json: "{\"code\":\"b\",\"token_delivery\":\"body\"}", headers: crossSite)
            #expect(bodyLogin.status == .ok)
            let refreshToken = try #require(try bodyLogin.json["refresh_token"]?.stringValue)
            let refreshed = try await service.post("/auth/refresh", json: "{\"refresh_token\":\(refreshToken.jsonQuoted)}", headers: crossSite)
            #expect(refreshed.status == .ok)
        }
    }
}

private func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
    var fields = lhs
    fields.append(contentsOf: rhs)
    return fields
}

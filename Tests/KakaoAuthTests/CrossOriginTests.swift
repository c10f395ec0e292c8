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
            let preflight = try await service.options(
                "/auth/refresh", headers: [.origin: origin, .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "content-type"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == origin)
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("POST") == true)
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("Content-Type") == true)
        }
    }

    @Test(arguments: [
        "https://app.example.evil", "https://evil-app.example", "https://evil.example", "http://app.example",
        "https://app.example:444", "null", "https://APP.example.", "*",
    ])
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
                // The fallback matches scheme, host and port exactly: a plain-http page is another origin, and
                // a host the Unicode lower-casing of which is ours (KELVIN SIGN) is not ours.
                [.origin: "http://localhost:\(service.client.port)"],
                [.origin: "https://localhost:\(service.client.port + 1)"],
                [.origin: "https://\u{212A}akao.example", HTTPField.Name("Host")!: "kakao.example"],
            ] {
                let answer = try await refresh(refused)
                #expect(answer.status == .forbidden)
                #expect(answer.problemCode == "csrf_rejected")
                #expect(answer.setCookies.isEmpty, "a refused cross-site request must not touch the cookies")
            }
            #expect(
                try await service.post("/auth/logout", headers: login.cookieHeader + [sameSite: "cross-site", .origin: "https://evil.example"])
                    .problemCode == "csrf_rejected")
            #expect(try await service.get("/users/me", headers: login.cookieHeader).status == .ok, "the refused requests changed nothing")

            // Allowed: our own pages, typed URLs, allowlisted origins, the Host's own origin, and non-browsers.
            var current = login
            for allowed: HTTPFields in [
                [sameSite: "same-origin"], [sameSite: "none"], [sameSite: "cross-site", .origin: "https://app.example"],
                [.origin: "https://localhost:\(service.client.port)"], [.origin: "https://kakao.example", HTTPField.Name("Host")!: "kakao.example"],
                [:],
            ] {
                var headers = current.cookieHeader
                headers.append(contentsOf: allowed)
                let answer = try await service.post("/auth/refresh", headers: headers)
                #expect(answer.status == .ok, "\(allowed)")
                current = answer
            }
        }
    }

    /// The check runs before the body is read, so no body, content type or delivery choice changes its answer.
    @Test func crossSiteRequestsAreRefusedBeforeTheirBodyIsRead() async throws {
        let kakao = FakeKakao()
        for code in ["a", "b"] { kakao.addCode(code, profile: "{\"id\":1}") }
        try await TestService.run(kakao: kakao, environment: Self.environment) { service in
            let login = try await service.login(code: "a")
            let crossSite: HTTPFields = [sameSite: "cross-site", .origin: "https://evil.example"]
            for (path, body, contentType) in [
                ("/auth/refresh", "x=1", "text/plain"), ("/auth/refresh", "", "text/plain"), ("/auth/refresh", "{", "application/json"),
                ("/auth/refresh", String(repeating: "x", count: 60_000), "application/octet-stream"),
                ("/auth/logout", "{\"all_sessions\":true}", "text/plain;charset=utf-8"),
                ("/auth/kakao", "{\"code\":\"b\",\"token_delivery\":\"body\"}", "application/json"),
            ] {
                let answer = try await service.post(path, json: body, headers: login.cookieHeader + crossSite + [.contentType: contentType])
                #expect(answer.problemCode == "csrf_rejected", "\(path) \(contentType)")
            }
            #expect(kakao.tokenRequests.map { $0["code"] } == ["a"], "refused before code b is spent")
            for (method, path) in [(HTTPRequest.Method.get, "/users/me"), (.delete, "/auth/account")] {
                let answer = try await service.client.execute(uri: path, method: method, headers: login.cookieHeader + crossSite)
                #expect(answer.problemCode == "csrf_rejected", "\(method) \(path)")
            }
            // Apps and servers send no Origin: the body delivery works for them as before.
            let bodyLogin = try await service.post("/auth/kakao", json: "{\"code\":\"b\",\"token_delivery\":\"body\"}")
            let refreshToken = try #require(try bodyLogin.json["refresh_token"]?.stringValue)
            #expect(try await service.refresh(token: refreshToken).status == .ok)
        }
    }
}

private func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
    var fields = lhs
    fields.append(contentsOf: rhs)
    return fields
}

import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// The whole flow over real HTTP, against a fake Kakao that is itself a real HTTP server.
@Suite struct LoginFlowTests {
    @Test func browserFlowKeepsTokensInHttpOnlyCookiesOnly() async throws {
        let kakao = FakeKakao()
        kakao.addCode(
            "code-1", profile: FakeKakao.profile(id: "4242", nickname: "라이언", email: "ryan@kakao.test", image: "https://img.kakao.test/ryan.png"))
        kakao.addCode("code-2", profile: FakeKakao.profile(id: "4242", nickname: "Ryan"))
        try await TestService.run(kakao: kakao) { service in
            let login = try await service.login(code: "code-1")
            #expect(login.status == .ok)
            let body = try login.json
            #expect(body["new_user"] == .bool(true))
            #expect(body["access_token"] == nil && body["refresh_token"] == nil && body["token_type"] == nil)
            #expect(body["access_token_expires_at"]?.stringValue != nil && body["refresh_token_expires_at"]?.stringValue != nil)
            let user = try #require(body["user"])
            #expect(user["kakao_id"] == .string("4242"))
            #expect(user["nickname"] == .string("라이언"))
            #expect(user["email"] == .string("ryan@kakao.test"))
            #expect(user["email_verified"] == .bool(true))
            #expect(user["profile_image_url"] == .string("https://img.kakao.test/ryan.png"))
            #expect(login.headers[.cacheControl] == "no-store")

            let cookies = login.setCookies
            let access = try #require(cookies["__Host-access_token"])
            let refresh = try #require(cookies["__Secure-refresh_token"])
            #expect(Set(access.attributes) == ["Max-Age=900", "Path=/", "Secure", "HttpOnly", "SameSite=Lax"])
            #expect(Set(refresh.attributes) == ["Max-Age=1209600", "Path=/auth", "Secure", "HttpOnly", "SameSite=Lax"])

            // The token exchange carried exactly what Kakao needs.
            let exchange = try #require(kakao.tokenRequests.first)
            #expect(
                exchange == [
                    "grant_type": "authorization_code", "client_id": FakeKakao.clientID, "client_secret": FakeKakao.clientSecret,
                    "redirect_uri": TestService.redirectURI, "code": "code-1",
                ])

            let me = try await service.get("/users/me", headers: login.cookieHeader)
            #expect(me.status == .ok)
            #expect(try me.json == user)

            let refreshed = try await service.post("/auth/refresh", headers: login.cookieHeader)
            #expect(refreshed.status == .ok)
            #expect(try refreshed.json["access_token"] == nil)
            #expect(refreshed.setCookies["__Host-access_token"]?.value != access.value)
            #expect(refreshed.setCookies["__Secure-refresh_token"]?.value != refresh.value)
            #expect(try await service.get("/users/me", headers: refreshed.cookieHeader).status == .ok)

            // The second login of the same Kakao user updates the profile and opens a second session.
            let again = try await service.login(code: "code-2")
            #expect(try again.json["new_user"] == .bool(false))
            #expect(try again.json["user"]?["id"] == user["id"])
            #expect(try again.json["user"]?["nickname"] == .string("Ryan"))
            #expect(try again.json["user"]?["email"] == .null)
            #expect(try service.count("users") == 1)
            #expect(try service.count("sessions") == 2)

            let logout = try await service.post("/auth/logout", headers: refreshed.cookieHeader)
            #expect(logout.status == .noContent)
            let cleared = logout.setCookies
            #expect(cleared["__Host-access_token"]?.value == "" && cleared["__Host-access_token"]?.attributes.contains("Max-Age=0") == true)
            #expect(cleared["__Secure-refresh_token"]?.value == "" && cleared["__Secure-refresh_token"]?.attributes.contains("Path=/auth") == true)
            #expect(try await service.get("/users/me", headers: refreshed.cookieHeader).problemCode == "invalid_token")
            #expect(try await service.post("/auth/refresh", headers: refreshed.cookieHeader).problemCode == "refresh_token_invalid")
            // The other session is untouched.
            #expect(try await service.get("/users/me", headers: again.cookieHeader).status == .ok)
        }
    }

    @Test func mobileFlowReturnsTokensInTheBodyAndSetsNoCookies() async throws {
        let kakao = FakeKakao()
        kakao.addCode("code-1", profile: FakeKakao.profile(id: "77", nickname: "Apeach"))
        let verifier = String(repeating: "v", count: 43)
        try await TestService.run(kakao: kakao) { service in
            let login = try await service.login(
                code: "code-1", delivery: "body", extra: ",\"redirect_uri\":\"\(TestService.otherRedirectURI)\",\"code_verifier\":\"\(verifier)\"")
            #expect(login.status == .ok)
            #expect(login.headers[values: .setCookie].isEmpty)
            let body = try login.json
            #expect(body["token_type"] == .string("Bearer"))
            #expect(body["expires_in"] == .number("900"))
            #expect(body["refresh_token_expires_in"] == .number("1209600"))
            let accessToken = try #require(body["access_token"]?.stringValue)
            let refreshToken = try #require(body["refresh_token"]?.stringValue)
            #expect(kakao.tokenRequests.first?["redirect_uri"] == TestService.otherRedirectURI)
            #expect(kakao.tokenRequests.first?["code_verifier"] == verifier)

            let me = try await service.me(bearer: accessToken)
            #expect(me.status == .ok)
            #expect(try me.json["nickname"] == .string("Apeach"))
            #expect(try me.json["email"] == .null)

            let refreshed = try await service.refresh(token: refreshToken)
            #expect(refreshed.status == .ok)
            #expect(refreshed.headers[values: .setCookie].isEmpty)
            let newRefresh = try #require(try refreshed.json["refresh_token"]?.stringValue)
            #expect(newRefresh != refreshToken)
            #expect(try await service.me(bearer: #require(try refreshed.json["access_token"]?.stringValue)).status == .ok)

            let logout = try await service.post("/auth/logout", json: "{\"refresh_token\":\(newRefresh.jsonQuoted)}")
            #expect(logout.status == .noContent)
            #expect(try await service.me(bearer: accessToken).problemCode == "invalid_token")
            #expect(try service.count("sessions", where: "revoked_reason = 'logout'") == 1)
        }
    }

    @Test func logoutEverywhereRevokesEverySessionOfTheUser() async throws {
        let kakao = FakeKakao()
        for code in ["a", "b", "c"] { kakao.addCode(code, profile: FakeKakao.profile(id: "5")) }
        kakao.addCode("other", profile: FakeKakao.profile(id: "6"))
        try await TestService.run(kakao: kakao) { service in
            var accessTokens: [String] = []
            var refreshTokens: [String] = []
            for code in ["a", "b", "c"] {
                let body = try await service.login(code: code, delivery: "body").json
                accessTokens.append(try #require(body["access_token"]?.stringValue))
                refreshTokens.append(try #require(body["refresh_token"]?.stringValue))
            }
            let other = try await service.login(code: "other", delivery: "body").json
            let logout = try await service.post("/auth/logout", json: "{\"refresh_token\":\(refreshTokens[0].jsonQuoted),\"all_sessions\":true}")
            #expect(logout.status == .noContent)
            for token in accessTokens { #expect(try await service.me(bearer: token).problemCode == "invalid_token") }
            for token in refreshTokens { #expect(try await service.refresh(token: token).problemCode == "refresh_token_invalid") }
            #expect(try await service.me(bearer: #require(other["access_token"]?.stringValue)).status == .ok)
        }
    }

    @Test func tokensOfADeletedUserAreRefused() async throws {
        let kakao = FakeKakao()
        kakao.addCode("code", profile: "{\"id\":8}")
        try await TestService.run(kakao: kakao) { service in
            let body = try await service.login(code: "code", delivery: "body").json
            let accessToken = try #require(body["access_token"]?.stringValue)
            #expect(try await service.me(bearer: accessToken).status == .ok)
            try await DatabaseQueue(path: service.databasePath).write { db in try db.execute(sql: "DELETE FROM users") }
            #expect(try service.count("sessions") == 0, "sessions go with their user")
            #expect(try await service.me(bearer: accessToken).problemCode == "invalid_token")
            #expect(try await service.refresh(token: #require(body["refresh_token"]?.stringValue)).problemCode == "refresh_token_invalid")
        }
    }

    @Test(arguments: [
        ("9007199254740993", "9007199254740993"),
        ("9223372036854775807", "9223372036854775807"),
        ("1", "1"),
    ])
    func keepsSixtyFourBitKakaoIDsExact(id: String, expected: String) async throws {
        let kakao = FakeKakao()
        kakao.addCode("code", profile: "{\"id\":\(id)}")
        try await TestService.run(kakao: kakao) { service in
            let login = try await service.login(code: "code", delivery: "body")
            #expect(try login.json["user"]?["kakao_id"] == .string(expected))
            let me = try await service.me(bearer: #require(try login.json["access_token"]?.stringValue))
            #expect(try me.json["kakao_id"] == .string(expected))
        }
    }

    @Test func absentProfileFieldsAreNullAndUnverifiedEmailIsNotVerified() async throws {
        let kakao = FakeKakao()
        kakao.addCode("bare", profile: "{\"id\":31}")
        kakao.addCode("unverified", profile: FakeKakao.profile(id: "32", email: "x@kakao.test", emailValid: true, emailVerified: false))
        kakao.addCode("invalid", profile: FakeKakao.profile(id: "33", email: "y@kakao.test", emailValid: false, emailVerified: true))
        try await TestService.run(kakao: kakao) { service in
            let user = try #require(try await service.login(code: "bare").json["user"])
            for field in ["nickname", "email", "profile_image_url", "thumbnail_image_url"] {
                #expect(user[field] == .null, "\(field)")
            }
            #expect(user["email_verified"] == .bool(false))
            for code in ["unverified", "invalid"] {
                let user = try #require(try await service.login(code: code).json["user"])
                #expect(user["email"]?.stringValue != nil)
                #expect(user["email_verified"] == .bool(false))
            }
        }
    }

    @Test func cookieNamesFollowDomainAndSecureSettings() async throws {
        let kakao = FakeKakao()
        kakao.addCode("a", profile: "{\"id\":1}")
        kakao.addCode("b", profile: "{\"id\":1}")
        try await TestService.run(kakao: kakao, environment: ["COOKIE_DOMAIN": "app.example", "COOKIE_SAMESITE": "Strict"]) { service in
            let cookies = try await service.login(code: "a").setCookies
            #expect(cookies["__Secure-access_token"]?.attributes.contains("Domain=app.example") == true)
            #expect(cookies["__Secure-access_token"]?.attributes.contains("SameSite=Strict") == true)
            // The refresh cookie never leaves this host, whatever COOKIE_DOMAIN says.
            let refresh = try #require(cookies["__Secure-refresh_token"])
            #expect(!refresh.attributes.contains { $0.hasPrefix("Domain") })
            #expect(refresh.attributes.contains("Path=/auth"))
        }
        try await TestService.run(kakao: kakao, environment: ["COOKIE_SECURE": "false"]) { service in
            let cookies = try await service.login(code: "b").setCookies
            #expect(Set(cookies.keys) == ["access_token", "refresh_token"])
            #expect(cookies.values.allSatisfy { !$0.attributes.contains("Secure") && $0.attributes.contains("HttpOnly") })
        }
    }

    @Test func healthReadinessAndTheAPIDescriptionAreServed() async throws {
        try await TestService.run { service in
            #expect(try await service.get("/healthz").json == .object(["status": .string("ok")]))
            #expect(try await service.get("/readyz").json == .object(["status": .string("ready")]))
            let spec = try await service.get("/openapi.yaml")
            #expect(spec.status == .ok)
            #expect(String(buffer: spec.body).hasPrefix("openapi: 3.1"))
        }
    }
}

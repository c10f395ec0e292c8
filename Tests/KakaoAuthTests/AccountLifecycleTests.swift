import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// Deleting accounts (ours and Kakao's webhook), logout everywhere, and the audit trail they leave.
@Suite struct AccountLifecycleTests {
    static let environment = ["KAKAO_ADMIN_KEY": FakeKakao.adminKey]

    func loginBody(_ service: TestService, _ code: String) async throws -> JSONValue {
        let answer = try await service.login(code: code, delivery: "body")
        #expect(answer.status == .ok)
        return try answer.json
    }

    /// `DELETE /auth/account` with the refresh token in a JSON body (body delivery).
    func deleteAccount(_ service: TestService, refreshToken: String, headers: HTTPFields = [:]) async throws -> HTTPAnswer {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await service.client.execute(
            uri: "/auth/account", method: .delete, headers: headers, body: ByteBuffer(string: "{\"refresh_token\":\(refreshToken.jsonQuoted)}"))
    }

    @Test func deletingTheAccountUnlinksAtKakaoThenDeletesEverything() async throws {
        let kakao = FakeKakao()
        kakao.addCode("mine", profile: "{\"id\":9007199254740993}")
        kakao.addCode("mine-2", profile: "{\"id\":9007199254740993}")
        kakao.addCode("theirs", profile: "{\"id\":2}")
        try await TestService.run(kakao: kakao, environment: Self.environment) { service in
            let mine = try await loginBody(service, "mine")
            let second = try await service.login(code: "mine-2")
            let theirs = try await loginBody(service, "theirs")
            let access = try #require(mine["access_token"]?.stringValue)
            let refresh = try #require(mine["refresh_token"]?.stringValue)
            // An access token alone, which every service that verifies our tokens receives, erases nothing.
            let withAccess = try await service.client.execute(uri: "/users/me", method: .delete, headers: [.authorization: "Bearer \(access)"])
            #expect(withAccess.status == .methodNotAllowed && withAccess.headers[.allow] == "GET, HEAD")
            #expect(
                try await service.client.execute(uri: "/auth/account", method: .delete, headers: [.authorization: "Bearer \(access)"])
                    .problemCode == "refresh_token_invalid")
            #expect(try kakao.unlinkedIDs.isEmpty && service.count("users") == 2)

            let deleted = try await deleteAccount(service, refreshToken: refresh, headers: [.userAgent: "Deleter/1"])
            #expect(deleted.status == .noContent)
            #expect(kakao.unlinkedIDs == ["9007199254740993"])
            #expect(try service.count("users") == 1)
            #expect(try service.count("sessions") == 1)
            #expect(try await service.me(bearer: access).problemCode == "invalid_token")
            #expect(try await service.get("/users/me", headers: second.cookieHeader).problemCode == "invalid_token")
            #expect(try await service.refresh(token: refresh).problemCode == "refresh_token_invalid")
            #expect(try await service.me(bearer: #require(theirs["access_token"]?.stringValue)).status == .ok)
            let userID = try #require(mine["user"]?["id"]?.stringValue)
            #expect(try service.count("auth_events", where: "kind = 'unlink' AND user_id = '\(userID)'") == 1)
            #expect(
                try service.count("auth_events", where: "kind = 'account_erasure_requested' AND user_agent = 'Deleter/1'") == 1,
                "the origin was recorded before the erasure, and the erasure kept it")
        }
    }

    /// Judged as refresh judges it: a reused token revokes its session and erases nothing; a dead one nothing.
    @Test func aDeadOrReusedRefreshTokenErasesNothing() async throws {
        let kakao = FakeKakao()
        kakao.addCode("mine", profile: "{\"id\":8}")
        try await TestService.run(kakao: kakao, environment: Self.environment.merging(["REFRESH_REUSE_INTERVAL": "0"]) { $1 }) { service in
            let first = try #require(try await loginBody(service, "mine")["refresh_token"]?.stringValue)
            let rotated = try #require(try await service.refresh(token: first).json["refresh_token"]?.stringValue)
            #expect(try await deleteAccount(service, refreshToken: first).problemCode == "refresh_token_reused")
            #expect(try await deleteAccount(service, refreshToken: rotated).problemCode == "refresh_token_invalid", "the session is revoked")
            #expect(try await deleteAccount(service, refreshToken: "not.a.token").problemCode == "refresh_token_invalid")
            #expect(try kakao.unlinkedIDs.isEmpty && service.count("users") == 1)
        }
    }

    @Test func whenKakaoFailsNothingIsDeleted() async throws {
        let kakao = FakeKakao()
        kakao.addCode("mine", profile: "{\"id\":3}")
        kakao.setUnlinkAnswer(.init(status: 500, body: "{\"msg\":\"down\",\"code\":-1}"))
        try await TestService.run(kakao: kakao, environment: Self.environment) { service in
            let body = try await loginBody(service, "mine")
            let answer = try await deleteAccount(service, refreshToken: try #require(body["refresh_token"]?.stringValue))
            #expect(answer.problemCode == "provider_error")
            #expect(answer.status == .badGateway)
            #expect(try service.count("users") == 1)
            #expect(try await service.me(bearer: #require(body["access_token"]?.stringValue)).status == .ok)
            #expect(try await service.refresh(token: #require(body["refresh_token"]?.stringValue)).status == .ok, "the session lives on")
        }
    }

    @Test func withoutAnAdminKeyDeletionIsNotImplementedAndTheWebhookAbsent() async throws {
        let kakao = FakeKakao()
        kakao.addCode("mine", profile: "{\"id\":4}")
        try await TestService.run(kakao: kakao) { service in
            let refresh = try #require(try await loginBody(service, "mine")["refresh_token"]?.stringValue)
            let answer = try await deleteAccount(service, refreshToken: refresh)
            #expect(answer.status == .notImplemented)
            #expect(answer.problemCode == "unlink_unavailable")
            #expect(try service.count("users") == 1)
            #expect(try await service.get("/webhooks/kakao/unlink?user_id=4", headers: [.authorization: "KakaoAK x"]).problemCode == "not_found")
        }
    }

    /// The refresh cookie (Path=/auth) travels to `DELETE /auth/account`; the cross-site rule is the other
    /// cookie routes'.
    @Test func cookieAuthenticatedDeletionPassesTheCSRFCheck() async throws {
        let kakao = FakeKakao()
        kakao.addCode("mine", profile: "{\"id\":5}")
        try await TestService.run(kakao: kakao, environment: Self.environment) { service in
            let login = try await service.login(code: "mine")
            var headers = login.cookieHeader
            headers[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
            headers[.origin] = "https://evil.example"
            #expect(try await service.client.execute(uri: "/auth/account", method: .delete, headers: headers).problemCode == "csrf_rejected")
            #expect(try service.count("users") == 1)
            #expect(kakao.unlinkedIDs.isEmpty)
            let sameOrigin = try await service.client.execute(uri: "/auth/account", method: .delete, headers: login.cookieHeader)
            #expect(sameOrigin.status == .noContent)
            #expect(sameOrigin.setCookies["__Secure-refresh_token"]?.value == "" && sameOrigin.setCookies["__Host-access_token"]?.value == "")
            #expect(try service.count("users") == 0)
        }
    }

    @Test func kakaosUnlinkWebhookDeletesTheUserAndAlwaysAnswers200() async throws {
        let kakao = FakeKakao()
        kakao.addCode("a", profile: "{\"id\":6}")
        kakao.addCode("b", profile: "{\"id\":7}")
        try await TestService.run(kakao: kakao, environment: Self.environment.merging(["KAKAO_APP_ID": "1234"]) { $1 }) { service in
            let a = try await loginBody(service, "a")
            let b = try await loginBody(service, "b")
            let auth: HTTPFields = [.authorization: "KakaoAK \(FakeKakao.adminKey)"]

            let viaGet = try await service.get("/webhooks/kakao/unlink?app_id=1234&user_id=6&referrer_type=UNLINK_FROM_APPS", headers: auth)
            #expect(viaGet.status == .ok)
            #expect(try await service.me(bearer: #require(a["access_token"]?.stringValue)).problemCode == "invalid_token")

            let viaPost = try await service.client.postForm(
                "/webhooks/kakao/unlink", [("app_id", "1234"), ("user_id", "7"), ("referrer_type", "ACCOUNT_DELETE")], headers: auth)
            #expect(viaPost.status == .ok)
            #expect(try await service.refresh(token: #require(b["refresh_token"]?.stringValue)).problemCode == "refresh_token_invalid")
            #expect(try service.count("users") == 0)
            #expect(try service.count("auth_events", where: "kind = 'webhook_unlink' AND detail LIKE '%ACCOUNT_DELETE%'") == 1)

            // Unknown users are fine: Kakao must never see a failure for them.
            #expect(try await service.get("/webhooks/kakao/unlink?app_id=1234&user_id=999", headers: auth).status == .ok)

            for headers: HTTPFields in [[:], [.authorization: "KakaoAK wrong"], [.authorization: "Bearer \(FakeKakao.adminKey)"]] {
                let refused = try await service.get("/webhooks/kakao/unlink?app_id=1234&user_id=6", headers: headers)
                #expect(refused.status == .unauthorized)
                #expect(refused.problemCode == "invalid_credentials")
            }
            #expect(try await service.get("/webhooks/kakao/unlink?app_id=999&user_id=6", headers: auth).problemCode == "invalid_credentials")
            #expect(try await service.get("/webhooks/kakao/unlink?app_id=1234&user_id=abc", headers: auth).problemCode == "invalid_request")
        }
    }

    @Test func theAuditLogRecordsEveryAccountEventWithoutSecrets() async throws {
        let kakao = FakeKakao()
        for code in ["first", "second", "third"] { kakao.addCode(code, profile: "{\"id\":8}") }
        let time = ManualClock()
        try await TestService.run(kakao: kakao, environment: Self.environment, clock: time.clock) { service in
            let first = try await service.post(
                "/auth/kakao", json: "{\"code\":\"first\",\"token_delivery\":\"body\"}", headers: [.userAgent: "KakaoTalk-Test/1.0"])
            let body = try first.json
            let userID = try #require(body["user"]?["id"]?.stringValue)
            let refreshToken = try #require(body["refresh_token"]?.stringValue)
            let rotated = try #require(try await service.refresh(token: refreshToken).json["refresh_token"]?.stringValue)
            time.advance(by: 60)
            #expect(try await service.refresh(token: refreshToken).problemCode == "refresh_token_reused")
            let second = try await loginBody(service, "second")
            #expect(
                try await service.post("/auth/logout", json: "{\"refresh_token\":\(second["refresh_token"]!.stringValue!.jsonQuoted)}").status
                    == .noContent)
            let third = try await loginBody(service, "third")
            #expect(
                try await service.post(
                    "/auth/logout", json: "{\"refresh_token\":\(third["refresh_token"]!.stringValue!.jsonQuoted),\"all_sessions\":true}"
                ).status == .noContent)

            let events = try await SQLiteStore(path: service.databasePath).events(userID: userID, limit: 100)
            #expect(events.map(\.kind).reversed() == [.registration, .login, .refresh, .refreshReuseDetected, .login, .logout, .login, .logoutAll])
            #expect(events.last?.userAgent == "KakaoTalk-Test/1.0")
            #expect(events.allSatisfy { $0.clientIP == "127.0.0.1" || $0.clientIP == "::1" })
            let everything = try await DatabaseQueue(path: service.databasePath).read { db in
                try String.fetchAll(db, sql: "SELECT COALESCE(detail, '') || COALESCE(user_agent, '') || COALESCE(session_id, '') FROM auth_events")
            }.joined()
            for secret in [refreshToken, rotated, second["access_token"]!.stringValue!, TestService.jwtSecret, FakeKakao.clientSecret] {
                #expect(!everything.contains(secret))
            }
        }
    }
}

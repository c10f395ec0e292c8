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
            let deleted = try await service.client.execute(uri: "/users/me", method: .delete, headers: [.authorization: "Bearer \(access)"])
            #expect(deleted.status == .noContent)
            #expect(deleted.setCookies["__Host-access_token"]?.value == "")
            #expect(kakao.unlinkedIDs == ["9007199254740993"])
            #expect(try service.count("users") == 1)
            #expect(try service.count("sessions") == 1)
            #expect(try await service.me(bearer: access).problemCode == "invalid_token")
            #expect(try await service.get("/users/me", headers: second.cookieHeader).problemCode == "invalid_token")
            #expect(try await service.refresh(token: #require(mine["refresh_token"]?.stringValue)).problemCode == "refresh_token_invalid")
            #expect(try await service.me(bearer: #require(theirs["access_token"]?.stringValue)).status == .ok)
            let userID = try #require(mine["user"]?["id"]?.stringValue)
            #expect(try service.count("auth_events", where: "kind = 'unlink' AND user_id = '\(userID)'") == 1)
        }
    }

    @Test func whenKakaoFailsNothingIsDeleted() async throws {
        let kakao = FakeKakao()
        kakao.addCode("mine", profile: "{\"id\":3}")
        kakao.setUnlinkAnswer(.init(status: 500, body: "{\"msg\":\"down\",\"code\":-1}"))
        try await TestService.run(kakao: kakao, environment: Self.environment) { service in
            let access = try #require(try await loginBody(service, "mine")["access_token"]?.stringValue)
            let answer = try await service.client.execute(uri: "/users/me", method: .delete, headers: [.authorization: "Bearer \(access)"])
            #expect(answer.problemCode == "provider_error")
            #expect(answer.status == .badGateway)
            #expect(try service.count("users") == 1)
            #expect(try await service.me(bearer: access).status == .ok)
        }
    }

    @Test func withoutAnAdminKeyDeletionIsNotImplementedAndTheWebhookAbsent() async throws {
        let kakao = FakeKakao()
        kakao.addCode("mine", profile: "{\"id\":4}")
        try await TestService.run(kakao: kakao) { service in
            let access = try #require(try await loginBody(service, "mine")["access_token"]?.stringValue)
            let answer = try await service.client.execute(uri: "/users/me", method: .delete, headers: [.authorization: "Bearer \(access)"])
            #expect(answer.status == .notImplemented)
            #expect(answer.problemCode == "unlink_unavailable")
            #expect(try service.count("users") == 1)
            #expect(try await service.get("/webhooks/kakao/unlink?user_id=4", headers: [.authorization: "KakaoAK x"]).problemCode == "not_found")
        }
    }

    @Test func cookieAuthenticatedDeletionPassesTheCSRFCheck() async throws {
        let kakao = FakeKakao()
        kakao.addCode("mine", profile: "{\"id\":5}")
        try await TestService.run(kakao: kakao, environment: Self.environment) { service in
            let login = try await service.login(code: "mine")
            var headers = login.cookieHeader
            headers[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
            headers[.origin] = "https://evil.example"
            #expect(try await service.client.execute(uri: "/users/me", method: .delete, headers: headers).problemCode == "csrf_rejected")
            #expect(try service.count("users") == 1)
            #expect(kakao.unlinkedIDs.isEmpty)
            let sameOrigin = try await service.client.execute(uri: "/users/me", method: .delete, headers: login.cookieHeader)
            #expect(sameOrigin.status == .noContent)
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

            let viaPost = try await service.client.postForm("/webhooks/kakao/unlink", [("app_id", "1234"), ("user_id", "7"), ("referrer_type", "ACCOUNT_DELETE")], headers: auth)
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
            let first = try await service.post("/auth/kakao", json: "{\"code\":\"first\",\"token_delivery\":\"body\"}", headers: [.userAgent: "KakaoTalk-Test/1.0"])
            let body = try first.json
            let userID = try #require(body["user"]?["id"]?.stringValue)
            let refreshToken = try #require(body["refresh_token"]?.stringValue)
            let rotated = try #require(try await service.refresh(token: refreshToken).json["refresh_token"]?.stringValue)
            time.advance(by: 60)
            #expect(try await service.refresh(token: refreshToken).problemCode == "refresh_token_reused")
            let second = try await loginBody(service, "second")
            #expect(try await service.post("/auth/logout", json: "{\"refresh_token\":\(second["refresh_token"]!.stringValue!.jsonQuoted)}").status == .noContent)
            let third = try await loginBody(service, "third")
            #expect(try await service.post("/auth/logout", json: "{\"refresh_token\":\(third["refresh_token"]!.stringValue!.jsonQuoted),\"all_sessions\":true}").status == .noContent)

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

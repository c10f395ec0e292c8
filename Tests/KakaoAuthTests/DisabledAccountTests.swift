import Foundation
import Testing

@testable import KakaoAuth

/// A disabled account over HTTP: its live tokens stop at once everywhere we answer, and its logins are
/// refused with 403 `account_disabled` once Kakao has said who it is.
@Suite struct DisabledAccountTests {
    @Test func disablingStopsEveryTokenAndLoginAtOnceAndEnablingLetsTheUserBackIn() async throws {
        let kakao = FakeKakao()
        for code in ["first", "refused", "again"] { kakao.addCode(code, profile: FakeKakao.profile(id: "77")) }
        let time = ManualClock()
        try await TestService.run(kakao: kakao, clock: time.clock) { service in
            let body = try await service.login(code: "first", delivery: "body").json
            let access = try #require(body["access_token"]?.stringValue)
            let refresh = try #require(body["refresh_token"]?.stringValue)
            let userID = try #require(body["user"]?["id"]?.stringValue)
            #expect(try await service.me(bearer: access).status == .ok)

            // An operator's store, beside the service's, on the same file (as `kakao-auth users` will be).
            let store = try SQLiteStore(path: service.databasePath)
            defer { try? store.close() }
            let administration = Administration(accounts: Accounts(store: store, policy: AccountsTests.policy))
            _ = try await administration.disable(id: userID, reason: "abuse", by: .admin(name: "ops"), origin: .erased, now: time.clock.now())

            #expect(try await service.me(bearer: access).problemCode == "invalid_token")
            #expect(try await service.refresh(token: refresh).problemCode == "refresh_token_invalid")
            let introspection = try await service.post("/auth/introspect", json: "{\"token\":\(access.jsonQuoted)}")
            #expect(try introspection.json["active"]?.boolValue == false)
            let refused = try await service.login(code: "refused", delivery: "body")
            #expect(refused.status == .forbidden && refused.problemCode == "account_disabled")
            #expect(try service.count("sessions") == 1, "a refused login opens no session")
            #expect(try service.count("auth_events", where: "kind = 'login_refused_disabled' AND user_id = '\(userID)'") == 1)

            _ = try await administration.enable(id: userID, by: .admin(name: "ops"), origin: .erased, now: time.clock.now())
            #expect(try await service.login(code: "again", delivery: "body").status == .ok)
            #expect(try await service.refresh(token: refresh).problemCode == "refresh_token_invalid", "the disable's revocations stay")
        }
    }
}

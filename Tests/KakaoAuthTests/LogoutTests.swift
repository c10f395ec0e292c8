import Foundation
import Hummingbird
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// Logout judges its refresh token exactly as refresh does: a token refresh would refuse logs nothing out,
/// and nothing beyond what refresh would revoke is revoked.
@Suite struct LogoutTests {
    func loginTokens(_ service: TestService, code: String) async throws -> (access: String, refresh: String) {
        let body = try await service.login(code: code, delivery: "body").json
        return (try #require(body["access_token"]?.stringValue), try #require(body["refresh_token"]?.stringValue))
    }

    func logout(_ service: TestService, _ token: String, allSessions: Bool = false) async throws -> HTTPAnswer {
        try await service.post("/auth/logout", json: "{\"refresh_token\":\(token.jsonQuoted),\"all_sessions\":\(allSessions)}")
    }

    static func kakao(codes: [String]) -> FakeKakao {
        let kakao = FakeKakao()
        for code in codes { kakao.addCode(code, profile: "{\"id\":40}") }
        return kakao
    }

    @Test func aTokenOfARevokedSessionLogsNothingOutAndNeverRevokesLaterSessions() async throws {
        let time = ManualClock()
        try await TestService.run(kakao: Self.kakao(codes: ["old", "later"]), clock: time.clock) { service in
            let old = try await loginTokens(service, code: "old")
            #expect(try await logout(service, old.refresh).status == .noContent)
            let later = try await loginTokens(service, code: "later")
            for allSessions in [false, true] {
                #expect(try await logout(service, old.refresh, allSessions: allSessions).problemCode == "refresh_token_invalid")
            }
            #expect(try await service.me(bearer: later.access).status == .ok, "a dead token must not reach the user's other sessions")
            // Still so once the purge has deleted the old session.
            time.advance(by: 86_401)
            _ = try await SQLiteStore(path: service.databasePath).purge(now: time.clock.now(), auditRetention: 86_400)
            #expect(try service.count("sessions", where: "revoked_at IS NOT NULL") == 0)
            #expect(try await logout(service, old.refresh, allSessions: true).problemCode == "refresh_token_invalid")
            #expect(try await service.refresh(token: later.refresh).status == .ok)
        }
    }

    @Test func aTokenRotatedLongAgoIsReuseAndRevokesOnlyItsOwnSession() async throws {
        let time = ManualClock()
        try await TestService.run(kakao: Self.kakao(codes: ["stolen", "other"]), clock: time.clock) { service in
            let stolen = try await loginTokens(service, code: "stolen")
            let rotated = try #require(try await service.refresh(token: stolen.refresh).json["refresh_token"]?.stringValue)
            let other = try await loginTokens(service, code: "other")
            time.advance(by: 3600)
            #expect(try await logout(service, stolen.refresh, allSessions: true).problemCode == "refresh_token_reused")
            // As refresh would have done: the session of the old token is revoked, the user's other one is not.
            #expect(try await service.refresh(token: rotated).problemCode == "refresh_token_invalid")
            #expect(try await service.refresh(token: other.refresh).status == .ok)
            #expect(try service.count("sessions", where: "revoked_reason = 'refresh_token_reused'") == 1)
            #expect(try service.count("auth_events", where: "kind = 'logout_all'") == 0)
        }
    }

    @Test func theTokenJustReplacedStillLogsOutWithinTheReuseInterval() async throws {
        let time = ManualClock()
        try await TestService.run(kakao: Self.kakao(codes: ["tab", "phone"]), clock: time.clock) { service in
            let tab = try await loginTokens(service, code: "tab")
            let phone = try await loginTokens(service, code: "phone")
            let current = try #require(try await service.refresh(token: tab.refresh).json["refresh_token"]?.stringValue)
            time.advance(by: 5)
            // Another tab still holds the replaced token: logging out with it works, as refreshing would.
            #expect(try await logout(service, tab.refresh, allSessions: true).status == .noContent)
            #expect(try await service.refresh(token: current).problemCode == "refresh_token_invalid")
            #expect(try await service.me(bearer: phone.access).problemCode == "invalid_token", "all_sessions with a live token ends every session")
        }
    }

    @Test func aCurrentTokenLogsOutItsSessionOnly() async throws {
        try await TestService.run(kakao: Self.kakao(codes: ["one", "two"])) { service in
            let one = try await loginTokens(service, code: "one")
            let two = try await loginTokens(service, code: "two")
            #expect(try await logout(service, one.refresh).status == .noContent)
            #expect(try await service.me(bearer: one.access).problemCode == "invalid_token")
            #expect(try await service.me(bearer: two.access).status == .ok)
        }
    }
}

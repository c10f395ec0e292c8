import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// Single-use refresh tokens, the reuse interval for concurrent tabs, and reuse detection.
@Suite struct RefreshRotationTests {
    func loginTokens(_ service: TestService, code: String) async throws -> (access: String, refresh: String) {
        let body = try await service.login(code: code, delivery: "body").json
        return (try #require(body["access_token"]?.stringValue), try #require(body["refresh_token"]?.stringValue))
    }

    @Test func justRotatedTokenPresentedAgainWithinTheIntervalGetsTheCurrentToken() async throws {
        let kakao = FakeKakao()
        kakao.addCode("code", profile: "{\"id\":10}")
        let time = ManualClock()
        try await TestService.run(kakao: kakao, clock: time.clock) { service in
            let first = try await loginTokens(service, code: "code")
            let tabA = try await service.refresh(token: first.refresh).json
            // 9 s later, inside the default interval of 10 (whole seconds: 10 honours it for at most 10 s).
            time.advance(by: 9)
            let tabB = try await service.refresh(token: first.refresh)
            #expect(tabB.status == .ok)
            // Both tabs hold the same, single live refresh token.
            #expect(try tabB.json["refresh_token"] == tabA["refresh_token"])
            #expect(try tabB.json["access_token"] != tabA["access_token"])
            #expect(try service.count("refresh_tokens") == 2)
            let current = try #require(tabA["refresh_token"]?.stringValue)
            #expect(try await service.refresh(token: current).status == .ok)
        }
    }

    @Test func justRotatedTokenPresentedAfterTheIntervalRevokesTheSession() async throws {
        let kakao = FakeKakao()
        kakao.addCode("code", profile: "{\"id\":11}")
        let time = ManualClock()
        try await TestService.run(kakao: kakao, clock: time.clock) { service in
            let first = try await loginTokens(service, code: "code")
            let rotated = try await service.refresh(token: first.refresh).json
            time.advance(by: 11)
            let reuse = try await service.refresh(token: first.refresh)
            #expect(reuse.status == .unauthorized)
            #expect(reuse.problemCode == "refresh_token_reused")
            // The whole session is gone: its current refresh token and its access tokens.
            #expect(try await service.refresh(token: #require(rotated["refresh_token"]?.stringValue)).problemCode == "refresh_token_invalid")
            #expect(try await service.me(bearer: #require(rotated["access_token"]?.stringValue)).problemCode == "invalid_token")
            #expect(try await service.me(bearer: first.access).problemCode == "invalid_token")
            #expect(try service.count("sessions", where: "revoked_reason = 'refresh_token_reused'") == 1)
        }
    }

    @Test func olderTokenIsReuseEvenWithinTheInterval() async throws {
        let kakao = FakeKakao()
        kakao.addCode("code", profile: "{\"id\":12}")
        try await TestService.run(kakao: kakao) { service in
            let first = try await loginTokens(service, code: "code")
            let second = try #require(try await service.refresh(token: first.refresh).json["refresh_token"]?.stringValue)
            let third = try await service.refresh(token: second)
            #expect(third.status == .ok)
            #expect(try await service.refresh(token: first.refresh).problemCode == "refresh_token_reused")
            #expect(try await service.refresh(token: #require(try third.json["refresh_token"]?.stringValue)).problemCode == "refresh_token_invalid")
        }
    }

    @Test func reuseInCookieDeliveryClearsTheCookies() async throws {
        let kakao = FakeKakao()
        kakao.addCode("code", profile: "{\"id\":13}")
        try await TestService.run(kakao: kakao, environment: ["REFRESH_REUSE_INTERVAL": "0"]) { service in
            let login = try await service.login(code: "code")
            #expect(try await service.post("/auth/refresh", headers: login.cookieHeader).status == .ok)
            // 0 means no grace at all, not "within the same second".
            let reuse = try await service.post("/auth/refresh", headers: login.cookieHeader)
            #expect(reuse.problemCode == "refresh_token_reused")
            #expect(reuse.setCookies["__Secure-refresh_token"]?.attributes.contains("Max-Age=0") == true)
            #expect(reuse.setCookies["__Host-access_token"]?.value == "")
        }
    }

    @Test func refreshTokenNeverOutlivesItsSession() async throws {
        let kakao = FakeKakao()
        kakao.addCode("code", profile: "{\"id\":14}")
        let time = ManualClock()
        try await TestService.run(kakao: kakao, environment: ["SESSION_TTL": "3600", "REFRESH_TOKEN_TTL": "3000"], clock: time.clock) { service in
            var refresh = try await loginTokens(service, code: "code").refresh
            time.advance(by: 2000)
            let body = try await service.refresh(token: refresh).json
            #expect(body["refresh_token_expires_in"] == .number("1600"))
            refresh = try #require(body["refresh_token"]?.stringValue)
            time.advance(by: 1600 + JWTCodec.clockLeeway)
            #expect(try await service.refresh(token: refresh).problemCode == "refresh_token_invalid")
        }
    }

    @Test func accessTokensAreNotRefreshTokensAndViceVersa() async throws {
        let kakao = FakeKakao()
        kakao.addCode("code", profile: "{\"id\":15}")
        try await TestService.run(kakao: kakao) { service in
            let tokens = try await loginTokens(service, code: "code")
            #expect(try await service.refresh(token: tokens.access).problemCode == "refresh_token_invalid")
            #expect(try await service.me(bearer: tokens.refresh).problemCode == "invalid_token")
        }
    }

    @Test func concurrentRefreshesOfOneTokenLeaveOneLiveChain() async throws {
        let kakao = FakeKakao()
        kakao.addCode("code", profile: "{\"id\":16}")
        try await TestService.run(kakao: kakao) { service in
            let first = try await loginTokens(service, code: "code")
            let answers = try await withThrowingTaskGroup(of: (Int, JSONValue).self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        let response = try await service.refresh(token: first.refresh)
                        return (response.status.code, try response.json)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.0 == 200 })
            let refreshTokens = Set(answers.compactMap { $0.1["refresh_token"]?.stringValue })
            #expect(refreshTokens.count == 1)
            #expect(try service.count("refresh_tokens") == 2)
            #expect(try service.count("sessions", where: "revoked_at IS NULL") == 1)
            #expect(try await service.refresh(token: #require(refreshTokens.first)).status == .ok)
        }
    }
}

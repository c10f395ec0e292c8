import Foundation
import GRDB
import Hummingbird
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// Logging in with a Kakao access token from Kakao's SDKs: accepted only when Kakao says it was issued to
/// our app (`KAKAO_APP_ID`), never on `/v2/user/me` alone (token substitution).
@Suite struct AccessTokenLoginTests {
    static let environment = ["KAKAO_APP_ID": FakeKakao.appID]

    func login(_ service: TestService, _ token: String) async throws -> HTTPAnswer {
        try await service.post("/auth/kakao", json: "{\"access_token\":\(token.jsonQuoted),\"token_delivery\":\"body\"}")
    }

    @Test func aTokenOfThisAppLogsIn() async throws {
        let kakao = FakeKakao()
        kakao.addCode("app", profile: FakeKakao.profile(id: "9223372036854775807", nickname: "앱"))
        try await TestService.run(kakao: kakao, environment: Self.environment) { service in
            let answer = try await login(service, "kakao-access-app")
            #expect(answer.status == .ok)
            #expect(try answer.json["user"]?["kakao_id"] == .string("9223372036854775807"))
            #expect(kakao.tokenInfoRequests == 1 && kakao.userRequests == 1 && kakao.tokenRequests.isEmpty)
        }
    }

    @Test func aTokenIssuedToAnotherAppIsRefusedAndAudited() async throws {
        let kakao = FakeKakao()
        kakao.addCode(
            "foreign",
            script: FakeKakao.Script(
                user: FakeKakao.Answer(body: FakeKakao.profile(id: "77")),
                tokenInfo: FakeKakao.Answer(body: "{\"id\":77,\"expires_in\":60,\"app_id\":999}")))
        try await TestService.run(kakao: kakao, environment: Self.environment) { service in
            let answer = try await service.post(
                "/auth/kakao", json: "{\"access_token\":\"kakao-access-foreign\"}", headers: [.userAgent: "substitution-test"])
            #expect(answer.status == .badRequest)
            #expect(answer.problemCode == "invalid_grant")
            #expect(try answer.json["detail"] == .string("token was issued to another app"))
            #expect(kakao.userRequests == 0, "the profile is never read with another app's token")
            #expect(try service.count("users") == 0 && service.count("sessions") == 0)
            let events = try await DatabaseQueue(path: service.databasePath).read { db in
                try Row.fetchAll(db, sql: "SELECT kind, user_id, detail, user_agent FROM auth_events")
            }
            #expect(events.count == 1)
            #expect(events.first?["kind"] == "foreign_token_refused" && events.first?["detail"] == "app_id=999")
            #expect(events.first?["user_agent"] == "substitution-test" && events.first?["user_id"] == nil as String?)
        }
    }

    @Test(arguments: [
        ("unknown", FakeKakao.Answer(status: 401, body: "{\"msg\":\"this access token does not exist\",\"code\":-401}"), "invalid_grant"),
        ("malformed", FakeKakao.Answer(status: 400, body: "{\"msg\":\"invalid token\",\"code\":-2}"), "invalid_grant"),
        ("Kakao down", FakeKakao.Answer(status: 500, body: "{\"msg\":\"oops\",\"code\":-1}"), "provider_error"),
        ("Kakao slow", FakeKakao.Answer(body: "{\"id\":5,\"app_id\":4242}", delay: .seconds(4)), "provider_timeout"),
        ("no app id", FakeKakao.Answer(body: "{\"id\":5}"), "provider_error"),
        ("ids disagree", FakeKakao.Answer(body: "{\"id\":6,\"expires_in\":60,\"app_id\":4242}"), "provider_error"),
    ])
    func kakaosAnswersDecide(name: String, tokenInfo: FakeKakao.Answer, code: String) async throws {
        let kakao = FakeKakao()
        kakao.addCode("t", script: FakeKakao.Script(user: FakeKakao.Answer(body: FakeKakao.profile(id: "5")), tokenInfo: tokenInfo))
        // 1.5 s for the slow case, well short of its 4 s; the others get 10 s, since a machine busy with the rest
        // of the suite once took more than 1.5 s to deliver the fake's immediate answers.
        let timeout = code == "provider_timeout" ? "1.5" : "10"
        try await TestService.run(kakao: kakao, environment: Self.environment.merging(["KAKAO_TIMEOUT_SECONDS": timeout]) { $1 }) { service in
            let answer = try await login(service, "kakao-access-t")
            #expect(answer.problemCode == code, "\(name)")
            #expect(try service.count("users") == 0, "\(name)")
        }
    }

    @Test(arguments: ["a\r\nX-Injected: 1", "a b", "a\u{0}b", "ä", "\"quoted\""])
    func anAccessTokenThatCouldNotBeABearerTokenIsMalformed(token: String) async throws {
        let kakao = FakeKakao()
        try await TestService.run(kakao: kakao, environment: Self.environment) { service in
            let answer = try await login(service, token)
            #expect(answer.problemCode == "invalid_request")
            #expect(kakao.tokenInfoRequests == 0)
        }
    }

    @Test func withoutKakaoAppIDAccessTokensAreNeverTakenUnchecked() async throws {
        let kakao = FakeKakao()
        kakao.addCode("app", profile: FakeKakao.profile(id: "5"))
        try await TestService.run(kakao: kakao) { service in
            let answer = try await login(service, "kakao-access-app")
            #expect(answer.problemCode == "invalid_request")
            #expect(try answer.json["detail"]?.stringValue?.contains("KAKAO_APP_ID") == true)
            #expect(kakao.tokenInfoRequests == 0 && kakao.userRequests == 0)
        }
    }
}

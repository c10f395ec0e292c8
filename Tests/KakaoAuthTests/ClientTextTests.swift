import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import Testing

@testable import KakaoAuth

/// Text from clients and Kakao that we store or log is capped in bytes, loses its control characters, and
/// never holds NUL.
@Suite struct ClientTextTests {
    /// One letter and 15,000 combining marks: one Character, 30,001 bytes.
    static let zalgo = "a" + String(repeating: "\u{0301}", count: 15_000)

    @Test func capsAreInBytesAtAScalarBoundaryWithoutControls() {
        #expect(ClientText.capped(Self.zalgo, bytes: 512).utf8.count == 511, "one byte, then 255 two-byte marks")
        #expect(ClientText.capped("가나다", bytes: 7) == "가나", "never half of a scalar")
        #expect(ClientText.capped("a\u{0}b\nc\u{1B}[31m\u{7F}\u{85}d", bytes: 64) == "abc[31md")
        #expect(ClientText.capped("plain", bytes: 64) == "plain")
    }

    /// The values of `column` in `auth_events`, read from the file as another process would.
    static func events(_ service: TestService, _ column: String) throws -> [String] {
        try DatabaseQueue(path: service.databasePath).read { db in
            try String.fetchAll(db, sql: "SELECT \(column) FROM auth_events WHERE \(column) IS NOT NULL")
        }
    }

    @Test func aUserAgentAndAReferrerAreStoredInAtMostTheirBytes() async throws {
        let kakao = FakeKakao()
        kakao.addCode("code", profile: "{\"id\":31}")
        kakao.addCode("other", profile: "{\"id\":32}")
        try await TestService.run(kakao: kakao, environment: ["KAKAO_ADMIN_KEY": FakeKakao.adminKey]) { service in
            let login = try await service.post("/auth/kakao", json: "{\"code\":\"code\"}", headers: [.userAgent: Self.zalgo])
            #expect(login.status == .ok)
            let agents = try Self.events(service, "user_agent")
            #expect(!agents.isEmpty && agents.allSatisfy { $0.utf8.count <= 512 && $0.utf8.starts(with: "a\u{0301}".utf8) })
            #expect(try await service.login(code: "other").status == .ok)
            let auth: HTTPFields = [.authorization: "KakaoAK \(FakeKakao.adminKey)"]
            let referrer = "X" + String(repeating: "\u{0301}", count: 5_000) + "\n"
            let unlink = try await service.client.postForm("/webhooks/kakao/unlink", [("user_id", "32"), ("referrer_type", referrer)], headers: auth)
            #expect(unlink.status == .ok)
            let details = try Self.events(service, "detail").filter { $0.hasPrefix("referrer_type=") }
            #expect(details.count == 1 && details.allSatisfy { $0.utf8.count <= "referrer_type=".utf8.count + 64 && !$0.contains("\n") })
        }
    }

    @Test func nulIsRefusedFromClientsAndFromKakao() async throws {
        let kakao = FakeKakao()
        kakao.addCode("nul-profile", profile: "{\"id\":33,\"kakao_account\":{\"profile\":{\"nickname\":\"a\\u0000b\"}}}")
        kakao.addCode("fine", profile: "{\"id\":34}")
        try await TestService.run(kakao: kakao, environment: ["KAKAO_ADMIN_KEY": FakeKakao.adminKey]) { service in
            // A client's JSON string: refused before Kakao is called.
            let client = try await service.post("/auth/kakao", json: "{\"code\":\"fi\\u0000ne\"}")
            #expect(client.status == .badRequest && client.problemCode == "invalid_request")
            #expect(kakao.tokenRequests.isEmpty)
            // Kakao's answer: a malformed profile, and nothing is stored.
            let fromKakao = try await service.login(code: "nul-profile")
            #expect(fromKakao.problemCode == "provider_error")
            #expect(try service.count("users") == 0)
            // A form field: Kakao's webhook must not fail for it, and what is stored of it holds no NUL.
            #expect(try await service.login(code: "fine").status == .ok)
            let auth: HTTPFields = [.authorization: "KakaoAK \(FakeKakao.adminKey)"]
            let answer = try await service.client.execute(
                uri: "/webhooks/kakao/unlink", method: .post, headers: auth + [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "user_id=34&referrer_type=A%00B&other=x%00"))
            #expect(answer.status == .ok)
            #expect(try service.count("users") == 0)
            #expect(try service.count("auth_events", where: "detail = 'referrer_type=AB'") == 1)
        }
    }
}

private func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
    var fields = lhs
    fields.append(contentsOf: rhs)
    return fields
}

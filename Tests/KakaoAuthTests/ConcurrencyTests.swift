import Foundation
import Testing
@testable import KakaoAuth
@testable import KakaoAuthTokens

@Suite struct ConcurrencyTests {
    @Test func concurrentFirstLoginsOfOneKakaoUserCreateOneUser() async throws {
        let kakao = FakeKakao()
        let codes = (0..<20).map { "code-\($0)" }
        for code in codes { kakao.addCode(code, profile: FakeKakao.profile(id: "9007199254740993", nickname: "동시")) }
        try await TestService.run(kakao: kakao) { service in
            let answers = try await withThrowingTaskGroup(of: JSONValue.self) { group in
                for code in codes { group.addTask { try await service.login(code: code).json } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.count == 20)
            #expect(Set(answers.compactMap { $0["user"]?["id"]?.stringValue }).count == 1)
            #expect(answers.filter { $0["new_user"] == .bool(true) }.count == 1)
            #expect(try service.count("users") == 1)
            #expect(try service.count("sessions") == 20)
        }
    }
}

import Foundation
import Hummingbird
import Testing

@testable import KakaoAuth

/// The admin listener over HTTP, as `buildApplication` builds it: only its routes, only with a key, the
/// operator named in the audit log; and the users' own session routes on the public port.
@Suite struct AdminAPITests {
    struct AdminService {
        let service: TestService
        let admin: LoopbackClient
        let key: String

        func call(_ method: HTTPRequest.Method, _ path: String, key: String? = nil, json: String? = nil) async throws -> HTTPAnswer {
            var headers: HTTPFields = [.authorization: "Bearer \(key ?? self.key)"]
            if json != nil { headers[.contentType] = "application/json" }
            return try await admin.execute(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        }
    }

    static func run(kakao: FakeKakao, _ body: @Sendable (AdminService) async throws -> Void) async throws {
        let port = try await LoopbackClient.freePort()
        let (key, entry) = AdminKeys.generate(name: "ops")
        try await TestService.run(kakao: kakao, environment: ["ADMIN_PORT": "\(port)", "ADMIN_API_KEYS": entry]) { service in
            try await body(AdminService(service: service, admin: service.client.on(port: port), key: key))
        }
    }

    @Test func theAdminListenerServesOnlyItsRoutesAndOnlyWithAKey() async throws {
        let kakao = FakeKakao()
        kakao.addCode("a", profile: FakeKakao.profile(id: "31"))
        try await Self.run(kakao: kakao) { admin in
            let userID = try #require(try await admin.service.login(code: "a", delivery: "body").json["user"]?["id"]?.stringValue)
            #expect(try await admin.call(.get, "/healthz").status == .ok)
            for path in ["/readyz", "/openapi.yaml", "/users/me", "/metrics", "/admin", "/admin/users/\(userID)/nothing"] {
                #expect(try await admin.call(.get, path).problemCode == "not_found", "\(path)")
            }
            #expect(try await admin.service.get("/admin/users", headers: [.authorization: "Bearer \(admin.key)"]).problemCode == "not_found")
            for key in ["wrong", String(admin.key.dropLast()), admin.key + "x"] {
                let refused = try await admin.call(.get, "/admin/users", key: key)
                #expect(refused.status == .unauthorized && refused.problemCode == "invalid_credentials")
            }
            let noKey = try await admin.admin.execute(uri: "/admin/users/\(userID)/disable", method: .post)
            #expect(noKey.problemCode == "invalid_credentials")

            let found = try await admin.call(.get, "/admin/users?kakao_id=31").json
            #expect(found["users"]?[0]?["id"]?.stringValue == userID && found["next_cursor"] == .null)
            let disabled = try await admin.call(.post, "/admin/users/\(userID)/disable", json: "{\"reason\":\"abuse\"}")
            #expect(try disabled.json["disabled_by"]?.stringValue == "admin:ops")
            #expect(try await admin.call(.get, "/admin/users/nobody").problemCode == "user_not_found")
            let events = try await admin.call(.get, "/admin/users/\(userID)/events").json
            #expect(events["events"]?[0]?["detail"]?.stringValue == "admin=ops, 1 sessions revoked")
        }
    }

    @Test func usersSeeTheirOwnSessionsAndEndThemButNoOneElses() async throws {
        let kakao = FakeKakao()
        for code in ["phone", "laptop", "other"] { kakao.addCode(code, profile: FakeKakao.profile(id: code == "other" ? "42" : "41")) }
        try await TestService.run(kakao: kakao) { service in
            let phone = try #require(try await service.login(code: "phone", delivery: "body").json["access_token"]?.stringValue)
            let laptop = try #require(try await service.login(code: "laptop", delivery: "body").json["access_token"]?.stringValue)
            let other = try #require(try await service.login(code: "other", delivery: "body").json["access_token"]?.stringValue)
            func call(_ method: HTTPRequest.Method, _ path: String, _ token: String) async throws -> HTTPAnswer {
                try await service.client.execute(uri: path, method: method, headers: [.authorization: "Bearer \(token)"])
            }
            let sessions = try #require(try await call(.get, "/users/me/sessions", laptop).json["sessions"]?.arrayValue)
            #expect(sessions.count == 2 && sessions[0]["current"] == .bool(true) && sessions[1]["current"] == .bool(false))
            let phoneSession = try #require(sessions[1]["id"]?.stringValue)
            let otherSession = try #require(try await call(.get, "/users/me/sessions", other).json["sessions"]?[0]?["id"]?.stringValue)
            #expect(try await call(.delete, "/users/me/sessions/\(otherSession)", laptop).problemCode == "session_not_found")
            #expect(try await service.me(bearer: other).status == .ok)
            #expect(try await call(.delete, "/users/me/sessions/\(phoneSession)", laptop).status == .noContent)
            #expect(try await service.me(bearer: phone).problemCode == "invalid_token")
            #expect(try await call(.delete, "/users/me/sessions", laptop).json["revoked"]?.integerValue == 0)
            #expect(try await service.me(bearer: laptop).status == .ok, "other devices keeps the current one")
            #expect(try service.count("auth_events", where: "kind = 'session_revoked' AND detail = 'by the user'") == 1)
        }
    }
}

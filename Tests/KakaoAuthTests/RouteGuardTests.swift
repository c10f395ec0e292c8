import Foundation
import HTTPTypes
import Hummingbird
import Testing

@testable import KakaoAuth

/// The checks that run before a handler, keyed on the route the router matched: the rate limit on every
/// route that calls Kakao or writes, the cookie checks on every route that uses our cookies, and 405s.
@Suite struct RouteGuardTests {
    static let environment = ServerFlowTests.environment.merging(["RATE_LIMIT_PER_MINUTE": "2", "KAKAO_ADMIN_KEY": FakeKakao.adminKey]) { $1 }

    /// Every route that calls Kakao or writes to the database (the webhooks count only the calls they refuse).
    static let limited: Set<String> = [
        "POST /auth/kakao", "POST /auth/refresh", "POST /auth/logout", "GET /auth/kakao/callback", "DELETE /auth/account",
        "GET /webhooks/kakao/unlink", "POST /webhooks/kakao/unlink", "POST /webhooks/kakao/account-status", "DELETE /users/me/sessions",
        "DELETE /users/me/sessions/{id}",
    ]
    /// Every other route the service serves (reads only).
    static let unlimited: Set<String> = [
        "GET /healthz", "GET /readyz", "GET /openapi.yaml", "POST /auth/introspect", "GET /auth/kakao/login", "GET /users/me",
        "GET /users/me/sessions", "GET /.well-known/jwks.json",
    ]

    /// The spellings the router takes for one route: repeated, leading and trailing slashes.
    static func spellings(of path: String) -> [String] {
        let segments = path.split(separator: "/").map(String.init)
        return [
            path + "/", "/" + path, path + "//", "/" + segments.joined(separator: "//"), "///" + segments.joined(separator: "///") + "///",
        ]
    }

    @Test func everyRouteThatCallsKakaoOrWritesIsLimitedHoweverItsPathIsSpelt() async throws {
        let routes = try TestService.routes(environment: Self.environment)
        let names = Set(routes.map { "\($0.method) \($0.path)" })
        #expect(Self.limited.isSubset(of: names) && Self.unlimited.isSubset(of: names), "a listed route is gone: \(names)")
        try await TestService.run(environment: Self.environment) { service in
            for route in routes {
                let name = "\(route.method) \(route.path)"
                // The budget of 2 goes on the canonical path; every other spelling must meet the same bucket.
                let first = try await service.client.execute(uri: route.path, method: route.method)
                _ = try await service.client.execute(uri: route.path, method: route.method)
                if !Self.limited.contains(name) && !Self.unlimited.contains(name) {
                    #expect(first.status == .methodNotAllowed, "\(name) is neither listed as limited or unlimited nor a 405: classify it")
                }
                for spelling in Self.spellings(of: route.path) {
                    let answer = try await service.client.execute(uri: spelling, method: route.method)
                    if Self.limited.contains(name) {
                        #expect(answer.problemCode == "rate_limited", "\(route.method) \(spelling)")
                    } else {
                        #expect(answer.status == first.status, "\(route.method) \(spelling) reached another route than \(name)")
                    }
                }
            }
        }
    }

    /// HEAD is GET without a body, so it spends GET's budget: probing with HEAD must not double it.
    @Test func headAndGetShareOneBudget() async throws {
        try await TestService.run(environment: Self.environment) { service in
            for path in ["/webhooks/kakao/unlink", "/auth/kakao/callback"] {
                for _ in 0..<2 { _ = try await service.client.execute(uri: path, method: .head) }
                #expect(try await service.get(path).problemCode == "rate_limited", "GET \(path) after two HEADs")
            }
        }
    }

    @Test func anUnservedMethodOnAKnownPathIs405WithAllow() async throws {
        try await TestService.run(environment: ["KAKAO_ADMIN_KEY": FakeKakao.adminKey]) { service in
            for (method, path, allow) in [
                (HTTPRequest.Method.trace, "/users/me", "GET, HEAD"), (.delete, "/users/me", "GET, HEAD"), (.put, "/auth/refresh", "POST"),
                (.post, "/healthz", "GET, HEAD"),
                (.head, "/auth/refresh/", "POST"), (.patch, "/webhooks/kakao/unlink", "GET, HEAD, POST"),
                (HTTPRequest.Method("QUERY")!, "/readyz", "GET, HEAD"),
            ] {
                let answer = try await service.client.execute(uri: path, method: method)
                #expect(answer.status == .methodNotAllowed, "\(method) \(path)")
                #expect(answer.headers[.allow] == allow, "\(method) \(path)")
                if method != .head { #expect(answer.problemCode == "method_not_allowed") }
            }
            #expect(try await service.client.execute(uri: "/nowhere", method: .trace).status == .notFound)
            // HEAD is served wherever GET is, as HTTP expects (load balancers probe with it).
            let head = try await service.client.execute(uri: "/healthz", method: .head)
            #expect(head.status == .ok && head.body.readableBytes == 0)
            // A CORS preflight is still a preflight, not a 405.
            #expect(
                try await service.options("/auth/refresh", headers: [.origin: "https://x.example", .accessControlRequestMethod: "POST"]).status
                    == .noContent)
        }
    }
}

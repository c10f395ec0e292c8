import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KakaoAuthHummingbird
import KakaoAuthVerifier
import Synchronization
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// The Swift verifier kit against a real kakao-auth over loopback, and its middleware in a real Hummingbird
/// service that kakao-auth's tokens let into.
@Suite struct VerifierKitTests {
    /// A service of a team using the kit: `GET /api/whoami` behind the middleware.
    static func withProtectedService(
        _ verifier: KakaoAuthVerifier, cookies: KakaoAuthMiddleware<KakaoAuthContext>.CookieAuthentication? = nil,
        _ body: @Sendable (LoopbackClient) async throws -> Void
    ) async throws {
        let router = Router(context: KakaoAuthContext.self)
        let api = router.group("api").add(middleware: KakaoAuthMiddleware(verifier: verifier, cookies: cookies))
        api.get("whoami") { _, context in context.kakaoAuth?.userID ?? "nobody" }
        api.post("whoami") { _, context in context.kakaoAuth?.userID ?? "nobody" }
        router.group("reports").add(middleware: KakaoAuthMiddleware(verifier: verifier, cookies: cookies, requiredRole: "reports:read"))
            .get { _, context in context.kakaoAuth?.roles.joined(separator: " ") ?? "nobody" }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.ahc(.http)) { harness in
            try await LoopbackClient.with(harness) { client in try await body(client) }
        }
    }

    static func claims(now: Int64) -> TokenClaims {
        TokenClaims(subject: "user", sessionID: "session", tokenID: "token", issuedAt: now, expiresAt: now + 600)
    }

    @Test(arguments: [JWSAlgorithm.edDSA, .es256])
    func theMiddlewareLetsInOurAccessTokensFromTheJWKSAndNothingElse(algorithm: JWSAlgorithm) async throws {
        let files = KeySetTests.KeyFiles()
        let key = AsymmetricKey.generate(algorithm)
        let kakao = FakeKakao()
        kakao.addCode("kit", profile: "{\"id\":88}")
        let environment = ["JWT_ALGORITHM": algorithm.rawValue, "JWT_PRIVATE_KEY_FILE": files.write("key.pem", key.privatePEM!), "JWT_SECRET": ""]
        try await TestService.run(kakao: kakao, environment: environment) { service in
            let body = try await service.login(code: "kit", delivery: "body").json
            let access = try #require(body["access_token"]?.stringValue)
            let refresh = try #require(body["refresh_token"]?.stringValue)
            let userID = try #require(body["user"]?["id"]?.stringValue)
            let verifier = KakaoAuthVerifier(jwksURL: URL(string: service.client.baseURL + "/.well-known/jwks.json")!)
            #expect(try await verifier.verifyAccessToken(access).userID == userID)

            try await Self.withProtectedService(verifier) { client in
                func whoami(_ headers: HTTPFields) async throws -> HTTPAnswer {
                    try await client.execute(uri: "/api/whoami", method: .get, headers: headers)
                }
                let admitted = try await whoami([.authorization: "Bearer \(access)"])
                #expect(admitted.status == .ok && String(buffer: admitted.body) == userID)
                #expect(try await whoami([.cookie: "__Host-access_token=\(access)"]).status == .unauthorized, "cookies only when asked for")
                let anonymous = try await whoami([:])
                #expect(anonymous.status == .unauthorized && anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                #expect(try await whoami([.authorization: "Bearer \(refresh)"]).status == .unauthorized, "a refresh token")
                // HS256 keyed with the public key, under the key's own kid.
                let now = Int64(Date().timeIntervalSince1970)
                #expect(try await whoami([.authorization: "Bearer \(AsymmetricTokenTests.confused(access, key: key))"]).status == .unauthorized)
                // Another key of the same type, unknown to the key set.
                let stranger = JWTCodec(signingKey: AsymmetricKey.generate(algorithm), issuer: "kakao-auth", audience: "kakao-auth").sign(
                    Self.claims(now: now), as: .access)
                #expect(try await whoami([.authorization: "Bearer \(stranger)"]).status == .unauthorized)
            }
        }
    }

    /// Cookie authentication is an explicit option with the service's defences: the byte-wise reader, the
    /// duplicate guard, and no unsafe cross-site request.
    @Test func cookieAuthenticationReadsCookiesAsTheServiceDoes() async throws {
        let kakao = FakeKakao()
        kakao.addCode("kit", profile: "{\"id\":90}")
        try await TestService.run(kakao: kakao) { service in
            let access = try #require(try await service.login(code: "kit", delivery: "body").json["access_token"]?.stringValue)
            let verifier = try KakaoAuthVerifier(secret: TestService.jwtSecret)
            let cookies = KakaoAuthMiddleware<KakaoAuthContext>.CookieAuthentication(trustedOrigins: ["https://app.example"])
            try await Self.withProtectedService(verifier, cookies: cookies) { client in
                try await Self.checkCookieAuthentication(client, access: access)
            }
        }
    }

    static func checkCookieAuthentication(_ client: LoopbackClient, access: String) async throws {
        func whoami(_ headers: HTTPFields) async throws -> HTTPAnswer {
            try await client.execute(uri: "/api/whoami", method: .get, headers: headers)
        }
        func post(_ headers: HTTPFields) async throws -> HTTPAnswer {
            try await client.execute(uri: "/api/whoami", method: .post, headers: headers)
        }
        let cookie = "__Host-access_token=\(access)"
        func withCookie(_ extra: HTTPFields) -> HTTPFields {
            var fields: HTTPFields = [.cookie: cookie]
            fields.append(contentsOf: extra)
            return fields
        }
        #expect(try await whoami([.cookie: cookie]).status == .ok)
        #expect(try await whoami([.authorization: "bEaReR \(access)"]).status == .ok)
        for planted in ["\u{2028}__Host-access_token=x", "__Host-access_token=x", "__host-access_token=x", "a=\u{600}; __Host-access_token=x"] {
            #expect(try await whoami([.cookie: "\(planted); \(cookie)"]).status == .unauthorized, "\(planted.unicodeScalars.first!.value)")
        }
        let siteHeader = HTTPField.Name("Sec-Fetch-Site")!
        for refused: HTTPFields in [
            [siteHeader: "cross-site", .origin: "https://evil.example"], [.origin: "https://evil.example"],
            [siteHeader: "same-site"],
        ] {
            #expect(try await post(withCookie(refused)).status == .forbidden, "\(refused)")
            #expect(try await whoami(withCookie(refused)).status == .ok, "a safe method is not refused")
        }
        for allowed: HTTPFields in [[siteHeader: "same-origin"], [siteHeader: "cross-site", .origin: "https://app.example"], [:]] {
            #expect(try await post(withCookie(allowed)).status == .ok, "\(allowed)")
        }
        // A Bearer token is not a browser's ambient credential: no origin check.
        #expect(try await post([.authorization: "Bearer \(access)", .origin: "https://evil.example"]).status == .ok)
    }

    /// The key-set fetch follows no redirect, stops reading past 64 KiB, and has a deadline for the whole call.
    @Test func theKeySetFetchIsBounded() async throws {
        let key = AsymmetricKey.generate(.edDSA)
        let keySet = "{\"keys\":[\(key.publicJWK)]}"
        let router = Router()
        router.get("jwks.json") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: keySet))) }
        router.get("moved") { _, _ in Response(status: .found, headers: [.location: "/jwks.json"]) }
        router.get("huge") { _, _ in
            Response(
                status: .ok,
                body: .init { writer in
                    for _ in 0..<64 { try await writer.write(ByteBuffer(repeating: UInt8(ascii: " "), count: 4096)) }
                    try await writer.write(ByteBuffer(string: keySet))
                    try await writer.finish(nil)
                })
        }
        router.get("slow") { _, _ in
            Response(
                status: .ok,
                body: .init { writer in
                    for byte in keySet.utf8 {
                        try await writer.write(ByteBuffer(bytes: [byte]))
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    try await writer.finish(nil)
                })
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.ahc(.http)) { harness in
            let now = Int64(Date().timeIntervalSince1970)
            let token = JWTCodec(signingKey: key, issuer: "kakao-auth", audience: "kakao-auth").sign(Self.claims(now: now), as: .access)
            let port = try #require(harness.port)
            // A generous deadline where the answer is quick (the whole suite runs at once on two cores), a short
            // one where the test is that it ends the call.
            let verifier = { (path: String, timeout: TimeInterval) in
                KakaoAuthVerifier(jwksURL: URL(string: "http://127.0.0.1:\(port)/\(path)")!, fetchTimeout: timeout)
            }
            #expect(try await verifier("jwks.json", 30).verifyAccessToken(token).userID == "user", "the served key set works")
            for path in ["moved", "huge"] {
                await #expect(throws: KakaoAuthVerifier.KeySetUnavailable.self, "\(path)") { try await verifier(path, 30).verifyAccessToken(token) }
            }
            // Each byte resets an idle timer; the deadline is for the whole call (the body takes 10 s or more).
            let started = ContinuousClock.now
            await #expect(throws: KakaoAuthVerifier.KeySetUnavailable.self) { try await verifier("slow", 2).verifyAccessToken(token) }
            #expect(ContinuousClock.now - started < .seconds(7), "the fetch gave up at its deadline")
        }
    }

    /// Roles and app metadata as the kit exposes them, and a route group that requires a role: 403 problem+json
    /// for a valid token without it, 401 for a token whose roles were edited (its signature no longer holds).
    @Test func theMiddlewareRequiresARoleForARouteGroup() async throws {
        struct Plan: Decodable, Equatable {
            let plan: String
        }
        let kakao = FakeKakao()
        kakao.addCode("roles", profile: "{\"id\":90}")
        try await TestService.run(kakao: kakao, environment: ["DEFAULT_ROLES": "reports:read, member"]) { service in
            let access = try #require(try await service.login(code: "roles", delivery: "body").json["access_token"]?.stringValue)
            let verifier = try KakaoAuthVerifier(secret: TestService.jwtSecret)
            let claims = try await verifier.verifyAccessToken(access)
            #expect(claims.roles == ["member", "reports:read"] && claims.hasRole("member") && !claims.hasRole("admin"))
            #expect(claims.appMetadata == Data("{}".utf8))

            let now = Int64(Date().timeIntervalSince1970)
            let codec = JWTCodec(secret: Array(TestService.jwtSecret.utf8), issuer: "kakao-auth", audience: "kakao-auth")
            var memberOnly = Self.claims(now: now)
            memberOnly.roles = ["member"]
            memberOnly.appMetadata = #"{"plan":"pro"}"#
            let lacking = codec.sign(memberOnly, as: .access)
            #expect(try await verifier.verifyAccessToken(lacking).decodeAppMetadata(Plan.self) == Plan(plan: "pro"))
            // The payload of a token without the role, with the role written in: the signature is the old one's.
            let segments = lacking.split(separator: ".")
            let edited = String(decoding: Base64URL.decode(segments[1])!, as: UTF8.self).replacingOccurrences(
                of: #"["member"]"#, with: #"["member","reports:read"]"#)
            let forged = "\(segments[0]).\(Base64URL.encode(Array(edited.utf8))).\(segments[2])"

            try await Self.withProtectedService(verifier) { client in
                func reports(_ token: String) async throws -> HTTPAnswer {
                    try await client.execute(uri: "/reports", method: .get, headers: [.authorization: "Bearer \(token)"])
                }
                let admitted = try await reports(access)
                #expect(admitted.status == .ok && String(buffer: admitted.body) == "member reports:read")
                let refused = try await reports(lacking)
                #expect(refused.status == .forbidden && refused.headers[.contentType] == "application/problem+json")
                #expect(refused.headers[.wwwAuthenticate] == "Bearer error=\"insufficient_scope\"")
                let problem = try #require(try JSONSerialization.jsonObject(with: Data(buffer: refused.body)) as? [String: Any])
                #expect(problem["status"] as? Int == 403 && (problem["detail"] as? String)?.contains("role") == true)
                let tampered = try await reports(forged)
                #expect(tampered.status == .unauthorized && tampered.headers[.contentType] == "application/problem+json")
                #expect(try await client.execute(uri: "/api/whoami", method: .get, headers: [.authorization: "Bearer \(lacking)"]).status == .ok)
            }
        }
    }

    @Test func aSharedSecretVerifiesHS256TokensAndOnlyThose() async throws {
        let kakao = FakeKakao()
        kakao.addCode("secret", profile: "{\"id\":89}")
        try await TestService.run(kakao: kakao) { service in
            let access = try #require(try await service.login(code: "secret", delivery: "body").json["access_token"]?.stringValue)
            let verifier = try KakaoAuthVerifier(secret: TestService.jwtSecret)
            #expect(try await verifier.verifyAccessToken(access).expiresAt > Date())
            let other = try KakaoAuthVerifier(secret: "another-secret-another-secret-0123456789")
            await #expect(throws: KakaoAuthVerifier.Refusal.self) { try await other.verifyAccessToken(access) }
            #expect(throws: KakaoAuthVerifier.Refusal.self) { try KakaoAuthVerifier(secret: "short") }
        }
    }

    /// Tokens of unknown keys fetch the key set again at most once a minute; a key set that cannot be had is
    /// a ``KakaoAuthVerifier/KeySetUnavailable`` (503 in the middleware), not a refusal of the token.
    @Test func unknownKeysRefetchTheKeySetAtMostOnceAMinute() async throws {
        final class Counter: Sendable {
            let count = Mutex(0)
        }
        let fetches = Counter()
        let key = AsymmetricKey.generate(.edDSA)
        let router = Router()
        router.get("jwks.json") { _, _ -> Response in
            fetches.count.withLock { $0 += 1 }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "{\"keys\":[\(key.publicJWK)]}")))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.ahc(.http)) { harness in
            let verifier = KakaoAuthVerifier(jwksURL: URL(string: "http://127.0.0.1:\(harness.port!)/jwks.json")!)
            let now = Int64(Date().timeIntervalSince1970)
            let token = JWTCodec(signingKey: key, issuer: "kakao-auth", audience: "kakao-auth").sign(Self.claims(now: now), as: .access)
            let claims = try await verifier.verifyAccessToken(token)
            #expect(claims.userID == "user")
            let stranger = JWTCodec(signingKey: AsymmetricKey.generate(.edDSA), issuer: "kakao-auth", audience: "kakao-auth").sign(
                Self.claims(now: now), as: .access)
            for _ in 0..<5 {
                await #expect(throws: KakaoAuthVerifier.Refusal.self) { try await verifier.verifyAccessToken(stranger) }
            }
            #expect(fetches.count.withLock { $0 } == 1, "the first fetch is less than a minute old")
        }
        let unreachable = KakaoAuthVerifier(jwksURL: URL(string: "http://127.0.0.1:9/jwks.json")!)
        await #expect(throws: KakaoAuthVerifier.KeySetUnavailable.self) { try await unreachable.verifyAccessToken("a.b.c") }
    }
}

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
    static func withProtectedService(_ verifier: KakaoAuthVerifier, _ body: @Sendable (LoopbackClient) async throws -> Void) async throws {
        let router = Router(context: KakaoAuthContext.self)
        router.group("api").add(middleware: KakaoAuthMiddleware(verifier: verifier)).get("whoami") { _, context in
            context.kakaoAuth?.userID ?? "nobody"
        }
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
            let access = try #require(body["access_token"]?.stringValue), refresh = try #require(body["refresh_token"]?.stringValue)
            let userID = try #require(body["user"]?["id"]?.stringValue)
            let verifier = KakaoAuthVerifier(jwksURL: URL(string: service.client.baseURL + "/.well-known/jwks.json")!)
            #expect(try await verifier.verifyAccessToken(access).userID == userID)

            try await Self.withProtectedService(verifier) { client in
                func whoami(_ headers: HTTPFields) async throws -> HTTPAnswer { try await client.execute(uri: "/api/whoami", method: .get, headers: headers) }
                let admitted = try await whoami([.authorization: "Bearer \(access)"])
                #expect(admitted.status == .ok && String(buffer: admitted.body) == userID)
                #expect(try await whoami([.cookie: "__Host-access_token=\(access)"]).status == .ok, "kakao-auth's own cookie")
                let anonymous = try await whoami([:])
                #expect(anonymous.status == .unauthorized && anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                #expect(try await whoami([.authorization: "Bearer \(refresh)"]).status == .unauthorized, "a refresh token")
                // HS256 keyed with the public key, under the key's own kid.
                let now = Int64(Date().timeIntervalSince1970)
                #expect(try await whoami([.authorization: "Bearer \(AsymmetricTokenTests.confused(access, key: key))"]).status == .unauthorized)
                // Another key of the same type, unknown to the key set.
                let stranger = JWTCodec(signingKey: AsymmetricKey.generate(algorithm), issuer: "kakao-auth", audience: "kakao-auth").sign(Self.claims(now: now), as: .access)
                #expect(try await whoami([.authorization: "Bearer \(stranger)"]).status == .unauthorized)
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
            let stranger = JWTCodec(signingKey: AsymmetricKey.generate(.edDSA), issuer: "kakao-auth", audience: "kakao-auth").sign(Self.claims(now: now), as: .access)
            for _ in 0..<5 {
                await #expect(throws: KakaoAuthVerifier.Refusal.self) { try await verifier.verifyAccessToken(stranger) }
            }
            #expect(fetches.count.withLock { $0 } == 1, "the first fetch is less than a minute old")
        }
        let unreachable = KakaoAuthVerifier(jwksURL: URL(string: "http://127.0.0.1:9/jwks.json")!)
        await #expect(throws: KakaoAuthVerifier.KeySetUnavailable.self) { try await unreachable.verifyAccessToken("a.b.c") }
    }
}

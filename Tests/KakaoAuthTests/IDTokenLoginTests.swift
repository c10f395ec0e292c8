import Foundation
import Hummingbird
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// Logging in with the OpenID Connect ID token Kakao's SDKs hand an app: verified against Kakao's JWKS (a
/// real HTTP server on loopback), with no other call to Kakao; every hostile token refused with nothing stored.
@Suite struct IDTokenLoginTests {
    static let nonce = "n-0123456789"

    func login(_ service: TestService, _ token: String, nonce: String? = IDTokenLoginTests.nonce) async throws -> HTTPAnswer {
        let nonceField = nonce.map { ",\"nonce\":\($0.jsonQuoted)" } ?? ""
        return try await service.post("/auth/kakao", json: "{\"id_token\":\(token.jsonQuoted)\(nonceField),\"token_delivery\":\"body\"}")
    }

    /// The service with Kakao's keys at the fake's JWKS.
    func withKakaoKeys(
        _ signers: [KakaoSigner], environment: [String: String] = [:], clock: UnixClock = .system,
        _ body: @Sendable (TestService, FakeKakao) async throws -> Void
    ) async throws {
        try await withKakao(jwks: KakaoSigner.jwks(signers), environment: environment, clock: clock, body)
    }

    func withKakao(
        jwks: FakeKakao.Answer, environment: [String: String] = [:], clock: UnixClock = .system,
        _ body: @Sendable (TestService, FakeKakao) async throws -> Void
    ) async throws {
        let kakao = FakeKakao()
        kakao.setJWKS(jwks)
        try await TestService.run(kakao: kakao, environment: KakaoSigner.environment.merging(environment) { $1 }, clock: clock) { service in
            try await body(service, kakao)
        }
    }

    @Test func aGoodTokenLogsInWithoutCallingKakaosTokenOrUserEndpoints() async throws {
        let signer = KakaoSigner()
        try await withKakaoKeys([signer]) { service, kakao in
            let answer = try await login(service, signer.token())
            #expect(answer.status == .ok)
            let user = try #require(try answer.json["user"])
            #expect(user["kakao_id"] == .string("9007199254740993"))
            #expect(user["nickname"] == .string("라이언"))
            #expect(user["email"] == .string("ryan@kakao.test") && user["email_verified"] == .bool(true))
            #expect(user["profile_image_url"] == .string("https://k.kakaocdn.net/ryan.png"))
            #expect(try answer.json["new_user"] == .bool(true))
            #expect(kakao.tokenRequests.isEmpty && kakao.userRequests == 0)
            // The key set is cached: a second login fetches nothing.
            #expect(try await login(service, signer.token()).status == .ok)
            #expect(kakao.jwksRequests == 1)
            // A token issued to the web (REST API) key is fine too, and a token without nonce with none sent.
            let web = signer.token(claims: KakaoSigner.claims(nonce: nil).setting("aud", FakeKakao.clientID.jsonQuoted))
            #expect(try await login(service, web, nonce: nil).status == .ok)
        }
    }

    /// A token found in a proxy log or a crash report must log no one in: each logs in once, and a second use
    /// is refused with a code of its own, with no session opened.
    @Test func eachTokenLogsInOnce() async throws {
        let signer = KakaoSigner()
        try await withKakaoKeys([signer]) { service, _ in
            let token = signer.token()
            #expect(try await login(service, token).status == .ok)
            let again = try await login(service, token)
            #expect(again.status == .badRequest && again.problemCode == "id_token_reused", "\(again)")
            #expect(try service.count("sessions") == 1, "the second use opened no session")
            #expect(try service.count("used_credentials") == 1)
            #expect(try await login(service, signer.token()).status == .ok, "a new token from the SDK logs in")
        }
    }

    /// Every way an id_token can be wrong, each refused as 400 invalid_grant with nothing stored.
    @Test func hostileTokensAreRefusedAndStoreNothing() async throws {
        let signer = KakaoSigner()
        let stranger = KakaoSigner(kid: signer.kid)
        let claims = KakaoSigner.claims()
        let now = Int64(Date().timeIntervalSince1970)
        let unsigned = KakaoSigner.segment(signer.header.setting("alg", "\"none\"")) + "." + KakaoSigner.segment(claims) + "."
        func hmac(_ key: [UInt8]) -> String {
            let input = KakaoSigner.segment(signer.header.setting("alg", "\"HS256\"")) + "." + KakaoSigner.segment(claims)
            return input + "." + Base64URL.encode(HMACSHA256(key: key).authenticationCode(for: input))
        }
        var cases: [(String, String, String?)] = [
            ("alg none, unsigned", unsigned, Self.nonce),
            ("alg none, signed", signer.token(header: signer.header.setting("alg", "\"none\"")), Self.nonce),
            ("HS256 keyed with the modulus", hmac(signer.key.modulus), Self.nonce),
            ("HS256 keyed with the JWK", hmac(Array(signer.jwk.utf8)), Self.nonce),
            ("alg missing", signer.token(header: signer.header.setting("alg", nil)), Self.nonce),
            ("typ at+jwt", signer.token(header: signer.header.setting("typ", "\"at+jwt\"")), Self.nonce),
            ("crit", signer.token(header: signer.header + [("crit", "[\"exp\"]")]), Self.nonce),
            ("kid missing", signer.token(header: signer.header.setting("kid", nil)), Self.nonce),
            ("kid unknown", signer.token(header: signer.header.setting("kid", "\"other\"")), Self.nonce),
            ("kid a number", signer.token(header: signer.header.setting("kid", "7")), Self.nonce),
            ("another RSA key under the real kid", signer.token(signedWith: stranger.key), Self.nonce),
            (
                "tampered payload",
                {
                    let parts = signer.token().split(separator: ".")
                    return parts[0] + "." + KakaoSigner.segment(claims.setting("sub", "\"1\"")) + "." + parts[2]
                }(), Self.nonce
            ),
            ("signature truncated", String(signer.token().dropLast(4)), Self.nonce),
            ("signature padded", signer.token() + "==", Self.nonce),
            ("two segments", signer.token().split(separator: ".").prefix(2).joined(separator: "."), Self.nonce),
            ("header not JSON", Base64URL.encode(Array("{".utf8)) + "." + KakaoSigner.segment(claims) + ".AAAA", Self.nonce),
            ("iss wrong", signer.token(claims: claims.setting("iss", "\"https://evil.example\"")), Self.nonce),
            ("iss missing", signer.token(claims: claims.setting("iss", nil)), Self.nonce),
            ("aud another app", signer.token(claims: claims.setting("aud", "\"another-native-key\"")), Self.nonce),
            ("aud array", signer.token(claims: claims.setting("aud", "[\"test-native-app-key\"]")), Self.nonce),
            ("exp past", signer.token(claims: claims.setting("exp", "\(now - 60)")), Self.nonce),
            ("exp string", signer.token(claims: claims.setting("exp", "\"\(now + 600)\"")), Self.nonce),
            ("iat future", signer.token(claims: claims.setting("iat", "\(now + 120)")), Self.nonce),
            ("iat older than KAKAO_ID_TOKEN_MAX_AGE", signer.token(claims: KakaoSigner.claims(age: 601 + JWTCodec.clockLeeway)), Self.nonce),
            ("nonce differs", signer.token(), "n-another"),
            ("token has a nonce, none sent", signer.token(), nil),
            ("nonce sent, token has none", signer.token(claims: KakaoSigner.claims(nonce: nil)), Self.nonce),
            ("nonce a number", signer.token(claims: claims.setting("nonce", "12345678")), "12345678"),
            ("nickname an object", signer.token(claims: claims.setting("nickname", "{}")), Self.nonce),
            ("oversized", signer.token(claims: claims + [("pad", String(repeating: "x", count: 9000).jsonQuoted)]), Self.nonce),
            // Extreme values must be refused, not overflow the arithmetic.
            ("iat the smallest integer", signer.token(claims: claims.setting("iat", "\(Int64.min)")), Self.nonce),
            ("exp the smallest integer", signer.token(claims: claims.setting("exp", "\(Int64.min)")), Self.nonce),
            ("iat the largest integer", signer.token(claims: claims.setting("iat", "\(Int64.max)")), Self.nonce),
        ]
        for sub in ["\"abc\"", "\"-5\"", "\"05\"", "\"1.0\"", "\"\"", "5", "\"18446744073709551616\"", "\"9223372036854775808\"", "\"１２\""] {
            cases.append(("sub \(sub)", signer.token(claims: claims.setting("sub", sub)), Self.nonce))
        }
        let matrix = cases
        try await withKakaoKeys([signer]) { service, kakao in
            for (name, token, nonce) in matrix {
                let answer = try await login(service, token, nonce: nonce)
                #expect(answer.status == .badRequest, "\(name)")
                #expect(answer.problemCode == "invalid_grant", "\(name): \(String(buffer: answer.body))")
            }
            #expect(try service.count("users") == 0 && service.count("sessions") == 0)
            #expect(kakao.tokenRequests.isEmpty && kakao.userRequests == 0)
            #expect(try await login(service, signer.token()).status == .ok, "the good token still works after all that")
            // A token that never expires is still bound by its age, and must not crash the arithmetic.
            #expect(try await login(service, signer.token(claims: claims.setting("exp", "\(Int64.max)"))).status == .ok)
        }
    }

    @Test func keysOfAnotherTypeOrTooShortAreNotKakaosKeys() async throws {
        let short = KakaoSigner(kid: "short", bits: 1024)
        let good = KakaoSigner(kid: "good")
        let hmacBound = KakaoSigner(kid: "hs")
        // e = 1 turns RSA into the identity: the padded digest is its own "signature".
        let forgeable = "{\"kty\":\"RSA\",\"kid\":\"e1\",\"n\":\(Base64URL.encode(good.key.modulus).jsonQuoted),\"e\":\"AQ\"}"
        let entries = [
            short.jwk, "{\"kty\":\"EC\",\"kid\":\"ec\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}",
            hmacBound.jwk.replacingOccurrences(of: "RS256", with: "HS256"), forgeable, good.jwk,
        ]
        let input = KakaoSigner.segment(good.header.setting("kid", "\"e1\"")) + "." + KakaoSigner.segment(KakaoSigner.claims())
        let digestInfo: [UInt8] = [0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]
        let padded = [0x00, 0x01] + [UInt8](repeating: 0xFF, count: 256 - 3 - digestInfo.count - 32) + [0x00] + digestInfo + OpenSSL.sha256(input)
        let jwks = FakeKakao.Answer(body: "{\"keys\":[" + entries.joined(separator: ",") + "]}")
        let tokens = [
            ("a 1024-bit key", short.token()), ("an EC key's kid", good.token(header: good.header.setting("kid", "\"ec\""))),
            ("a key bound to HS256", hmacBound.token()),
            ("a key with e = 1, signature forged without its private key", input + "." + Base64URL.encode(padded)),
        ]
        try await withKakao(jwks: jwks) { service, _ in
            for (name, token) in tokens {
                let answer = try await login(service, token)
                #expect(answer.problemCode == "invalid_grant", "\(name)")
            }
            let accepted = try await login(service, good.token())
            #expect(accepted.status == .ok)
        }
    }

    @Test func unknownKidsRefetchTheKeySetOnceAnInterval() async throws {
        let first = KakaoSigner(kid: "first")
        let rotated = KakaoSigner(kid: "rotated")
        // The service's clock, moved by hand: the interval is judged on it, so a slow machine cannot stretch it.
        let time = ManualClock()
        try await withKakaoKeys([first], environment: ["KAKAO_JWKS_REFRESH_SECONDS": "1"], clock: time.clock) { service, kakao in
            #expect(try await login(service, first.token()).status == .ok)
            #expect(kakao.jwksRequests == 1)
            // Kakao rotates; fifty logins with the new kid arrive at once, an interval after the first fetch:
            // at most one fetch, and it must be the only one however many are waiting.
            time.advance(by: 1)
            kakao.setJWKS(KakaoSigner.jwks([first, rotated]))
            let answers = try await withThrowingTaskGroup(of: HTTPAnswer.self) { group in
                for index in 0..<50 {
                    group.addTask { try await login(service, rotated.token(claims: KakaoSigner.claims(kakaoID: "\(1000 + index)"))) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(kakao.jwksRequests == 2)
            #expect(answers.allSatisfy { $0.status == .ok || $0.problemCode == "invalid_grant" })
            #expect(answers.contains { $0.status == .ok }, "the requests that waited for the fetch got the new key")
            // Within the interval an unknown kid is refused without asking Kakao again.
            let unknown = KakaoSigner(kid: "never-published")
            for _ in 0..<5 { #expect(try await login(service, unknown.token()).problemCode == "invalid_grant") }
            #expect(kakao.jwksRequests == 2)
            #expect(try await login(service, rotated.token()).status == .ok)
        }
    }

    @Test func aFailingKeySetIsAskedForAgainOnlyOnceAnIntervalAndTheLastGoodOneServes() async throws {
        let signer = KakaoSigner()
        let time = ManualClock()
        try await withKakaoKeys([signer], environment: ["KAKAO_JWKS_REFRESH_SECONDS": "1"], clock: time.clock) { service, kakao in
            #expect(try await login(service, signer.token()).status == .ok)
            kakao.setJWKS(FakeKakao.Answer(status: 500, body: "{}"))
            time.advance(by: 1)
            let rotated = KakaoSigner(kid: "rotated")
            for _ in 0..<10 {
                let answer = try await login(service, rotated.token())
                #expect(answer.problemCode == "provider_error")
            }
            #expect(kakao.jwksRequests == 2, "one fetch for the unknown kid, then the failure is the answer until the interval is over")
            #expect(try await login(service, signer.token()).status == .ok, "the last good key set still serves")
        }
        let kakao = FakeKakao()
        kakao.setJWKS(FakeKakao.Answer(status: 503, body: "{}"))
        let token = signer.token()
        try await TestService.run(kakao: kakao, environment: KakaoSigner.environment) { service in
            for _ in 0..<10 {
                let answer = try await login(service, token)
                #expect(answer.problemCode == "provider_error")
            }
            #expect(kakao.jwksRequests == 1, "a Kakao outage is not met with a fetch per login")
        }
    }

    @Test func withSHA256NoncesALeakedTokenLogsNoOneIn() async throws {
        let signer = KakaoSigner()
        let raw = "raw-nonce-only-the-app-knows"
        let hashed = OpenSSL.sha256(raw).map { String(format: "%02x", $0) }.joined()
        let token = signer.token(claims: KakaoSigner.claims(nonce: hashed))
        let withoutNonce = signer.token(claims: KakaoSigner.claims(nonce: nil))
        try await withKakaoKeys([signer], environment: ["KAKAO_ID_TOKEN_NONCE": "sha256"]) { service, _ in
            #expect(try await login(service, token, nonce: hashed).problemCode == "invalid_grant", "the claim read out of a leaked token")
            let answer = try await login(service, withoutNonce, nonce: nil)
            #expect(answer.problemCode == "invalid_grant")
            #expect(try await login(service, token, nonce: raw).status == .ok)
        }
    }

    @Test(arguments: [
        ("500", FakeKakao.Answer(status: 500, body: "{}"), "provider_error"),
        ("html", FakeKakao.Answer(body: "<html></html>", contentType: "text/html"), "provider_error"),
        ("no keys", FakeKakao.Answer(body: "{\"keys\":[]}"), "provider_error"),
        ("not a key set", FakeKakao.Answer(body: "{\"keys\":{}}"), "provider_error"),
        ("slow", FakeKakao.Answer(body: "{\"keys\":[]}", delay: .seconds(5)), "provider_timeout"),
    ])
    func anUnusableKeySetIsKakaoFailing(name: String, jwks: FakeKakao.Answer, code: String) async throws {
        // A limit far from both answers, so that a loaded machine (CI running builds beside the suite) cannot
        // turn a quick 500 into a timeout.
        try await withKakao(jwks: jwks, environment: ["KAKAO_TIMEOUT_SECONDS": "2"]) { service, _ in
            let answer = try await login(service, KakaoSigner().token())
            #expect(answer.problemCode == code, "\(name)")
            #expect(try service.count("users") == 0)
        }
    }

    @Test func anIDTokenKeepsTheProfileFieldsItDoesNotCarry() async throws {
        let signer = KakaoSigner()
        let kakao = FakeKakao()
        kakao.setJWKS(KakaoSigner.jwks([signer]))
        kakao.addCode(
            "web", profile: FakeKakao.profile(id: "31337", nickname: "web name", email: "web@kakao.test", image: "https://k.kakaocdn.net/web.png"))
        try await TestService.run(kakao: kakao, environment: KakaoSigner.environment) { service in
            #expect(try await service.login(code: "web", delivery: "body").status == .ok)
            let claims = KakaoSigner.claims(kakaoID: "31337").setting("email", "\"\"").setting("picture", nil).setting("nickname", "\"app name\"")
            let user = try #require(try await login(service, signer.token(claims: claims)).json["user"])
            #expect(user["nickname"] == .string("app name"))
            #expect(user["email"] == .string("web@kakao.test") && user["email_verified"] == .bool(true))
            #expect(user["profile_image_url"] == .string("https://k.kakaocdn.net/web.png"))
            #expect(user["thumbnail_image_url"] == .string("https://k.kakaocdn.net/web.png?thumb"))
        }
    }

    @Test(arguments: [
        ("{}", "none"), ("{\"code\":\"c\",\"id_token\":\"t\"}", "two"), ("{\"id_token\":\"t\",\"access_token\":\"a\"}", "two"),
        ("{\"code\":\"c\",\"nonce\":\"n\"}", "nonce with a code"),
        ("{\"id_token\":\"t\",\"redirect_uri\":\"https://app.example/callback\"}", "redirect_uri with an id_token"),
        ("{\"id_token\":\"t\",\"code_verifier\":\"\(String(repeating: "v", count: 43))\"}", "code_verifier with an id_token"),
        ("{\"access_token\":\"a\",\"nonce\":\"n\"}", "nonce with an access token"), ("{\"id_token\":\"\"}", "empty"),
        ("{\"id_token\":7}", "not a string"),
    ])
    func aLoginCarriesExactlyOneKindOfCredential(json: String, name: String) async throws {
        let kakao = FakeKakao()
        try await TestService.run(kakao: kakao, environment: ["KAKAO_APP_ID": FakeKakao.appID]) { service in
            let answer = try await service.post("/auth/kakao", json: json)
            #expect(answer.problemCode == "invalid_request", "\(name)")
            #expect(kakao.tokenRequests.isEmpty && kakao.jwksRequests == 0 && kakao.tokenInfoRequests == 0)
        }
    }
}

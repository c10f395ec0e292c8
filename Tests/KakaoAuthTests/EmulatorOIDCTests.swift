import Foundation
import Hummingbird
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens
@testable import KakaoEmulator

/// The emulator's OpenID Connect side, and the service logging in with what it hands an app, as Kakao's
/// SDKs would: id_tokens checked against its JWKS (also across a key rotation), access tokens of its app.
@Suite struct EmulatorOIDCTests {
    static let settings = TestEmulator.settings()
    static var serviceEnvironment: [String: String] {
        [
            "KAKAO_OIDC_ISSUER": settings.issuer, "KAKAO_ID_TOKEN_AUDIENCES": "\(FakeKakao.clientID),\(settings.nativeAppKey)",
            "KAKAO_APP_ID": settings.appID, "KAKAO_JWKS_REFRESH_SECONDS": "1",
        ]
    }

    func sdkLogin(_ emulator: LoopbackClient, kakaoID: String = "4242", nonce: String = "") async throws -> JSONValue {
        let answer = try await emulator.postForm("/emulator/sdk-login", [("kakao_id", kakaoID), ("nickname", "앱"), ("nonce", nonce)])
        #expect(answer.status == .ok)
        #expect(answer.headers[.accessControlAllowOrigin] == "*")
        return try answer.json
    }

    /// The token's claims, after checking its signature against the emulator's published keys.
    func verifiedClaims(_ token: String, _ emulator: LoopbackClient) async throws -> JSONValue {
        let keys = try KakaoJWKS.usableKeys(in: try await emulator.execute(uri: "/.well-known/jwks.json", method: .get).json)
        let parts = token.split(separator: ".").map(String.init)
        let header = try StrictJSONReader.parse(try #require(Base64URL.decode(parts[0])))
        #expect(header["alg"] == .string("RS256") && header["typ"] == .string("JWT"))
        let kid = try #require(header["kid"]?.stringValue)
        let key = try #require(keys[kid])
        let signature = try #require(Base64URL.decode(parts[2]))
        #expect(key.verifiesRS256(signature, of: Array((parts[0] + "." + parts[1]).utf8)))
        return try StrictJSONReader.parse(try #require(Base64URL.decode(parts[1])))
    }

    @Test func theTokenAnswerCarriesAnIDTokenWhenTheScopeHasOpenID() async throws {
        try await TestEmulator.run(Self.settings) { _, emulator in
            let query = [
                "client_id": FakeKakao.clientID, "redirect_uri": EmulatorTests.redirectURI, "response_type": "code",
                "scope": "openid,profile_nickname", "nonce": "n-42",
            ]
            let code = try #require(try await emulator.consent(query, kakaoID: "31337").redirect?.query["code"])
            let tokens = try await emulator.postForm(
                "/oauth/token",
                [
                    ("grant_type", "authorization_code"), ("client_id", FakeKakao.clientID), ("client_secret", FakeKakao.clientSecret),
                    ("redirect_uri", EmulatorTests.redirectURI), ("code", code),
                ]
            ).json
            let claims = try await verifiedClaims(try #require(tokens["id_token"]?.stringValue), emulator)
            #expect(claims["iss"] == .string(Self.settings.issuer) && claims["aud"] == .string(FakeKakao.clientID))
            #expect(claims["sub"] == .string("31337") && claims["nonce"] == .string("n-42") && claims["nickname"] == .string("라이언"))
            #expect(claims["email"] == .string("ryan@kakao.test"))
            #expect(tokens["scope"]?.stringValue?.contains("openid") == true)

            let plain = try #require(try await emulator.consent(EmulatorTests().authorizeQuery(), kakaoID: "31337").redirect?.query["code"])
            let without = try await EmulatorTests().exchange(emulator, code: plain).json
            #expect(without["id_token"] == nil)
            let discovery = try await emulator.execute(uri: "/.well-known/openid-configuration", method: .get).json
            #expect(discovery["issuer"] == .string(Self.settings.issuer))
            #expect(discovery["jwks_uri"] == .string(Self.settings.issuer + "/.well-known/jwks.json"))
        }
    }

    @Test func theSDKStandInHandsAnAppKakaosTokens() async throws {
        try await TestEmulator.run(Self.settings) { _, emulator in
            let tokens = try await sdkLogin(emulator, nonce: "app-nonce")
            let claims = try await verifiedClaims(try #require(tokens["id_token"]?.stringValue), emulator)
            #expect(
                claims["aud"] == .string(Self.settings.nativeAppKey) && claims["nonce"] == .string("app-nonce") && claims["sub"] == .string("4242"))
            let access = try #require(tokens["access_token"]?.stringValue)
            let info = try await emulator.execute(uri: "/v1/user/access_token_info", method: .get, headers: [.authorization: "Bearer \(access)"]).json
            #expect(info["id"]?.integerValue == 4242 && info["app_id"]?.integerValue == Int64(Self.settings.appID))
        }
    }

    /// The benchmark's supply: id_tokens minted in bulk, each with a nonce of its own, each logging in once.
    @Test func bulkIDTokensEachLogInOnce() async throws {
        try await TestEmulator.run(Self.settings) { emulatorURL, emulator in
            try await TestService.run(kakaoBaseURL: emulatorURL, environment: Self.serviceEnvironment) { service in
                let minted = try await emulator.postForm("/emulator/id-tokens", [("count", "3"), ("users", "2"), ("first_kakao_id", "70")])
                let lines = String(buffer: minted.body).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
                #expect(lines.count == 3 && lines.allSatisfy { $0.count == 2 } && Set(lines.map { $0[0] }).count == 3)
                func login(_ line: [String]) async throws -> HTTPAnswer {
                    try await service.post(
                        "/auth/kakao", json: "{\"id_token\":\(line[0].jsonQuoted),\"nonce\":\(line[1].jsonQuoted),\"token_delivery\":\"body\"}")
                }
                var kakaoIDs: [String] = []
                for line in lines {
                    kakaoIDs.append(try #require(try await login(line).json["user"]?["kakao_id"]?.stringValue))
                }
                #expect(kakaoIDs == ["70", "71", "70"])
                #expect(try await login(lines[0]).problemCode == "id_token_reused")
                #expect(try await emulator.postForm("/emulator/id-tokens", [("count", "0")]).status == .badRequest)
            }
        }
    }

    @Test func theServiceLogsAppsInAcrossAKeyRotation() async throws {
        let time = ManualClock()
        try await TestEmulator.run(Self.settings) { emulatorURL, emulator in
            try await TestService.run(kakaoBaseURL: emulatorURL, environment: Self.serviceEnvironment, clock: time.clock) { service in
                func login(_ json: String) async throws -> HTTPAnswer {
                    try await service.post("/auth/kakao", json: json)
                }
                let first = try await sdkLogin(emulator, nonce: "nonce-1")
                let idToken = try #require(first["id_token"]?.stringValue)
                let answer = try await login("{\"id_token\":\(idToken.jsonQuoted),\"nonce\":\"nonce-1\",\"token_delivery\":\"body\"}")
                #expect(answer.status == .ok)
                #expect(try answer.json["user"]?["kakao_id"] == .string("4242"))

                let unused = try #require(try await sdkLogin(emulator, nonce: "nonce-2")["id_token"]?.stringValue)
                // Kakao rotates its keys: tokens under the new kid verify once the interval has passed.
                let rotated = try await emulator.execute(uri: "/emulator/rotate-keys", method: .post).json["kid"]?.stringValue
                time.advance(by: 2)
                let second = try #require(try await sdkLogin(emulator)["id_token"]?.stringValue)
                let secondHeader = try StrictJSONReader.parse(try #require(Base64URL.decode(second.split(separator: ".")[0])))
                #expect(secondHeader["kid"]?.stringValue == rotated)
                #expect(try await login("{\"id_token\":\(second.jsonQuoted)}").status == .ok)
                // The old key is still published, so tokens signed before the rotation still verify.
                #expect(try await login("{\"id_token\":\(unused.jsonQuoted),\"nonce\":\"nonce-2\"}").status == .ok)

                let access = try #require(first["access_token"]?.stringValue)
                #expect(try await login("{\"access_token\":\(access.jsonQuoted)}").status == .ok)
                #expect(try await login("{\"access_token\":\"not-a-kakao-token\"}").problemCode == "invalid_grant")
            }
        }
    }
}

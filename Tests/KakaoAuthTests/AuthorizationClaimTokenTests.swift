import Foundation
import Hummingbird
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// `roles` and `app_metadata` in our tokens, in every algorithm: carried by access tokens only, read back as
/// written, refused outside the limits the admin API sets them in, and small enough for a cookie at the most
/// a user can have.
@Suite struct AuthorizationClaimTokenTests {
    static let now: Int64 = 1_800_000_100

    static func key(_ algorithm: JWSAlgorithm) -> any JWSKey {
        algorithm == .hs256 ? HS256Key(secret: Array(repeating: 7, count: 32)) : AsymmetricKey.generate(algorithm)
    }

    static func codec(_ key: any JWSKey) -> JWTCodec {
        JWTCodec(signingKey: key, issuer: "kakao-auth", audience: "kakao-auth")
    }

    static func claims(roles: [String] = [], appMetadata: String? = nil) -> TokenClaims {
        // Ids as long as ours (22 characters).
        TokenClaims(
            subject: String(repeating: "u", count: 22), sessionID: String(repeating: "s", count: 26), tokenID: String(repeating: "t", count: 22),
            issuedAt: now - 10, expiresAt: now + 890, roles: roles, appMetadata: appMetadata)
    }

    /// 16 roles of 32 characters, sorted.
    static let mostRoles = (0..<16).map { String(repeating: "r", count: 30) + String($0 / 10) + String($0 % 10) }

    /// 1,024 bytes in compact form, nested and partly Korean (3 bytes a character), as the admin API would store it.
    static let largestMetadata: String = {
        let prefix = #"{"a":{"b":[1,{"c":null}]},"이름":""#
        let text = prefix + String(repeating: "김", count: (1024 - prefix.utf8.count - 2) / 3)
        let padded = text + String(repeating: "x", count: 1024 - 2 - text.utf8.count) + "\"}"
        return try! AppMetadata(json: padded.utf8).compactText
    }()

    static func refusal(_ codec: JWTCodec, _ token: String, as kind: TokenKind = .access) -> TokenError.Reason? {
        do {
            _ = try codec.verify(token, as: kind, now: now)
            return nil
        } catch {
            return error.reason
        }
    }

    /// A token of `codec`'s key with `payload` (JSON text) as its claims: what a holder of the key could sign.
    static func signed(_ payload: String, kind: TokenKind = .access, key: any JWSKey) -> String {
        let header = #"{"alg":"\#(key.algorithm.rawValue)","typ":"\#(kind.headerType)","kid":"\#(key.keyID)"}"#
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        var signature = [UInt8](repeating: 0, count: key.signatureLength)
        Array(signingInput.utf8).withUnsafeBytes { input in
            signature.withUnsafeMutableBytes { key.sign(input, into: $0) }
        }
        return signingInput + "." + Base64URL.encode(signature)
    }

    @Test(arguments: JWSAlgorithm.allCases)
    func accessTokensCarryRolesAndMetadataAndRefreshTokensNeither(algorithm: JWSAlgorithm) throws {
        let codec = Self.codec(Self.key(algorithm))
        for claims in [Self.claims(), Self.claims(roles: ["admin", "reports:read"], appMetadata: #"{"plan":"pro"}"#)] {
            #expect(try codec.verify(codec.sign(claims, as: .access), as: .access, now: Self.now) == claims)
        }
        let empty = try Self.payload(of: codec.sign(Self.claims(), as: .access))
        #expect(empty.hasSuffix(#","roles":[]}"#), "roles always, app_metadata only when there is some: \(empty)")
        let refresh = codec.sign(Self.claims(roles: ["admin"], appMetadata: #"{"plan":"pro"}"#), as: .refresh)
        #expect(try !Self.payload(of: refresh).contains("roles") && codec.verify(refresh, as: .refresh, now: Self.now) == Self.claims())
    }

    static func payload(of token: String) throws -> String {
        String(decoding: try #require(Base64URL.decode(token.split(separator: ".")[1])), as: UTF8.self)
    }

    /// The acceptance limit: the most roles and metadata, with the cookie attributes of the default settings and
    /// of `COOKIE_DOMAIN`, stays under the 4,096 bytes browsers keep, and the codec (and so the kit) accepts it.
    @Test(arguments: JWSAlgorithm.allCases)
    func theLargestTokenFitsACookieAndVerifies(algorithm: JWSAlgorithm) throws {
        let codec = Self.codec(Self.key(algorithm))
        let claims = Self.claims(roles: Self.mostRoles, appMetadata: Self.largestMetadata)
        let token = codec.sign(claims, as: .access)
        #expect(try codec.verify(token, as: .access, now: Self.now) == claims)
        #expect(token.utf8.count <= JWTCodec.maximumTokenLength)
        for domain in [nil, "example.com"] {
            var response = Response(status: .ok)
            let tokens = IssuedTokens(accessToken: token, accessExpiresAt: Self.now + 900, refreshToken: "r", refreshExpiresAt: Self.now + 900)
            AuthCookies(.init(secure: true, sameSite: .lax, domain: domain)).set(tokens, now: Self.now, on: &response)
            let access = try #require(response.headers[values: .setCookie].first { $0.contains("access_token=") })
            #expect(access.utf8.count < 4096, "\(algorithm.rawValue): Set-Cookie is \(access.utf8.count) bytes")
            print("\(algorithm.rawValue) largest access token \(token.utf8.count) bytes, Set-Cookie \(access.utf8.count) bytes")
        }
    }

    @Test(arguments: JWSAlgorithm.allCases)
    func claimsOutsideTheLimitsAreRefusedEvenWhenSigned(algorithm: JWSAlgorithm) throws {
        let key = Self.key(algorithm)
        let codec = Self.codec(key)
        let base = #""iss":"kakao-auth","aud":"kakao-auth","sub":"u","iat":\#(Self.now - 10),"exp":\#(Self.now + 100),"jti":"t","sid":"s""#
        func verdict(_ members: String, kind: TokenKind = .access) -> TokenError.Reason? {
            Self.refusal(codec, Self.signed("{" + base + members + "}", kind: kind, key: key), as: kind)
        }
        // Accepted: what we write, and an access token from before roles existed (it grants none).
        #expect(verdict(#","roles":["a","b"],"app_metadata":{"x":1}"#) == nil)
        #expect(verdict("") == nil)
        let tooMany = "[" + (Self.mostRoles + ["s"]).map { "\"\($0)\"" }.joined(separator: ",") + "]"
        let tooLarge = #"{"pad":""# + String(repeating: "x", count: 1024 - 10 + 1) + #""}"#
        for refused in [
            ",\"roles\":" + tooMany, #","roles":["b","a"]"#, #","roles":["a","a"]"#, #","roles":["Admin"]"#, #","roles":["1a"]"#,
            #","roles":[""]"#, ",\"roles\":[\"\(String(repeating: "a", count: 33))\"]", #","roles":["a\nb"]"#, #","roles":["관리자"]"#,
            #","roles":"admin""#, #","roles":[1]"#, #","roles":["a"],"roles":["a"]"#, #","roles":[],"app_metadata":[1]"#,
            #","roles":[],"app_metadata":"x""#, ",\"roles\":[],\"app_metadata\":" + tooLarge,
        ] {
            #expect(verdict(refused) != nil, "\(refused.prefix(80))")
        }
        // Refresh tokens carry neither, not even empty.
        for refused in [#","roles":[]"#, #","app_metadata":{}"#] {
            #expect(verdict(refused, kind: .refresh) == .invalidClaims, "\(refused)")
        }
    }

    /// Metadata nests as deeply as its size allows, and the verifier reads it whole.
    @Test func deeplyNestedMetadataVerifies() throws {
        let codec = Self.codec(Self.key(.hs256))
        // Arrays cost two bytes a level: {"a":[[…]]} is 1,024 bytes at 509 of them.
        let depth = (AuthorizationClaims.maximumMetadataBytes - 6) / 2
        let nested = try AppMetadata(
            json: Array((#"{"a":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}").utf8))
        let claims = Self.claims(appMetadata: nested.compactText)
        #expect(nested.compactText.utf8.count <= AuthorizationClaims.maximumMetadataBytes)
        #expect(try codec.verify(codec.sign(claims, as: .access), as: .access, now: Self.now) == claims)
    }
}

import Foundation
import KakaoEmulator

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// Kakao's side of an id_token, for tests: an RSA key under a kid, its JWK, and tokens it signs, with any
/// header and claims (raw JSON values, so a test can write whatever an attacker would).
struct KakaoSigner: Sendable {
    static let issuer = "https://kauth.kakao.com"
    static let audience = "test-native-app-key"
    static let environment = ["KAKAO_ID_TOKEN_AUDIENCES": "\(audience), \(FakeKakao.clientID)"]

    let kid: String
    let key: RSAPrivateKey

    init(kid: String = "kakao-kid-1", bits: Int = 2048) {
        self.kid = kid
        key = RSAPrivateKey(bits: bits)
    }

    var jwk: String {
        "{\"kty\":\"RSA\",\"kid\":\(kid.jsonQuoted),\"use\":\"sig\",\"alg\":\"RS256\","
            + "\"n\":\(Base64URL.encode(key.modulus).jsonQuoted),\"e\":\(Base64URL.encode(key.exponent).jsonQuoted)}"
    }

    static func jwks(_ signers: [KakaoSigner]) -> FakeKakao.Answer {
        FakeKakao.Answer(body: "{\"keys\":[" + signers.map(\.jwk).joined(separator: ",") + "]}")
    }

    var header: [(String, String)] { [("kid", kid.jsonQuoted), ("typ", "\"JWT\""), ("alg", "\"RS256\"")] }

    /// The claims of a good token for `kakaoID`, issued `age` seconds before `now`.
    static func claims(
        kakaoID: String = "9007199254740993", now: Int64 = Int64(Date().timeIntervalSince1970), age: Int64 = 5, nonce: String? = "n-0123456789"
    ) -> [(String, String)] {
        var claims = [
            ("iss", issuer.jsonQuoted), ("aud", audience.jsonQuoted), ("sub", kakaoID.jsonQuoted), ("iat", "\(now - age)"),
            ("auth_time", "\(now - age)"), ("exp", "\(now - age + 21_600)"), ("nickname", "\"라이언\""),
            ("picture", "\"https://k.kakaocdn.net/ryan.png\""), ("email", "\"ryan@kakao.test\""),
            // Two of Kakao's tokens differ by `iat` and the app's nonce; two of a test's, made in one second
            // with one nonce, by this (each id_token logs in once).
            ("jti", UUID().uuidString.jsonQuoted),
        ]
        if let nonce { claims.append(("nonce", nonce.jsonQuoted)) }
        return claims
    }

    /// A compact JWS of `header` and `claims`, RS256-signed with `signer` (by default this key).
    func token(header: [(String, String)]? = nil, claims: [(String, String)] = claims(), signedWith signer: RSAPrivateKey? = nil) -> String {
        let signingInput = Self.segment(header ?? self.header) + "." + Self.segment(claims)
        return signingInput + "." + Base64URL.encode((signer ?? key).signRS256(Array(signingInput.utf8)))
    }

    static func segment(_ members: [(String, String)]) -> String {
        Base64URL.encode(Array(("{" + members.map { "\($0.0.jsonQuoted):\($0.1)" }.joined(separator: ",") + "}").utf8))
    }
}

extension Array where Element == (String, String) {
    /// The members with `name` set to `value` (raw JSON), or removed when `value` is nil.
    func setting(_ name: String, _ value: String?) -> [(String, String)] {
        let others = filter { $0.0 != name }
        return value.map { others + [(name, $0)] } ?? others
    }
}

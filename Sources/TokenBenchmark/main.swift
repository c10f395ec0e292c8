// kakao-auth-token-bench: signs and verifies access tokens on one core (HS256, EdDSA, ES256; without and with
// roles and app_metadata), next to the raw HMAC-SHA256 rate on the same input, and times the RS256
// verification of an id_token login; prints one JSON object. Run by bench/run.py from a release build.
import COpenSSL
import Foundation
import KakaoAuthTokens

/// Everything in a function: globals of a top-level script are checked for their actor on every access,
/// which would be measured along with the codec.
func run() throws {
    let secret = Array("benchmark-secret-benchmark-secret-0123456789".utf8)
    let codec = JWTCodec(secret: secret, issuer: "kakao-auth", audience: "kakao-auth")
    let now = Int64(Date().timeIntervalSince1970)
    let claims = TokenClaims(
        subject: "cV3xO6mJbq0l0BqJjXo0cA", sessionID: "xltTMBAohALhdUFMzp5iCQ", tokenID: "Dc7KJPIoMZ3vg_M5e4YqTQ", issuedAt: now, expiresAt: now + 900
    )
    // The typical authorized user: four roles and 200 bytes of app_metadata.
    var withAppClaims = claims
    withAppClaims.roles = ["billing:read", "editor", "support.tier2", "viewer"]
    // Compact, members sorted, as the service writes it, so that the verified claims equal the signed ones.
    withAppClaims.appMetadata = "{\"note\":\"" + String(repeating: "x", count: 162) + "\",\"org\":\"acme\",\"plan\":\"team\"}"
    let sample = codec.sign(claims, as: .access)
    let signingInput = Array(sample.utf8[..<sample.utf8.lastIndex(of: UInt8(ascii: "."))!])

    /// Runs `body` repeatedly for about `seconds` and returns the rate per second.
    func rate(seconds: Double = 2, _ body: () -> Void) -> Double {
        for _ in 0..<10_000 { body() }
        var iterations = 0
        let clock = ContinuousClock()
        let started = clock.now
        while clock.now - started < .seconds(seconds) {
            for _ in 0..<1_000 { body() }
            iterations += 1_000
        }
        return Double(iterations) / ((clock.now - started) / .seconds(1))
    }

    var sink = 0
    func pairs(_ codec: JWTCodec, _ claims: TokenClaims) -> Double {
        precondition((try? codec.verify(codec.sign(claims, as: .access), as: .access, now: now)) == claims, "a pair must round-trip")
        return rate {
            let token = codec.sign(claims, as: .access)
            sink &+= (try? codec.verify(token, as: .access, now: now)) == claims ? 1 : 0
        }
    }
    let signAndVerify = pairs(codec, claims)
    let signAndVerifyWithAppClaims = pairs(codec, withAppClaims)
    // The asymmetric pairs without the verified-token cache: the signature itself, every time.
    func pairs(_ algorithm: JWSAlgorithm, _ claims: TokenClaims) -> Double {
        pairs(JWTCodec(signingKey: AsymmetricKey.generate(algorithm), issuer: "kakao-auth", audience: "kakao-auth"), claims)
    }
    let edDSAPairs = pairs(.edDSA, claims)
    let es256Pairs = pairs(.es256, claims)
    let edDSAPairsWithAppClaims = pairs(.edDSA, withAppClaims)
    let keyedContext = HMACSHA256(key: secret)
    let reusedContext = rate {
        sink &+= Int(signingInput.withUnsafeBytes { keyedContext.authenticationCode(for: $0) }[0])
    }
    var digest = [UInt8](repeating: 0, count: 32)
    var length: UInt32 = 0
    let oneShot = rate {
        _ = secret.withUnsafeBytes { key in
            signingInput.withUnsafeBytes { input in
                HMAC(
                    EVP_sha256(), key.baseAddress, Int32(key.count), input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count, &digest,
                    &length)
            }
        }
        sink &+= Int(digest[0])
    }
    // What an id_token login spends on Kakao's signature: one RS256 verification with a 2048-bit key.
    let kakaoKey = RS256BenchmarkKey()
    let verifications = rate { sink &+= kakaoKey.verify() ? 1 : 0 }
    let result: [String: Any] = [
        "rs256_verify_microseconds": (1_000_000 / verifications * 10).rounded() / 10,
        "token_bytes": sample.utf8.count,
        "token_with_app_claims_bytes": codec.sign(withAppClaims, as: .access).utf8.count,
        "app_claims_sign_and_verify_per_second": signAndVerifyWithAppClaims.rounded(),
        "eddsa_app_claims_sign_and_verify_per_second": edDSAPairsWithAppClaims.rounded(),
        "signing_input_bytes": signingInput.count,
        "sign_and_verify_per_second": signAndVerify.rounded(),
        "eddsa_sign_and_verify_per_second": edDSAPairs.rounded(),
        "es256_sign_and_verify_per_second": es256Pairs.rounded(),
        "hmac_keyed_context_per_second": reusedContext.rounded(),
        "hmac_one_shot_per_second": oneShot.rounded(),
        "checksum": sink & 1,
    ]
    print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
}

try run()

import Foundation
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// EdDSA and ES256 tokens: OpenSSL signs and verifies, each `kid` is bound to its key's one algorithm, and the
/// hostile variants of a valid token are refused.
@Suite struct AsymmetricTokenTests {
    static let claims = TokenClaims(subject: "user-1", sessionID: "session-1", tokenID: "token-1", issuedAt: 1_800_000_000, expiresAt: 1_800_000_900)
    static let now: Int64 = 1_800_000_100
    static let asymmetric: [JWSAlgorithm] = [.edDSA, .es256]

    static func codec(_ key: any JWSKey, verifying: [any JWSKey] = [], cache: VerifiedTokenCache? = nil) -> JWTCodec {
        JWTCodec(signingKey: key, verificationKeys: verifying, issuer: "kakao-auth", audience: "kakao-auth", verifiedTokens: cache)
    }

    /// The token with its header replaced by `header` (JSON) and its signature by `signature`.
    static func forged(_ token: String, header: String, signature: [UInt8]) -> String {
        let payload = token.split(separator: ".")[1]
        return Base64URL.encode(Array(header.utf8)) + "." + payload + "." + Base64URL.encode(signature)
    }

    static func parts(_ token: String) -> (header: [String: String], signature: [UInt8]) {
        let segments = token.split(separator: ".")
        let header = try! JSONSerialization.jsonObject(with: Data(Base64URL.decode(segments[0])!)) as! [String: String]
        return (header, Base64URL.decode(segments[2])!)
    }

    static func refusal(_ codec: JWTCodec, _ token: String, as kind: TokenKind = .access, now: Int64 = now) -> TokenError.Reason? {
        do {
            _ = try codec.verify(token, as: kind, now: now)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test(arguments: asymmetric)
    func tokensRoundTripWithTheKeysAlgorithmAndThumbprint(algorithm: JWSAlgorithm) throws {
        let key = AsymmetricKey.generate(algorithm)
        let codec = Self.codec(key)
        let token = codec.sign(Self.claims, as: .access)
        #expect(try codec.verify(token, as: .access, now: Self.now) == Self.claims)
        let (header, signature) = Self.parts(token)
        #expect(header == ["alg": algorithm.rawValue, "typ": "at+jwt", "kid": key.keyID])
        #expect(signature.count == 64, "JOSE's raw form, not DER")
        #expect(Self.refusal(codec, codec.sign(Self.claims, as: .refresh)) == .wrongType)
        // A private key read back from its own PEM is the same key.
        let reread = try AsymmetricKey.privateKey(pem: try #require(key.privatePEM))
        #expect(reread.keyID == key.keyID && reread.algorithm == algorithm)
        #expect(try AsymmetricKey.publicKey(pem: key.publicPEM).keyID == key.keyID)
    }

    /// RFC 8037 appendix A.3: the thumbprint of its Ed25519 key.
    @Test func theKeyIDIsTheRFC7638Thumbprint() throws {
        let x = Base64URL.decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")!
        let subjectPublicKeyInfo: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00] + x
        let pem = "-----BEGIN PUBLIC KEY-----\n\(Data(subjectPublicKeyInfo).base64EncodedString())\n-----END PUBLIC KEY-----\n"
        let key = try AsymmetricKey.publicKey(pem: pem)
        #expect(key.keyID == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
        #expect(
            key.publicJWK
                == #"{"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k","alg":"EdDSA","use":"sig"}"#
        )
        #expect(!key.canSign && key.privatePEM == nil)
    }

    @Test(arguments: asymmetric)
    func headerTricksAndOtherKeysAreRefused(algorithm: JWSAlgorithm) throws {
        let key = AsymmetricKey.generate(algorithm)
        let codec = Self.codec(key)
        let token = codec.sign(Self.claims, as: .access)

        // HS256 keyed with the public key (the classic algorithm confusion), under the key's own kid.
        #expect(Self.refusal(codec, Self.confused(token, key: key)) == .unsupportedHeader)
        // Another algorithm named for the kid, and none.
        let other = algorithm == .edDSA ? "ES256" : "EdDSA"
        #expect(
            Self.refusal(
                codec,
                Self.forged(token, header: #"{"alg":"\#(other)","typ":"at+jwt","kid":"\#(key.keyID)"}"#, signature: Self.parts(token).signature))
                == .unsupportedHeader)
        #expect(
            Self.refusal(codec, Self.forged(token, header: #"{"alg":"none","typ":"at+jwt","kid":"\#(key.keyID)"}"#, signature: []))
                == .unsupportedHeader)
        // A token of another key of the same type: its own kid is unknown here.
        let stranger = Self.codec(AsymmetricKey.generate(algorithm)).sign(Self.claims, as: .access)
        #expect(Self.refusal(codec, stranger) == .unsupportedHeader)
        // Another key's signature under our header.
        #expect(Self.refusal(codec, Self.forged(token, header: Self.headerJSON(token), signature: Self.parts(stranger).signature)) == .badSignature)
        // One bit of the signature flipped.
        var flipped = Self.parts(token).signature
        flipped[10] ^= 0x01
        #expect(Self.refusal(codec, Self.forged(token, header: Self.headerJSON(token), signature: flipped)) == .badSignature)
    }

    /// `token`'s payload under `{"alg":"HS256",…,"kid":<key's kid>}`, MAC'd with the key's public PEM as the
    /// secret: what a verifier that takes `alg` from the token would accept.
    static func confused(_ token: String, key: AsymmetricKey) -> String {
        let input = Base64URL.encode(Array(#"{"alg":"HS256","typ":"at+jwt","kid":"\#(key.keyID)"}"#.utf8)) + "." + token.split(separator: ".")[1]
        let mac = Array(input.utf8).withUnsafeBytes { HMACSHA256(key: Array(key.publicPEM.utf8)).authenticationCode(for: $0) }
        return input + "." + Base64URL.encode(mac)
    }

    static func headerJSON(_ token: String) -> String {
        String(decoding: Base64URL.decode(token.split(separator: ".")[0])!, as: UTF8.self)
    }

    @Test func nextAndRemovedKeysAreRefusedAndPreviousOnesAccepted() {
        let current = AsymmetricKey.generate(.edDSA)
        let next = AsymmetricKey.generate(.es256)
        let service = Self.codec(current)
        // The next key is published before it signs, but a token under it is not accepted until it is current.
        #expect(Self.refusal(service, Self.codec(next).sign(Self.claims, as: .access)) == .unsupportedHeader)
        // After the switch, the old key is previous: its tokens verify until it is removed.
        let old = service.sign(Self.claims, as: .access)
        #expect(Self.refusal(Self.codec(next, verifying: [current]), old) == nil)
        #expect(Self.refusal(Self.codec(next), old) == .unsupportedHeader)
        // Moving from HS256: the secret's tokens still verify next to the new key, until the window's end.
        let bytes = Array("a-secret-of-at-least-thirty-two-bytes!!".utf8)
        let hs256 = Self.codec(HS256Key(secret: bytes)).sign(Self.claims, as: .access)
        let window = Self.codec(current, verifying: [HS256Key(secret: bytes, acceptedUntil: Self.now + 60)])
        #expect(Self.refusal(window, hs256) == nil)
        #expect(Self.refusal(window, hs256, now: Self.now + 61) == .unsupportedHeader, "after the window, whatever the token says")
    }

    /// ES256 signatures are JOSE's r‖s: the DER form is refused, and so is the high-S twin of a valid one
    /// (each token has one signature; ours are always low-S).
    @Test func es256RefusesDERAndHighSSignatures() throws {
        let key = AsymmetricKey.generate(.es256)
        let codec = Self.codec(key)
        let order: [UInt8] = [
            0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
        ]
        for _ in 0..<8 {
            let token = codec.sign(Self.claims, as: .access)
            let signature = Self.parts(token).signature
            let r = Array(signature[..<32])
            let s = Array(signature[32...])
            #expect(s[0] < 0x80, "low S")
            #expect(
                Self.refusal(codec, Self.forged(token, header: Self.headerJSON(token), signature: r + Self.subtract(s, from: order))) == .badSignature
            )
            #expect(Self.refusal(codec, Self.forged(token, header: Self.headerJSON(token), signature: Self.der(r: r, s: s))) == .badSignature)
            #expect(
                Self.refusal(codec, Self.forged(token, header: Self.headerJSON(token), signature: [UInt8](repeating: 0, count: 64))) == .badSignature)
        }
    }

    /// `order - value`, both 32-byte big-endian.
    static func subtract(_ value: [UInt8], from order: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in (0..<32).reversed() {
            var digit = Int(order[index]) - Int(value[index]) - borrow
            borrow = digit < 0 ? 1 : 0
            if digit < 0 { digit += 256 }
            result[index] = UInt8(digit)
        }
        return result
    }

    /// ECDSA-Sig-Value in DER, as OpenSSL and most libraries produce it.
    static func der(r: [UInt8], s: [UInt8]) -> [UInt8] {
        func integer(_ bytes: [UInt8]) -> [UInt8] {
            var trimmed = Array(bytes.drop { $0 == 0 })
            if trimmed.first.map({ $0 >= 0x80 }) ?? true { trimmed.insert(0, at: 0) }
            return [0x02, UInt8(trimmed.count)] + trimmed
        }
        let body = integer(r) + integer(s)
        return [0x30, UInt8(body.count)] + body
    }

    @Test func keysOfOtherTypesAndContainersAreRefusedByName() {
        let p384 = """
            -----BEGIN PRIVATE KEY-----
            MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDCdcu/IOyLC8B+WyZ3l
            gxMkP5MY3xgziidioR+dY8f2swNmJMBzBkQCEUwt8nAVeZWhZANiAAShTkNTQswx
            WMCUP8d/oe7izIY/ybjHgkEIu0bHN5Yoos8MSza/rT5FW7krXQr7GDO/5mAUNMnU
            ex8BVJyNYBrLWDn7rM/9+O27yHgqQOlT6hH0PCE7omdC29HWTxWUMLU=
            -----END PRIVATE KEY-----
            """
        #expect(
            Self.loadingError { try AsymmetricKey.privateKey(pem: p384) } == AsymmetricKey.LoadingError.unsupportedType.description,
            "P-384 is not ES256's curve")
        let ed25519 = AsymmetricKey.generate(.edDSA)
        let traditional = ed25519.privatePEM!.replacingOccurrences(of: "PRIVATE KEY", with: "EC PRIVATE KEY")
        #expect(Self.loadingError { try AsymmetricKey.privateKey(pem: traditional) }?.contains("PRIVATE KEY") == true)
        #expect(Self.loadingError { try AsymmetricKey.privateKey(pem: ed25519.publicPEM) }?.contains("PRIVATE KEY") == true)
        #expect(Self.loadingError { try AsymmetricKey.privateKey(pem: ed25519.privatePEM! + ed25519.privatePEM!) } != nil, "one block only")
        var lines = ed25519.privatePEM!.split(separator: "\n").map(String.init)
        lines[1] = "!" + lines[1].dropFirst()
        let garbled = lines.joined(separator: "\n")
        #expect(Self.loadingError { try AsymmetricKey.privateKey(pem: garbled) } == AsymmetricKey.LoadingError.unreadable.description)
    }

    static func loadingError(_ load: () throws -> AsymmetricKey) -> String? {
        do {
            _ = try load()
            return nil
        } catch {
            return (error as? AsymmetricKey.LoadingError)?.description ?? "\(error)"
        }
    }

    @Test func verifiedTokensAreRememberedUntilTheyExpireAndOnlyByTheirExactBytes() throws {
        let cache = VerifiedTokenCache(capacity: 4)
        let codec = Self.codec(AsymmetricKey.generate(.edDSA), cache: cache)
        let token = codec.sign(Self.claims, as: .access)
        #expect(try codec.verify(token, as: .access, now: Self.now) == Self.claims)
        #expect(cache.count == 1)
        #expect(try codec.verify(token, as: .access, now: Self.now + 1) == Self.claims)
        #expect(Self.refusal(codec, token, as: .refresh) == .wrongType, "the type is checked before the cache")
        #expect(Self.refusal(codec, token, now: Self.claims.expiresAt + JWTCodec.clockLeeway) == .expired, "never past exp")
        // A different token (another signature of the same claims would be; here a flipped bit) is verified afresh.
        var signature = Self.parts(token).signature
        signature[0] ^= 0x80
        #expect(Self.refusal(codec, Self.forged(token, header: Self.headerJSON(token), signature: signature)) == .badSignature)
        // Bounded: a full cache drops what has expired, then everything.
        for number in 0..<6 {
            var claims = Self.claims
            claims.tokenID = "token-\(number + 2)"
            _ = try codec.verify(codec.sign(claims, as: .access), as: .access, now: Self.now)
        }
        #expect(cache.count <= 4)
    }
}

import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// The verification rules: accept exactly what we issue, refuse everything else with a reason.
@Suite struct JWTCodecTests {
    let secret = Array("jwt-codec-test-secret-0123456789abcdef".utf8)
    let now: Int64 = 1_800_000_000
    var codec: JWTCodec { JWTCodec(secret: secret, issuer: "kakao-auth", audience: "kakao-auth") }
    var claims: TokenClaims {
        TokenClaims(subject: "user-1", sessionID: "session-1", tokenID: "token-1", issuedAt: now, expiresAt: now + 900)
    }
    var keyID: String { HS256Key(secret: secret).keyID }

    /// Signs any header and payload text with the test secret, as an attacker holding the key could.
    func forge(header: String, payload: String, key: [UInt8]? = nil) -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        return input + "." + Base64URL.encode(HMACSHA256(key: key ?? secret).authenticationCode(for: input))
    }

    var accessHeader: String { "{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"\(keyID)\"}" }

    func payload(_ overrides: [String: String] = [:], removing: Set<String> = []) -> String {
        var members: [(String, String)] = [
            ("iss", "\"kakao-auth\""), ("aud", "\"kakao-auth\""), ("sub", "\"user-1\""), ("iat", "\(now)"),
            ("exp", "\(now + 900)"), ("jti", "\"token-1\""), ("sid", "\"session-1\""),
        ]
        members = members.filter { !removing.contains($0.0) }.map { ($0.0, overrides[$0.0] ?? $0.1) }
        for (name, value) in overrides where !members.contains(where: { $0.0 == name }) { members.append((name, value)) }
        return "{" + members.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    func reason(_ token: String, as kind: TokenKind = .access, at time: Int64? = nil) -> TokenError.Reason? {
        do {
            _ = try codec.verify(token, as: kind, now: time ?? now)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func roundTripsBothKinds() throws {
        for kind in [TokenKind.access, .refresh] {
            let token = codec.sign(claims, as: kind)
            #expect(try codec.verify(token, as: kind, now: now) == claims)
        }
    }

    @Test func forgedTokenWithOurExactHeaderAndClaimsVerifies() throws {
        // Guards the forging helper itself: the rejections below are then due to what each case changes.
        #expect(try codec.verify(forge(header: accessHeader, payload: payload()), as: .access, now: now) == claims)
    }

    @Test func headerCarriesHS256TypeAndAnOpaqueKeyID() throws {
        let token = codec.sign(claims, as: .access)
        let header = try StrictJSONReader.parse(Base64URL.decode(token.split(separator: ".")[0])!)
        #expect(header == .object(["alg": .string("HS256"), "typ": .string("at+jwt"), "kid": .string(keyID)]))
        #expect(!keyID.isEmpty && !String(decoding: secret, as: UTF8.self).contains(keyID))
    }

    @Test func refusesTokensOfTheOtherType() {
        #expect(reason(codec.sign(claims, as: .refresh), as: .access) == .wrongType)
        #expect(reason(codec.sign(claims, as: .access), as: .refresh) == .wrongType)
    }

    @Test(arguments: [
        "{\"alg\":\"none\",\"typ\":\"at+jwt\"}",
        "{\"alg\":\"None\",\"typ\":\"at+jwt\"}",
        "{\"alg\":\"HS512\",\"typ\":\"at+jwt\",\"kid\":\"KID\"}",
        "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"KID\"}",
        "{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"unknown\"}",
        "{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"../../etc/passwd\"}",
        "{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}",
        "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"KID\"}",
        "{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"KID\",\"crit\":[\"exp\"]}",
        "{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"KID\",\"jku\":\"http://127.0.0.1:1/jwks\"}",
        "{\"typ\":\"at+jwt\",\"kid\":\"KID\",\"alg\":\"HS256\"}",
        "{\"alg\":\"HS256\",\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"KID\"}",
    ])
    func refusesEveryHeaderWeDoNotIssue(header: String) {
        let token = forge(header: header.replacingOccurrences(of: "KID", with: keyID), payload: payload())
        #expect(reason(token) == .unsupportedHeader)
    }

    @Test func refusesUnsignedAndBadlySignedTokens() {
        let token = codec.sign(claims, as: .access)
        let parts = token.split(separator: ".").map(String.init)
        #expect(reason(parts[0] + "." + parts[1] + ".") == .badSignature)
        #expect(reason(parts[0] + "." + parts[1] + "." + String(parts[2].dropLast(4))) == .badSignature)
        #expect(reason(forge(header: accessHeader, payload: payload(), key: Array("another-secret-another-secret-0123".utf8))) == .badSignature)
        var flipped = Array(parts[2])
        flipped[5] = flipped[5] == "A" ? "B" : "A"
        #expect(reason(parts[0] + "." + parts[1] + "." + String(flipped)) == .badSignature)
        let tampered = Base64URL.encode(Array(payload(["sub": "\"admin\""]).utf8))
        #expect(reason(parts[0] + "." + tampered + "." + parts[2]) == .badSignature)
    }

    @Test func refusesNonCanonicalBase64URL() throws {
        let parts = codec.sign(claims, as: .access).split(separator: ".").map(String.init)
        #expect(reason(parts[0] + "." + parts[1] + "." + parts[2] + "=") == .badSignature)
        // A signature that has a `-` or `_` to spell in the standard alphabet: three in four do, so one of the
        // first few token ids gives one (HMAC is deterministic, so this always picks the same token).
        let urlSafe = try #require(
            (0..<64).lazy.map { index in
                var other = claims
                other.tokenID = "token-\(index)"
                return codec.sign(other, as: .access).split(separator: ".").map(String.init)
            }.first { $0[2].contains("-") || $0[2].contains("_") })
        let standardAlphabet = urlSafe[2].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        #expect(reason(urlSafe[0] + "." + urlSafe[1] + "." + standardAlphabet) == .badSignature)
        #expect(reason(parts[0] + "." + parts[1] + "." + "+/" + parts[2].dropFirst(2)) == .badSignature)
        // A payload with padding, correctly signed, still fails: the encoding itself is not ours.
        let paddedInput = parts[0] + "." + parts[1] + "=="
        let signature = Base64URL.encode(HMACSHA256(key: secret).authenticationCode(for: paddedInput))
        #expect(reason(paddedInput + "." + signature) == .malformed)
    }

    @Test func refusesWrongShapesAndSizes() {
        let token = codec.sign(claims, as: .access)
        #expect(reason("") == .malformed)
        #expect(reason("abc") == .malformed)
        #expect(reason(token + ".extra") == .malformed)
        #expect(reason(String(repeating: "a", count: JWTCodec.maximumTokenLength + 1)) == .tooLarge)
        #expect(reason(forge(header: accessHeader, payload: payload(["pad": "\"" + String(repeating: "x", count: 8192) + "\""]))) == .tooLarge)
    }

    @Test func refusesExpiredAndNotYetValidTokensWithLeeway() {
        let token = codec.sign(claims, as: .access)
        #expect(reason(token, at: now + 900 + JWTCodec.clockLeeway - 1) == nil)
        #expect(reason(token, at: now + 900 + JWTCodec.clockLeeway) == .expired)
        #expect(reason(token, at: now - JWTCodec.clockLeeway) == nil)
        #expect(reason(token, at: now - JWTCodec.clockLeeway - 1) == .notYetValid)
        #expect(reason(forge(header: accessHeader, payload: payload(["nbf": "\(now + 600)"]))) == .notYetValid)
        #expect(reason(forge(header: accessHeader, payload: payload(["nbf": "\(now)"]))) == nil)
    }

    @Test(arguments: [
        ["exp": "\"\(1_800_000_900)\""], ["exp": "1800000900.0"], ["exp": "1.8000009e9"], ["exp": "true"],
        ["exp": "null"], ["exp": "[1800000900]"], ["exp": "99999999999999999999"], ["exp": "253402300800"],
        ["exp": "-1"], ["exp": "1800000000"], ["iat": "\"1800000000\""], ["nbf": "\"0\""],
        ["iss": "\"kakao-auth-evil\""], ["iss": "\"kakao\""], ["aud": "\"someone-else\""], ["aud": "[\"kakao-auth\"]"],
        ["aud": "\"\""], ["sub": "\"\""], ["sub": "42"], ["jti": "null"], ["sid": "{}"], ["role": "\"admin\""],
    ])
    func refusesMistypedOrForeignClaims(overrides: [String: String]) {
        #expect(reason(forge(header: accessHeader, payload: payload(overrides))) == .invalidClaims)
    }

    @Test(arguments: ["iss", "aud", "sub", "iat", "exp", "jti", "sid"])
    func refusesTokensMissingARequiredClaim(claim: String) {
        #expect(reason(forge(header: accessHeader, payload: payload(removing: [claim]))) == .invalidClaims)
    }

    @Test func refusesDuplicateClaimsAndNestedPayloads() {
        let duplicate = payload().dropLast() + ",\"exp\":\(now + 999_999)}"
        #expect(reason(forge(header: accessHeader, payload: String(duplicate))) == .malformed)
        #expect(reason(forge(header: accessHeader, payload: String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000))) == .malformed)
        #expect(reason(forge(header: accessHeader, payload: "[" + payload() + "]")) == .invalidClaims)
        #expect(reason(forge(header: accessHeader, payload: payload() + " x")) == .malformed)
    }
}

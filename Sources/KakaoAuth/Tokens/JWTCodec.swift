/// Signs and verifies compact JWS tokens (HS256) and accepts exactly what it issues.
///
/// Verification compares the header segment byte for byte with the few headers this codec writes, so `alg`
/// other than HS256, `none`, unknown `kid`, `crit`, `jku` and every other header trick fail before any
/// parsing. The signature is checked in constant time before the payload is read, and the payload must
/// hold exactly our claims with the right JSON types.
package struct JWTCodec: Sendable {
    /// Our tokens are about 350 bytes; anything far larger is refused unread.
    static let maximumTokenLength = 4096
    /// Tolerated clock difference between us and the services that check our tokens.
    static let clockLeeway: Int64 = 30
    /// 9999-12-31T23:59:59Z: any time claim beyond it is nonsense.
    static let latestTimestamp: Int64 = 253_402_300_799
    private static let maximumClaimLength = 256

    private struct Header: Sendable {
        let segment: [UInt8]
        let kind: TokenKind
        let key: HMACSHA256
    }

    let issuer: String
    let audience: String
    private let signingKey: HMACSHA256
    private let signingHeaders: [TokenKind: String]
    private let acceptedHeaders: [Header]

    /// - Parameters:
    ///   - secret: signs every new token (`JWT_SECRET`).
    ///   - previousSecrets: still verify tokens signed before a key rotation (`JWT_PREVIOUS_SECRETS`); each
    ///     key has its own `kid`, so verification picks the key from the header without trying them all.
    package init(secret: [UInt8], previousSecrets: [[UInt8]] = [], issuer: String, audience: String) {
        self.issuer = issuer
        self.audience = audience
        var signingHeaders: [TokenKind: String] = [:]
        var acceptedHeaders: [Header] = []
        for (index, keyBytes) in ([secret] + previousSecrets).enumerated() {
            let key = HMACSHA256(key: keyBytes)
            let keyID = Self.keyID(for: key)
            for kind in [TokenKind.access, .refresh] {
                let json = "{\"alg\":\"HS256\",\"typ\":\"\(kind.headerType)\",\"kid\":\"\(keyID)\"}"
                let segment = Base64URL.encode(Array(json.utf8))
                if index == 0 { signingHeaders[kind] = segment }
                acceptedHeaders.append(Header(segment: Array(segment.utf8), kind: kind, key: key))
            }
        }
        self.signingKey = acceptedHeaders[0].key
        self.signingHeaders = signingHeaders
        self.acceptedHeaders = acceptedHeaders
    }

    /// A `kid` that names the key without revealing anything about it: a MAC of a fixed label under the key.
    static func keyID(for key: HMACSHA256) -> String {
        Base64URL.encode(key.authenticationCode(for: "kakao-auth key id").prefix(9))
    }

    package func sign(_ claims: TokenClaims, as kind: TokenKind) -> String {
        let payload = "{\"iss\":\(issuer.jsonQuoted),\"aud\":\(audience.jsonQuoted),\"sub\":\(claims.subject.jsonQuoted),"
            + "\"iat\":\(claims.issuedAt),\"exp\":\(claims.expiresAt),\"jti\":\(claims.tokenID.jsonQuoted),"
            + "\"sid\":\(claims.sessionID.jsonQuoted)}"
        let signingInput = signingHeaders[kind]! + "." + Base64URL.encode(Array(payload.utf8))
        return signingInput + "." + Base64URL.encode(signingKey.authenticationCode(for: signingInput))
    }

    package func verify(_ token: some StringProtocol, as kind: TokenKind, now: Int64) throws(TokenError) -> TokenClaims {
        func refuse(_ reason: TokenError.Reason) -> TokenError { TokenError(kind: kind, reason: reason) }

        let bytes = Array(token.utf8)
        guard bytes.count <= Self.maximumTokenLength else { throw refuse(.tooLarge) }
        let dots = bytes.indices.filter { bytes[$0] == UInt8(ascii: ".") }
        guard dots.count == 2 else { throw refuse(.malformed) }
        let headerSegment = bytes[..<dots[0]]
        guard let header = acceptedHeaders.first(where: { $0.segment.elementsEqual(headerSegment) }) else {
            throw refuse(.unsupportedHeader)
        }
        guard header.kind == kind else { throw refuse(.wrongType) }

        guard let signature = Base64URL.decode(String(decoding: bytes[(dots[1] + 1)...], as: UTF8.self)),
              signature.count == HMACSHA256.byteCount
        else { throw refuse(.badSignature) }
        let expected = bytes[..<dots[1]].withUnsafeBytes { header.key.authenticationCode(for: $0) }
        let signatureMatches = expected.withUnsafeBytes { left in
            signature.withUnsafeBytes { right in OpenSSL.constantTimeEqual(left, right) }
        }
        guard signatureMatches else { throw refuse(.badSignature) }

        guard let payload = Base64URL.decode(String(decoding: bytes[(dots[0] + 1)..<dots[1]], as: UTF8.self)),
              let claims = try? StrictJSONReader.parse(payload, maximumDepth: 2)
        else { throw refuse(.malformed) }
        return try validate(claims, now: now, refuse: refuse)
    }

    private func validate(
        _ json: JSONValue, now: Int64, refuse: (TokenError.Reason) -> TokenError
    ) throws(TokenError) -> TokenClaims {
        guard case .object(let members) = json,
              Set(members.keys).isSubset(of: ["iss", "aud", "sub", "iat", "exp", "jti", "sid", "nbf"])
        else { throw refuse(.invalidClaims) }

        func text(_ name: String) -> String? {
            guard let value = members[name]?.stringValue, !value.isEmpty, value.utf8.count <= Self.maximumClaimLength
            else { return nil }
            return value
        }
        func time(_ name: String) -> Int64? {
            guard let value = members[name]?.integerValue, (0...Self.latestTimestamp).contains(value) else { return nil }
            return value
        }

        guard text("iss") == issuer, text("aud") == audience,
              let subject = text("sub"), let tokenID = text("jti"), let sessionID = text("sid"),
              let issuedAt = time("iat"), let expiresAt = time("exp"), expiresAt > issuedAt
        else { throw refuse(.invalidClaims) }
        let notBefore: Int64?
        if members["nbf"] != nil {
            guard let value = time("nbf") else { throw refuse(.invalidClaims) }
            notBefore = value
        } else {
            notBefore = nil
        }
        guard issuedAt <= now + Self.clockLeeway, (notBefore ?? 0) <= now + Self.clockLeeway else {
            throw refuse(.notYetValid)
        }
        guard now < expiresAt + Self.clockLeeway else { throw refuse(.expired) }
        return TokenClaims(subject: subject, sessionID: sessionID, tokenID: tokenID, issuedAt: issuedAt, expiresAt: expiresAt)
    }
}

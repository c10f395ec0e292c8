#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Signs and verifies compact JWS tokens (HS256, EdDSA or ES256) and accepts exactly what it issues.
///
/// Verification compares the header segment byte for byte with the few headers this codec writes, one per
/// accepted key and token type, so each `kid` is bound to its key's one algorithm: another `alg` for it,
/// HS256 keyed with a public key, `none`, an unknown `kid`, `crit`, `jku` and every other header trick fail
/// before any parsing. The signature is checked (an HMAC in constant time) before the payload is read, and
/// the payload must hold exactly our claims with the right JSON types.
package struct JWTCodec: Sendable {
    /// Our tokens are about 350 bytes, and about 2,600 with the most roles and app metadata a user can have
    /// (`AuthorizationClaimsTests` measures it in each algorithm); anything far larger is refused unread.
    package static let maximumTokenLength = 4096
    /// Tolerated clock difference between us and the services that check our tokens.
    package static let clockLeeway: Int64 = 30
    /// 9999-12-31T23:59:59Z: any time claim beyond it is nonsense.
    package static let latestTimestamp: Int64 = 253_402_300_799
    package static let maximumClaimLength = 256

    private struct Header: Sendable {
        let segment: [UInt8]
        let kind: TokenKind
        let key: any JWSKey
    }

    /// The longest signature of any algorithm (Ed25519's and ES256's 64 bytes).
    private static let maximumSignatureLength = 64

    package let issuer: String
    package let audience: String
    /// The key that signs, with its two header segments; nil for a codec that only verifies (the verifier kit).
    private let signing: (key: any JWSKey, access: [UInt8], refresh: [UInt8])?
    private let acceptedHeaders: [Header]
    /// `{"iss":…,"aud":…,"sub":`, the same for every token.
    private let payloadPrefix: [UInt8]
    /// Tokens verified under asymmetric keys (nil: every token is verified every time).
    private let verifiedTokens: VerifiedTokenCache?

    /// - Parameters:
    ///   - signingKey: signs every new token, and verifies them.
    ///   - verificationKeys: still verify tokens signed before a key rotation (`JWT_PREVIOUS_SECRETS`,
    ///     `JWT_PREVIOUS_PUBLIC_KEY_FILES`); each key has its own `kid`, so verification picks the key from the
    ///     header without trying them all.
    ///   - verifiedTokens: remembers tokens verified under an asymmetric key.
    package init(
        signingKey: any JWSKey, verificationKeys: [any JWSKey] = [], issuer: String, audience: String, verifiedTokens: VerifiedTokenCache? = nil
    ) {
        self.init(keys: [signingKey] + verificationKeys, signs: true, issuer: issuer, audience: audience, verifiedTokens: verifiedTokens)
    }

    /// A codec that verifies tokens of `verificationKeys` and signs none.
    package init(verificationKeys: [any JWSKey], issuer: String, audience: String, verifiedTokens: VerifiedTokenCache? = nil) {
        self.init(keys: verificationKeys, signs: false, issuer: issuer, audience: audience, verifiedTokens: verifiedTokens)
    }

    private init(keys: [any JWSKey], signs: Bool, issuer: String, audience: String, verifiedTokens: VerifiedTokenCache?) {
        self.issuer = issuer
        self.audience = audience
        var acceptedHeaders: [Header] = []
        for key in keys {
            for kind in [TokenKind.access, .refresh] {
                let json = "{\"alg\":\"\(key.algorithm.rawValue)\",\"typ\":\"\(kind.headerType)\",\"kid\":\"\(key.keyID)\"}"
                let segment = Base64URL.encode(Array(json.utf8))
                acceptedHeaders.append(Header(segment: Array(segment.utf8), kind: kind, key: key))
            }
        }
        // With a signing key, the first two are its own.
        signing = signs ? (keys[0], acceptedHeaders[0].segment, acceptedHeaders[1].segment) : nil
        self.acceptedHeaders = acceptedHeaders
        self.verifiedTokens = verifiedTokens
        payloadPrefix = Array("{\"iss\":\(issuer.jsonQuoted),\"aud\":\(audience.jsonQuoted),\"sub\":".utf8)
    }

    /// HS256 under `secret`, still verifying tokens of `previousSecrets`.
    package init(secret: [UInt8], previousSecrets: [[UInt8]] = [], issuer: String, audience: String) {
        self.init(
            signingKey: HS256Key(secret: secret), verificationKeys: previousSecrets.map { HS256Key(secret: $0) }, issuer: issuer, audience: audience)
    }

    package func sign(_ claims: TokenClaims, as kind: TokenKind) -> String {
        // Built as bytes in one buffer: signing is on the path of every login and refresh.
        var payload = payloadPrefix
        payload.reserveCapacity(payloadPrefix.count + 160)
        Self.appendJSONString(claims.subject, to: &payload)
        payload.append(contentsOf: #","iat":"#.utf8)
        payload.append(contentsOf: String(claims.issuedAt).utf8)
        payload.append(contentsOf: #","exp":"#.utf8)
        payload.append(contentsOf: String(claims.expiresAt).utf8)
        payload.append(contentsOf: #","jti":"#.utf8)
        Self.appendJSONString(claims.tokenID, to: &payload)
        payload.append(contentsOf: #","sid":"#.utf8)
        Self.appendJSONString(claims.sessionID, to: &payload)
        if kind == .access {
            // Role names never need escaping; the metadata is compact JSON already, and last (see ClaimValues).
            payload.append(contentsOf: #","roles":["#.utf8)
            for (index, role) in claims.roles.enumerated() {
                if index > 0 { payload.append(UInt8(ascii: ",")) }
                Self.appendJSONString(role, to: &payload)
            }
            payload.append(UInt8(ascii: "]"))
            if let appMetadata = claims.appMetadata {
                payload.append(contentsOf: #","app_metadata":"#.utf8)
                payload.append(contentsOf: appMetadata.utf8)
            }
        }
        payload.append(UInt8(ascii: "}"))

        guard let signing else { preconditionFailure("a verification-only codec cannot sign") }
        let header = kind == .access ? signing.access : signing.refresh
        let signatureLength = signing.key.signatureLength
        let signatureStart = header.count + 1 + Base64URL.encodedCount(of: payload.count) + 1
        let tokenLength = signatureStart + Base64URL.encodedCount(of: signatureLength)
        return String(unsafeUninitializedCapacity: tokenLength) { token in
            _ = token.initialize(fromContentsOf: header)
            token[header.count] = UInt8(ascii: ".")
            _ = payload.withUnsafeBufferPointer { Base64URL.encode($0, into: UnsafeMutableBufferPointer(rebasing: token[(header.count + 1)...])) }
            token[signatureStart - 1] = UInt8(ascii: ".")
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: signatureLength) { signature in
                signing.key.sign(
                    UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(token)[..<(signatureStart - 1)]),
                    into: UnsafeMutableRawBufferPointer(signature))
                Base64URL.encode(UnsafeBufferPointer(signature), into: UnsafeMutableBufferPointer(rebasing: token[signatureStart...]))
            }
            return tokenLength
        }
    }

    /// Appends `text` as a JSON string; our ids never need escaping, so that case copies the bytes as they are.
    private static func appendJSONString(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        let copied = text.withUTF8 { utf8 in
            guard utf8.allSatisfy(\.isPlainInJSONString) else { return false }
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
            return true
        }
        if !copied { bytes.append(contentsOf: text.jsonQuoted.utf8) }
    }

    package func verify(_ token: some StringProtocol, as kind: TokenKind, now: Int64) throws(TokenError) -> TokenClaims {
        var text = String(token)
        guard text.utf8.count <= Self.maximumTokenLength else { throw TokenError(kind: kind, reason: .tooLarge) }
        let result = text.withUTF8 { bytes in
            Result { () throws(TokenError) -> TokenClaims in try verify(bytes: bytes, as: kind, now: now) }
        }
        return try result.get()
    }

    private func verify(bytes: UnsafeBufferPointer<UInt8>, as kind: TokenKind, now: Int64) throws(TokenError) -> TokenClaims {
        func refuse(_ reason: TokenError.Reason) -> TokenError { TokenError(kind: kind, reason: reason) }

        var firstDot = -1
        var secondDot = -1
        for index in bytes.indices where bytes[index] == UInt8(ascii: ".") {
            if firstDot < 0 {
                firstDot = index
            } else if secondDot < 0 {
                secondDot = index
            } else {
                throw refuse(.malformed)
            }
        }
        guard secondDot > firstDot, firstDot >= 0 else { throw refuse(.malformed) }
        let headerSegment = UnsafeBufferPointer(rebasing: bytes[..<firstDot])
        // Headers are public: a plain comparison is fine here (the signature is compared in constant time).
        guard
            let header = acceptedHeaders.first(where: { header in
                header.segment.count == headerSegment.count
                    && header.segment.withUnsafeBytes { memcmp($0.baseAddress!, headerSegment.baseAddress!, headerSegment.count) == 0 }
            })
        else {
            throw refuse(.unsupportedHeader)
        }
        guard header.kind == kind else { throw refuse(.wrongType) }
        if let until = header.key.acceptedUntil, now > until { throw refuse(.unsupportedHeader) }
        // Access tokens only: a refresh token is presented once, and would only push the hot ones out.
        let cache = header.key.algorithm == .hs256 || kind != .access ? nil : verifiedTokens
        if let claims = cache?.claims(of: bytes, as: kind, now: now, leeway: Self.clockLeeway) { return claims }

        let signatureSegment = UnsafeBufferPointer(rebasing: bytes[(secondDot + 1)...])
        let signatureLength = header.key.signatureLength
        // Exactly the encoded length of this algorithm's signature: a DER-encoded ECDSA signature (70-72 bytes)
        // is refused here, before any decoding.
        guard signatureSegment.count == Base64URL.encodedCount(of: signatureLength) else { throw refuse(.badSignature) }
        let signatureMatches = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maximumSignatureLength) { scratch in
            let presented = UnsafeMutableBufferPointer(rebasing: scratch[..<signatureLength])
            guard Base64URL.decode(signatureSegment, into: presented) == signatureLength else { return false }
            return header.key.verifies(
                UnsafeRawBufferPointer(presented), of: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[..<secondDot]))
        }
        guard signatureMatches else { throw refuse(.badSignature) }

        let payloadSegment = UnsafeBufferPointer(rebasing: bytes[(firstDot + 1)..<secondDot])
        let values = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: payloadSegment.count * 3 / 4) { scratch -> ClaimValues? in
            guard let length = Base64URL.decode(payloadSegment, into: scratch) else { return nil }
            let payload = UnsafeBufferPointer(rebasing: scratch[..<length])
            if let values = ClaimValues.parseFlat(payload) { return values }
            return (try? StrictJSONReader.parse(payload, maximumDepth: 1 + AuthorizationClaims.maximumMetadataDepth)).map(ClaimValues.init(json:))
        }
        guard let values else { throw refuse(.malformed) }
        let claims = try validate(values, as: kind, now: now, refuse: refuse)
        cache?.remember(bytes, as: kind, claims: claims, now: now)
        return claims
    }

    private func validate(
        _ values: ClaimValues, as kind: TokenKind, now: Int64, refuse: (TokenError.Reason) -> TokenError
    ) throws(TokenError) -> TokenClaims {
        func text(_ value: String?) -> String? {
            guard let value, !value.isEmpty, value.utf8.count <= Self.maximumClaimLength else { return nil }
            return value
        }
        func time(_ value: Int64?) -> Int64? {
            guard let value, (0...Self.latestTimestamp).contains(value) else { return nil }
            return value
        }

        guard values.wellTyped, text(values.issuer) == issuer, text(values.audience) == audience,
            let subject = text(values.subject), let tokenID = text(values.tokenID), let sessionID = text(values.sessionID),
            let issuedAt = time(values.issuedAt), let expiresAt = time(values.expiresAt), expiresAt > issuedAt,
            !values.hasNotBefore || time(values.notBefore) != nil,
            // Roles and app metadata only in access tokens, and only within the limits the admin API enforces. An
            // access token without `roles` is one issued before they existed (for at most ACCESS_TOKEN_TTL after
            // an upgrade): it grants none.
            kind == .access || (values.roles == nil && values.appMetadata == nil),
            values.roles.map(AuthorizationClaims.areRoles) ?? true,
            (values.appMetadata?.utf8.count ?? 0) <= AuthorizationClaims.maximumMetadataBytes
        else { throw refuse(.invalidClaims) }
        guard issuedAt <= now + Self.clockLeeway, (values.notBefore ?? 0) <= now + Self.clockLeeway else {
            throw refuse(.notYetValid)
        }
        guard now < expiresAt + Self.clockLeeway else { throw refuse(.expired) }
        return TokenClaims(
            subject: subject, sessionID: sessionID, tokenID: tokenID, issuedAt: issuedAt, expiresAt: expiresAt, roles: values.roles ?? [],
            appMetadata: values.appMetadata)
    }
}

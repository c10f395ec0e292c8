#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

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
    private let signingHeaders: (access: [UInt8], refresh: [UInt8])
    private let acceptedHeaders: [Header]
    /// `{"iss":…,"aud":…,"sub":`, the same for every token.
    private let payloadPrefix: [UInt8]

    /// - Parameters:
    ///   - secret: signs every new token (`JWT_SECRET`).
    ///   - previousSecrets: still verify tokens signed before a key rotation (`JWT_PREVIOUS_SECRETS`); each
    ///     key has its own `kid`, so verification picks the key from the header without trying them all.
    package init(secret: [UInt8], previousSecrets: [[UInt8]] = [], issuer: String, audience: String) {
        self.issuer = issuer
        self.audience = audience
        var acceptedHeaders: [Header] = []
        for keyBytes in [secret] + previousSecrets {
            let key = HMACSHA256(key: keyBytes)
            let keyID = Self.keyID(for: key)
            for kind in [TokenKind.access, .refresh] {
                let json = "{\"alg\":\"HS256\",\"typ\":\"\(kind.headerType)\",\"kid\":\"\(keyID)\"}"
                let segment = Base64URL.encode(Array(json.utf8))
                acceptedHeaders.append(Header(segment: Array(segment.utf8), kind: kind, key: key))
            }
        }
        // The first two are the current secret's.
        self.signingKey = acceptedHeaders[0].key
        self.signingHeaders = (acceptedHeaders[0].segment, acceptedHeaders[1].segment)
        self.acceptedHeaders = acceptedHeaders
        payloadPrefix = Array("{\"iss\":\(issuer.jsonQuoted),\"aud\":\(audience.jsonQuoted),\"sub\":".utf8)
    }

    /// A `kid` that names the key without revealing anything about it: a MAC of a fixed label under the key.
    static func keyID(for key: HMACSHA256) -> String {
        Base64URL.encode(key.authenticationCode(for: "kakao-auth key id").prefix(9))
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
        payload.append(UInt8(ascii: "}"))

        let header = kind == .access ? signingHeaders.access : signingHeaders.refresh
        let signatureStart = header.count + 1 + Base64URL.encodedCount(of: payload.count) + 1
        let tokenLength = signatureStart + Base64URL.encodedCount(of: HMACSHA256.byteCount)
        return String(unsafeUninitializedCapacity: tokenLength) { token in
            _ = token.initialize(fromContentsOf: header)
            token[header.count] = UInt8(ascii: ".")
            _ = payload.withUnsafeBufferPointer { Base64URL.encode($0, into: UnsafeMutableBufferPointer(rebasing: token[(header.count + 1)...])) }
            token[signatureStart - 1] = UInt8(ascii: ".")
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: HMACSHA256.byteCount) { code in
                signingKey.authenticate(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(token)[..<(signatureStart - 1)]), into: UnsafeMutableRawBufferPointer(code))
                Base64URL.encode(UnsafeBufferPointer(code), into: UnsafeMutableBufferPointer(rebasing: token[signatureStart...]))
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
        guard let header = acceptedHeaders.first(where: { header in
            header.segment.count == headerSegment.count
                && header.segment.withUnsafeBytes { memcmp($0.baseAddress!, headerSegment.baseAddress!, headerSegment.count) == 0 }
        }) else {
            throw refuse(.unsupportedHeader)
        }
        guard header.kind == kind else { throw refuse(.wrongType) }

        let signatureSegment = UnsafeBufferPointer(rebasing: bytes[(secondDot + 1)...])
        guard signatureSegment.count == Base64URL.encodedCount(of: HMACSHA256.byteCount) else { throw refuse(.badSignature) }
        let signatureMatches = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * HMACSHA256.byteCount) { scratch in
            let presented = UnsafeMutableBufferPointer(rebasing: scratch[..<HMACSHA256.byteCount])
            let expected = UnsafeMutableBufferPointer(rebasing: scratch[HMACSHA256.byteCount...])
            guard Base64URL.decode(signatureSegment, into: presented) != nil else { return false }
            header.key.authenticate(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[..<secondDot]), into: UnsafeMutableRawBufferPointer(expected))
            return OpenSSL.constantTimeEqual(UnsafeRawBufferPointer(presented), UnsafeRawBufferPointer(expected))
        }
        guard signatureMatches else { throw refuse(.badSignature) }

        let payloadSegment = UnsafeBufferPointer(rebasing: bytes[(firstDot + 1)..<secondDot])
        let values = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: payloadSegment.count * 3 / 4) { scratch -> ClaimValues? in
            guard let length = Base64URL.decode(payloadSegment, into: scratch) else { return nil }
            let payload = UnsafeBufferPointer(rebasing: scratch[..<length])
            if let values = ClaimValues.parseFlat(payload) { return values }
            return (try? StrictJSONReader.parse(payload, maximumDepth: 2)).map(ClaimValues.init(json:))
        }
        guard let values else { throw refuse(.malformed) }
        return try validate(values, now: now, refuse: refuse)
    }

    private func validate(
        _ values: ClaimValues, now: Int64, refuse: (TokenError.Reason) -> TokenError
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
              !values.hasNotBefore || time(values.notBefore) != nil
        else { throw refuse(.invalidClaims) }
        guard issuedAt <= now + Self.clockLeeway, (values.notBefore ?? 0) <= now + Self.clockLeeway else {
            throw refuse(.notYetValid)
        }
        guard now < expiresAt + Self.clockLeeway else { throw refuse(.expired) }
        return TokenClaims(subject: subject, sessionID: sessionID, tokenID: tokenID, issuedAt: issuedAt, expiresAt: expiresAt)
    }
}

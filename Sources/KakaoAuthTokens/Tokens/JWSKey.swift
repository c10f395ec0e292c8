/// The signature algorithms our tokens may carry (`JWT_ALGORITHM`). Each key is bound to exactly one of them.
package enum JWSAlgorithm: String, Sendable, CaseIterable {
    /// HMAC-SHA256 under a shared secret: whoever verifies can also mint.
    case hs256 = "HS256"
    /// Ed25519 (RFC 8037): services verify with the public key from the JWKS.
    case edDSA = "EdDSA"
    /// ECDSA on P-256 with SHA-256, the signature as JOSE's 64-byte `r‖s`.
    case es256 = "ES256"
}

/// A key that signs or verifies the signature segment of our tokens, under its one algorithm.
package protocol JWSKey: Sendable {
    var algorithm: JWSAlgorithm { get }
    /// The `kid` in the headers of the tokens it signs.
    var keyID: String { get }
    /// Bytes in a signature (before base64url).
    var signatureLength: Int { get }
    /// Writes the signature of `message` (`signatureLength` bytes); only for a key that can sign.
    func sign(_ message: UnsafeRawBufferPointer, into signature: UnsafeMutableRawBufferPointer)
    /// Whether `signature` is this key's for `message`.
    func verifies(_ signature: UnsafeRawBufferPointer, of message: UnsafeRawBufferPointer) -> Bool
    /// After this time (seconds since 1970) its tokens are refused, whatever they say: the end of a move from
    /// HS256, when every service still holds the secret and could mint with it. Nil: no end.
    var acceptedUntil: Int64? { get }
}

extension JWSKey {
    package var acceptedUntil: Int64? { nil }
}

/// HS256 under one secret (`JWT_SECRET`, `JWT_PREVIOUS_SECRETS`).
package struct HS256Key: JWSKey {
    package var algorithm: JWSAlgorithm { .hs256 }
    package let keyID: String
    package var signatureLength: Int { HMACSHA256.byteCount }
    package let acceptedUntil: Int64?
    private let mac: HMACSHA256

    package init(secret: [UInt8], acceptedUntil: Int64? = nil) {
        mac = HMACSHA256(key: secret)
        self.acceptedUntil = acceptedUntil
        // Names the key without revealing anything about it: a MAC of a fixed label under the key.
        keyID = Base64URL.encode(mac.authenticationCode(for: "kakao-auth key id").prefix(9))
    }

    package func sign(_ message: UnsafeRawBufferPointer, into signature: UnsafeMutableRawBufferPointer) {
        mac.authenticate(message, into: signature)
    }

    package func verifies(_ signature: UnsafeRawBufferPointer, of message: UnsafeRawBufferPointer) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: HMACSHA256.byteCount) { expected in
            mac.authenticate(message, into: UnsafeMutableRawBufferPointer(expected))
            return OpenSSL.constantTimeEqual(signature, UnsafeRawBufferPointer(expected))
        }
    }
}

import COpenSSL

/// An RSA public key for RS256 verification (Kakao's id_token keys), held as an OpenSSL `EVP_PKEY`.
/// OpenSSL 3 keys may be used from several threads at once for verification; each call has its own context.
package final class RSAPublicKey: @unchecked Sendable {
    /// Below this, a key is refused: RFC 7518 requires 2048 bits for RS256.
    package static let minimumBits = 2048
    package static let maximumBits = 8192

    package let key: OpaquePointer
    package let bits: Int

    /// From a JWK's `n` and `e` (big-endian bytes); nil when OpenSSL refuses them, the key is outside
    /// 2048–8192 bits, the modulus is even, or the exponent is not an odd number from 65537 to 2^32-1. (With
    /// `e = 1` a "signature" is the padded digest itself: anyone could forge one.)
    package init?(modulus: [UInt8], exponent: [UInt8]) {
        let significant = exponent.drop { $0 == 0 }
        guard (3...4).contains(significant.count), significant.last! & 1 == 1, modulus.last.map({ $0 & 1 == 1 }) == true,
            significant.reduce(UInt64(0), { $0 << 8 | UInt64($1) }) >= 65_537
        else { return nil }
        guard
            let key = modulus.withUnsafeBufferPointer({ n in
                exponent.withUnsafeBufferPointer { e in kakao_auth_rsa_public_key(n.baseAddress, n.count, e.baseAddress, e.count) }
            })
        else { return nil }
        let bits = Int(EVP_PKEY_get_bits(key))
        guard (Self.minimumBits...Self.maximumBits).contains(bits) else {
            EVP_PKEY_free(key)
            return nil
        }
        self.key = key
        self.bits = bits
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// Whether `signature` is this key's RS256 signature of `message`. A signature must be exactly the
    /// key's size: anything else is refused before OpenSSL sees it.
    package func verifiesRS256(_ signature: [UInt8], of message: some Collection<UInt8>) -> Bool {
        guard signature.count == (bits + 7) / 8 else { return false }
        let verify = { (text: UnsafeBufferPointer<UInt8>) in
            signature.withUnsafeBufferPointer { signed in
                kakao_auth_rs256_verify(self.key, text.baseAddress, text.count, signed.baseAddress, signed.count) == 1
            }
        }
        return message.withContiguousStorageIfAvailable(verify) ?? Array(message).withUnsafeBufferPointer(verify)
    }
}

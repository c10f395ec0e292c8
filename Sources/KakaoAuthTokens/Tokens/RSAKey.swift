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
        guard let key = modulus.withUnsafeBufferPointer({ n in
            exponent.withUnsafeBufferPointer { e in kakao_auth_rsa_public_key(n.baseAddress, n.count, e.baseAddress, e.count) }
        }) else { return nil }
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

/// An RSA key pair that signs RS256, for the Kakao emulator's id_tokens (the service itself never signs
/// with RSA).
package final class RSAPrivateKey: @unchecked Sendable {
    private let key: OpaquePointer
    package let bits: Int

    /// A fresh key pair.
    package init(bits: Int = 2048) {
        guard let key = kakao_auth_rsa_generate(UInt32(bits)) else { preconditionFailure("OpenSSL could not generate an RSA key") }
        self.key = key
        self.bits = Int(EVP_PKEY_get_bits(key))
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// The JWK members `n` and `e`: the modulus and the public exponent, big-endian.
    package var modulus: [UInt8] { number(OSSL_PKEY_PARAM_RSA_N) }
    package var exponent: [UInt8] { number(OSSL_PKEY_PARAM_RSA_E) }

    private func number(_ name: String) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: bits / 8 + 1)
        let length = output.withUnsafeMutableBufferPointer { kakao_auth_rsa_number(key, name, $0.baseAddress, $0.count) }
        precondition(length > 0, "OpenSSL could not read an RSA key's \(name)")
        return Array(output.prefix(length))
    }

    package func signRS256(_ message: some Collection<UInt8>) -> [UInt8] {
        let message = Array(message)
        var signature = [UInt8](repeating: 0, count: (bits + 7) / 8)
        let length = message.withUnsafeBufferPointer { text in
            signature.withUnsafeMutableBufferPointer { kakao_auth_rs256_sign(key, text.baseAddress, text.count, $0.baseAddress, $0.count) }
        }
        precondition(length == signature.count, "OpenSSL RS256 signing failed")
        return signature
    }

    /// The public half, as verification sees it.
    package var publicKey: RSAPublicKey {
        RSAPublicKey(modulus: modulus, exponent: exponent)!
    }
}

/// For the token benchmark: a 2048-bit key and one signed id_token-sized message, verified on demand.
package struct RS256BenchmarkKey: Sendable {
    private let key: RSAPublicKey
    private let message: [UInt8]
    private let signature: [UInt8]

    package init() {
        let signer = RSAPrivateKey(bits: 2048)
        message = Array(repeating: UInt8(ascii: "a"), count: 700)
        signature = signer.signRS256(message)
        key = signer.publicKey
    }

    package func verify() -> Bool {
        key.verifiesRS256(signature, of: message)
    }
}

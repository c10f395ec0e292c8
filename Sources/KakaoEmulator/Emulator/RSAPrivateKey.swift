import COpenSSL
import KakaoAuthTokens

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

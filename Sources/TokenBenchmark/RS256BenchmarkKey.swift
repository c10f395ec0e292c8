import KakaoAuthTokens
import KakaoEmulator

/// For the token benchmark: a 2048-bit key and one signed id_token-sized message, verified on demand.
struct RS256BenchmarkKey: Sendable {
    private let key: RSAPublicKey
    private let message: [UInt8]
    private let signature: [UInt8]

    init() {
        let signer = RSAPrivateKey(bits: 2048)
        message = Array(repeating: UInt8(ascii: "a"), count: 700)
        signature = signer.signRS256(message)
        key = signer.publicKey
    }

    func verify() -> Bool {
        key.verifiesRS256(signature, of: message)
    }
}

import COpenSSL
import Foundation

/// An Ed25519 (EdDSA) or P-256 (ES256) key of the system's OpenSSL: a private key signs and verifies, a public
/// one only verifies. The key's type decides its one algorithm. Its `kid` is its RFC 7638 thumbprint, and it
/// describes itself as a JWK for `/.well-known/jwks.json`.
package final class AsymmetricKey: JWSKey, @unchecked Sendable {
    /// Why a PEM was refused. The descriptions never contain the key.
    package enum LoadingError: Error, CustomStringConvertible {
        case notPEM(label: String)
        case unreadable
        case unsupportedType

        package var description: String {
            switch self {
            case .notPEM(let label): "is not one unencrypted PEM block \"\(label)\""
            case .unreadable: "could not be read by OpenSSL"
            case .unsupportedType: "is neither an Ed25519 nor a P-256 key"
            }
        }
    }

    package let algorithm: JWSAlgorithm
    package let keyID: String
    package let canSign: Bool
    package var signatureLength: Int { 64 }
    /// The public JWK's required members in RFC 7638's order: `crv`, `kty`, `x` (and `y`).
    private let publicMembers: [(name: String, value: String)]
    /// Immutable once made: OpenSSL allows one key in many operations at once, each with its own context.
    private let key: OpaquePointer
    /// `kakao_auth_key_type(key)`, found once.
    private let type: Int32

    private init(key: OpaquePointer, canSign: Bool) throws(LoadingError) {
        self.key = key
        self.canSign = canSign
        type = kakao_auth_key_type(key)
        var x = [UInt8](repeating: 0, count: 32)
        var y = [UInt8](repeating: 0, count: 32)
        switch type {
        case KAKAO_AUTH_KEY_ED25519:
            algorithm = .edDSA
            guard kakao_auth_public_coordinates(key, &x, &y) == 1 else {
                EVP_PKEY_free(key)
                throw .unreadable
            }
            publicMembers = [("crv", "Ed25519"), ("kty", "OKP"), ("x", Base64URL.encode(x))]
        case KAKAO_AUTH_KEY_P256:
            algorithm = .es256
            guard kakao_auth_public_coordinates(key, &x, &y) == 1 else {
                EVP_PKEY_free(key)
                throw .unreadable
            }
            publicMembers = [("crv", "P-256"), ("kty", "EC"), ("x", Base64URL.encode(x)), ("y", Base64URL.encode(y))]
        default:
            EVP_PKEY_free(key)
            throw .unsupportedType
        }
        // RFC 7638: SHA-256 of the required members, in lexicographic order, without white space.
        let canonical = "{" + publicMembers.map { "\"\($0.name)\":\"\($0.value)\"" }.joined(separator: ",") + "}"
        keyID = Base64URL.encode(OpenSSL.sha256(canonical))
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// A private key from PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, unencrypted).
    package static func privateKey(pem: String) throws(LoadingError) -> AsymmetricKey {
        try load(pem, label: "PRIVATE KEY", private: true)
    }

    /// A public key from SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    package static func publicKey(pem: String) throws(LoadingError) -> AsymmetricKey {
        try load(pem, label: "PUBLIC KEY", private: false)
    }

    /// A public key from a JWK of a key set (RFC 7517), held to what kakao-auth publishes: `kty` and `crv` of
    /// Ed25519 or P-256, coordinates of 32 bytes in strict base64url, the `alg` the key's type signs, `use`
    /// `sig` if present, and a `kid` that is the key's RFC 7638 thumbprint. Nil for anything else.
    package static func publicKey(jwk: JSONValue) -> AsymmetricKey? {
        func coordinate(_ name: String) -> [UInt8]? {
            guard let text = jwk[name]?.stringValue, let bytes = Base64URL.decode(text), bytes.count == 32 else { return nil }
            return bytes
        }
        let type: Int32
        switch (jwk["kty"]?.stringValue, jwk["crv"]?.stringValue) {
        case ("OKP", "Ed25519"): type = KAKAO_AUTH_KEY_ED25519
        case ("EC", "P-256"): type = KAKAO_AUTH_KEY_P256
        default: return nil
        }
        guard let x = coordinate("x"), jwk["d"] == nil, jwk["use"].map({ $0.stringValue == "sig" }) ?? true else { return nil }
        let y = type == KAKAO_AUTH_KEY_P256 ? coordinate("y") : [UInt8](repeating: 0, count: 32)
        guard let y, let key = kakao_auth_public_key_from_coordinates(type, x, y), let publicKey = try? AsymmetricKey(key: key, canSign: false),
            jwk["alg"]?.stringValue == publicKey.algorithm.rawValue, jwk["kid"]?.stringValue == publicKey.keyID
        else { return nil }
        return publicKey
    }

    /// A new key pair for `algorithm` (EdDSA or ES256).
    package static func generate(_ algorithm: JWSAlgorithm) -> AsymmetricKey {
        let type = algorithm == .edDSA ? KAKAO_AUTH_KEY_ED25519 : KAKAO_AUTH_KEY_P256
        precondition(algorithm != .hs256, "HS256 has no key pair")
        guard let key = kakao_auth_generate_key(type), let generated = try? AsymmetricKey(key: key, canSign: true) else {
            preconditionFailure("OpenSSL could not generate an \(algorithm.rawValue) key")
        }
        return generated
    }

    /// Strict about the container: exactly one PEM block with the expected label, nothing around it but white
    /// space, so that a certificate, a traditional `EC PRIVATE KEY` or an encrypted key is refused by name.
    private static func load(_ pem: String, label: String, private isPrivate: Bool) throws(LoadingError) -> AsymmetricKey {
        let text = pem.trimmingCharacters(in: .whitespacesAndNewlines)
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        guard text.utf8.count <= 16_384, text.hasPrefix(begin), text.hasSuffix(end),
            text.components(separatedBy: "-----BEGIN").count == 2
        else { throw .notPEM(label: label) }
        let key = text.withCString { kakao_auth_pem_key($0, strlen($0), isPrivate ? 1 : 0) }
        guard let key else { throw .unreadable }
        return try AsymmetricKey(key: key, canSign: isPrivate)
    }

    package func sign(_ message: UnsafeRawBufferPointer, into signature: UnsafeMutableRawBufferPointer) {
        precondition(canSign && signature.count >= 64, "a public key cannot sign")
        let signed = kakao_auth_sign(
            key, type, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count,
            signature.baseAddress?.assumingMemoryBound(to: UInt8.self))
        precondition(signed == 1, "OpenSSL \(algorithm.rawValue) signing failed")
    }

    package func verifies(_ signature: UnsafeRawBufferPointer, of message: UnsafeRawBufferPointer) -> Bool {
        guard signature.count == 64 else { return false }
        return kakao_auth_verify(
            key, type, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count,
            signature.baseAddress?.assumingMemoryBound(to: UInt8.self)) == 1
    }

    /// The public key as a JWK: the thumbprint's members, then `kid`, `alg` and `use`.
    package var publicJWK: String {
        let members =
            publicMembers.map { "\"\($0.name)\":\"\($0.value)\"" }
            + ["\"kid\":\"\(keyID)\"", "\"alg\":\"\(algorithm.rawValue)\"", "\"use\":\"sig\""]
        return "{" + members.joined(separator: ",") + "}"
    }

    /// PKCS#8 PEM of a private key.
    package var privatePEM: String? { canSign ? pem(private: true) : nil }

    /// SubjectPublicKeyInfo PEM.
    package var publicPEM: String { pem(private: false)! }

    private func pem(private isPrivate: Bool) -> String? {
        var output = [CChar](repeating: 0, count: 4096)
        defer { output.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        let length = kakao_auth_key_pem(key, isPrivate ? 1 : 0, &output, output.count)
        guard length > 0 else { return nil }
        return String(decoding: output.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// 32 bytes only this key's holder knows, for keys derived from it (the login state cookie's, when there
    /// is no `JWT_SECRET`); nil for a public key.
    package func privateKeyMaterial() -> [UInt8]? {
        guard canSign else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        return kakao_auth_private_bytes(key, &bytes) == 1 ? bytes : nil
    }
}

import COpenSSL

/// The primitives this service takes from the system's OpenSSL 3.
enum OpenSSL {
    /// Cryptographically secure random bytes.
    ///
    /// A failing RAND_bytes means the process has no entropy source; carrying on would mint guessable ids
    /// and secrets, so this stops the process instead.
    static func randomBytes(count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(status == 1, "OpenSSL RAND_bytes failed: no secure random source")
        return bytes
    }

    /// Equality whose running time depends only on the length, never on where the inputs differ.
    static func constantTimeEqual(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard lhs.count > 0 else { return true }
        return CRYPTO_memcmp(lhs.baseAddress, rhs.baseAddress, lhs.count) == 0
    }

    /// SHA-256, for PKCE's `S256` code challenge.
    static func sha256(_ message: some StringProtocol) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let bytes = Array(message.utf8)
        let status = bytes.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { EVP_Digest(input.baseAddress, input.count, $0.baseAddress, &length, EVP_sha256(), nil) }
        }
        precondition(status == 1 && length == 32, "OpenSSL SHA-256 failed")
        return digest
    }

    static func constantTimeEqual(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        Array(lhs.utf8).withUnsafeBytes { left in
            Array(rhs.utf8).withUnsafeBytes { right in constantTimeEqual(left, right) }
        }
    }
}

/// HMAC-SHA256 under one key: the OpenSSL context is keyed once and duplicated for every message.
final class HMACSHA256: Sendable {
    static let byteCount = 32

    // Only read after init (EVP_MAC_CTX_dup does not modify its source), so sharing it across threads is safe.
    nonisolated(unsafe) private let keyedContext: OpaquePointer

    init(key: [UInt8]) {
        let context = key.withUnsafeBufferPointer { kakao_auth_hmac_sha256_new($0.baseAddress, $0.count) }
        precondition(context != nil, "OpenSSL could not create an HMAC-SHA256 context")
        keyedContext = context!
    }

    deinit {
        EVP_MAC_CTX_free(keyedContext)
    }

    func authenticationCode(for message: UnsafeRawBufferPointer) -> [UInt8] {
        guard let context = EVP_MAC_CTX_dup(keyedContext) else {
            preconditionFailure("OpenSSL could not duplicate an HMAC context: out of memory")
        }
        defer { EVP_MAC_CTX_free(context) }
        var code = [UInt8](repeating: 0, count: Self.byteCount)
        var written = 0
        let updated = EVP_MAC_update(context, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count)
        let finished = code.withUnsafeMutableBufferPointer { EVP_MAC_final(context, $0.baseAddress, &written, Self.byteCount) }
        precondition(updated == 1 && finished == 1 && written == Self.byteCount, "OpenSSL HMAC-SHA256 failed")
        return code
    }

    func authenticationCode(for message: some StringProtocol) -> [UInt8] {
        var text = String(message)
        return text.withUTF8 { authenticationCode(for: UnsafeRawBufferPointer($0)) }
    }
}

import COpenSSL
import Synchronization

/// The primitives this service takes from the system's OpenSSL 3.
package enum OpenSSL {
    /// Cryptographically secure random bytes.
    ///
    /// A failing RAND_bytes means the process has no entropy source; carrying on would mint guessable ids
    /// and secrets, so this stops the process instead.
    package static func randomBytes(count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(status == 1, "OpenSSL RAND_bytes failed: no secure random source")
        return bytes
    }

    /// Equality whose running time depends only on the length, never on where the inputs differ.
    package static func constantTimeEqual(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard lhs.count > 0 else { return true }
        return CRYPTO_memcmp(lhs.baseAddress, rhs.baseAddress, lhs.count) == 0
    }

    /// SHA-256, for PKCE's `S256` code challenge, thumbprints and ETags.
    package static func sha256(_ message: some StringProtocol) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        Array(message.utf8).withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBytes { sha256(input, into: $0) }
        }
        return digest
    }

    /// SHA-256 of `input` into the first 32 bytes of `digest`.
    package static func sha256(_ input: UnsafeBufferPointer<UInt8>, into digest: UnsafeMutableRawBufferPointer) {
        precondition(digest.count >= 32)
        var length: UInt32 = 0
        let status = EVP_Digest(input.baseAddress, input.count, digest.baseAddress?.assumingMemoryBound(to: UInt8.self), &length, EVP_sha256(), nil)
        precondition(status == 1 && length == 32, "OpenSSL SHA-256 failed")
    }

    package static func constantTimeEqual(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        Array(lhs.utf8).withUnsafeBytes { left in
            Array(rhs.utf8).withUnsafeBytes { right in constantTimeEqual(left, right) }
        }
    }
}

/// HMAC-SHA256 under one key. The key is set once; each MAC takes a context from a small pool and only
/// re-initialises it (OpenSSL keeps the keyed inner and outer states), which is several times cheaper than
/// keying or duplicating a context per call.
package final class HMACSHA256: Sendable {
    package static let byteCount = 32
    private static let poolLimit = 64

    /// Keyed once and only ever duplicated; contexts in `pool` are owned by the pool until taken.
    nonisolated(unsafe) private let keyedContext: OpaquePointer
    private let pool = Mutex<[UnsafeSendable]>([])

    private struct UnsafeSendable: @unchecked Sendable {
        let context: OpaquePointer
    }

    package init(key: [UInt8]) {
        let context = key.withUnsafeBufferPointer { kakao_auth_hmac_sha256_new($0.baseAddress, $0.count) }
        precondition(context != nil, "OpenSSL could not create an HMAC-SHA256 context")
        keyedContext = context!
    }

    deinit {
        EVP_MAC_CTX_free(keyedContext)
        pool.withLock { contexts in
            for pooled in contexts { EVP_MAC_CTX_free(pooled.context) }
        }
    }

    /// Writes the 32-byte MAC of `message` to `output`.
    package func authenticate(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= Self.byteCount)
        let context: OpaquePointer
        if let pooled = pool.withLock({ $0.popLast() }) {
            context = pooled.context
        } else {
            guard let fresh = EVP_MAC_CTX_dup(keyedContext) else {
                preconditionFailure("OpenSSL could not duplicate an HMAC context: out of memory")
            }
            context = fresh
        }
        var written = 0
        // A nil key re-initialises the context with the key it already holds.
        let ready = EVP_MAC_init(context, nil, 0, nil)
        let updated = EVP_MAC_update(context, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count)
        let finished = EVP_MAC_final(context, output.baseAddress?.assumingMemoryBound(to: UInt8.self), &written, Self.byteCount)
        precondition(ready == 1 && updated == 1 && finished == 1 && written == Self.byteCount, "OpenSSL HMAC-SHA256 failed")
        let kept = pool.withLock { contexts in
            guard contexts.count < Self.poolLimit else { return false }
            contexts.append(UnsafeSendable(context: context))
            return true
        }
        if !kept { EVP_MAC_CTX_free(context) }
    }

    package func authenticationCode(for message: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.byteCount) { buffer, count in
            authenticate(message, into: UnsafeMutableRawBufferPointer(buffer))
            count = Self.byteCount
        }
    }

    package func authenticationCode(for message: some StringProtocol) -> [UInt8] {
        var text = String(message)
        return text.withUTF8 { authenticationCode(for: UnsafeRawBufferPointer($0)) }
    }
}

import Synchronization

/// Tokens this process has verified under an asymmetric key, so that a signature that costs tens of
/// microseconds (Ed25519, P-256) is checked once per token, not once per request. An entry is keyed by the
/// SHA-256 of the whole token (so only that exact token finds it), is never trusted past the token's `exp`,
/// and the cache holds at most `capacity` entries (about 250 bytes each, up to 2 KB with the most roles and
/// app metadata a user can have). Keys change only with a restart, which starts with an empty cache. HMAC
/// tokens skip it: their check costs about what a lookup does.
package final class VerifiedTokenCache: Sendable {
    private struct Digest: Hashable {
        var words: (UInt64, UInt64, UInt64, UInt64)

        static func == (lhs: Digest, rhs: Digest) -> Bool { lhs.words == rhs.words }

        func hash(into hasher: inout Hasher) {
            hasher.combine(words.0)
        }
    }

    private struct Entry {
        let kind: TokenKind
        let claims: TokenClaims
    }

    /// 10,000 entries: about 2.5 MB (20 MB at worst), and more than the live access tokens of a busy replica's last minutes.
    package static let defaultCapacity = 10_000

    package let capacity: Int
    private let entries = Mutex<[Digest: Entry]>([:])

    package init(capacity: Int = VerifiedTokenCache.defaultCapacity) {
        self.capacity = capacity
    }

    /// The claims of `token` if it was verified as `kind` and has not expired by `now` (give or take `leeway`).
    package func claims(of token: UnsafeBufferPointer<UInt8>, as kind: TokenKind, now: Int64, leeway: Int64) -> TokenClaims? {
        let digest = Self.digest(of: token)
        guard let entry = entries.withLock({ $0[digest] }), entry.kind == kind, now < entry.claims.expiresAt + leeway else { return nil }
        return entry.claims
    }

    /// Remembers a token just verified. A full cache first drops what has expired, then a quarter of the
    /// rest, arbitrary ones (those still in use are verified again and come back): a pause under the lock
    /// once every `capacity / 4` insertions at worst, never a flush of everything.
    package func remember(_ token: UnsafeBufferPointer<UInt8>, as kind: TokenKind, claims: TokenClaims, now: Int64) {
        let digest = Self.digest(of: token)
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.claims.expiresAt > now }
                for _ in 0..<max(0, entries.count - capacity * 3 / 4) { entries.remove(at: entries.startIndex) }
            }
            entries[digest] = Entry(kind: kind, claims: claims)
        }
    }

    package var count: Int { entries.withLock { $0.count } }

    private static func digest(of token: UnsafeBufferPointer<UInt8>) -> Digest {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { OpenSSL.sha256(token, into: $0) }
        return Digest(words: words)
    }
}

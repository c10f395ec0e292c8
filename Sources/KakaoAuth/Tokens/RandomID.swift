import KakaoAuthTokens

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Opaque identifiers for users, sessions and token ids, 22 characters of the base64url alphabet.
package enum RandomID {
    /// 128 random bits, base64url.
    package static func make() -> String {
        Base64URL.encode(OpenSSL.randomBytes(count: 16))
    }

    /// The current time in milliseconds (7 characters, 42 bits, that sort in time order until the year
    /// 2109), then 90 random bits (15 characters). For keys that are inserted often (session ids and refresh
    /// token ids): ids made close in time sit next to each other in their index, so a group of inserts
    /// dirties a page or two of it instead of one page each. They reveal when they were made, which their
    /// token's `iat` already says. Until 2109 the first character is a letter or `_`, never a `-`.
    package static func makeTimeOrdered(atMillisecond millisecond: UInt64 = currentMillisecond()) -> String {
        var milliseconds = millisecond
        let random = Base64URL.encode(OpenSSL.randomBytes(count: 12))
        return String(unsafeUninitializedCapacity: 22) { output in
            for index in (0..<7).reversed() {
                output[index] = sortedAlphabet[Int(milliseconds & 0x3F)]
                milliseconds >>= 6
            }
            // 12 random bytes encode to 16 characters of 6 random bits each; 15 are kept.
            for (index, byte) in random.utf8.prefix(15).enumerated() { output[7 + index] = byte }
            return 22
        }
    }

    private static func currentMillisecond() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) * 1000 + UInt64(time.tv_nsec) / 1_000_000
    }

    /// The base64url characters in ASCII order, so that byte-wise comparison (SQLite's BINARY collation)
    /// of the time prefix follows the time.
    private static let sortedAlphabet = Array("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz".utf8)
}

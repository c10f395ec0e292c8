#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Opaque identifiers for users, sessions and token ids, 22 characters of the base64url alphabet.
enum RandomID {
    /// 128 random bits, base64url.
    static func make() -> String {
        Base64URL.encode(OpenSSL.randomBytes(count: 16))
    }

    /// The current time in milliseconds (8 characters that sort in time order), then 84 random bits
    /// (14 characters). For keys that are inserted often (session ids and refresh token ids): ids made
    /// close in time sit next to each other in their index, so a group of inserts dirties a page or two of
    /// it instead of one page each. They reveal when they were made, which their token's `iat` already says.
    static func makeTimeOrdered(atMillisecond millisecond: UInt64 = currentMillisecond()) -> String {
        var milliseconds = millisecond
        let random = Base64URL.encode(OpenSSL.randomBytes(count: 11))
        return String(unsafeUninitializedCapacity: 22) { output in
            for index in (0..<8).reversed() {
                output[index] = sortedAlphabet[Int(milliseconds & 0x3F)]
                milliseconds >>= 6
            }
            // 11 random bytes encode to 15 characters; the first 14 carry 84 whole random bits.
            for (index, byte) in random.utf8.prefix(14).enumerated() { output[8 + index] = byte }
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

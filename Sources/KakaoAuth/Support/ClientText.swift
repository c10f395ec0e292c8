/// Text that a client (or Kakao) chose and that we store or log: a user agent, a webhook's `referrer_type`, a
/// path. Capped in UTF-8 bytes, because a cap in `Character`s is no cap: one letter with 15,000 combining
/// marks is one Character and 30,001 bytes, which once made every audit event 30 KB.
enum ClientText {
    /// `text` without control characters (C0, DEL and C1: NUL, line breaks, escapes that could forge a log
    /// line), cut to at most `limit` UTF-8 bytes at a scalar boundary (never inside a scalar's bytes).
    static func capped(_ text: some StringProtocol, bytes limit: Int) -> String {
        var kept = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars where !isControl(scalar) {
            let width = UTF8.width(scalar)
            guard count + width <= limit else { break }
            kept.append(scalar)
            count += width
        }
        return String(kept)
    }

    /// Whether `text` holds U+0000, which SQLite cuts a text at and PostgreSQL refuses: never stored.
    static func containsNUL(_ text: some StringProtocol) -> Bool {
        text.utf8.contains(0)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}

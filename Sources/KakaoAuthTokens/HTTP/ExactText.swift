/// Membership and equality by UTF-8 bytes, for every security decision that compares client text with an
/// allowlist (origins, redirect URIs, cookie names). Swift's `==` on strings is canonical equivalence, under
/// which `…/\u{212A}akao/callback` (KELVIN SIGN) equals `…/Kakao/callback`: a browser or Kakao would treat
/// them as different strings, so we must too.
extension Set<String> {
    /// Whether a member has exactly the bytes of `text`. The hash lookup finds the one canonically equal
    /// member, if any (a set holds at most one of such a class); its bytes decide.
    package func containsExactly(_ text: some StringProtocol) -> Bool {
        guard let index = firstIndex(of: String(text)) else { return false }
        return self[index].utf8.elementsEqual(text.utf8)
    }
}

extension Sequence<String> {
    /// Whether an element has exactly the bytes of `text` (for the short ordered lists of configuration).
    package func containsExactly(_ text: some StringProtocol) -> Bool {
        contains { $0.utf8.elementsEqual(text.utf8) }
    }
}

extension StringProtocol {
    /// Byte-for-byte equality, not canonical equivalence.
    package func isExactly(_ other: some StringProtocol) -> Bool {
        utf8.elementsEqual(other.utf8)
    }
}

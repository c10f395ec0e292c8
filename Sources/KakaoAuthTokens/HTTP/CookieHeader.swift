/// The cookies of a request, read one way everywhere: by the duplicate-cookie guard and by every reader of
/// our cookies (the service's and the verifier kit's middleware), so that no cookie can be one name to the
/// guard and another to a reader.
///
/// RFC 6265 5.2, on bytes: each `;`-separated pair of every `Cookie` header, split at its first `=`, name and
/// value trimmed of spaces and tabs only, names compared byte for byte. Never on Swift `Character`s: a value
/// ending in a "Prepend" scalar (U+0600) forms one grapheme with the `;` after it, which hid the next cookie
/// from a `String.split`, and `Character` equality is canonical equivalence (U+037E GREEK QUESTION MARK is
/// `;`). Hummingbird's own reader trims every Unicode whitespace (U+2028 among them) and keeps the first of a
/// name, which is how a planted `\u{2028}__Secure-refresh_token` would read as ours.
package struct CookieHeader: Sendable {
    package struct Pair: Sendable {
        package var name: ArraySlice<UInt8>
        package var value: ArraySlice<UInt8>
    }

    package let pairs: [Pair]

    /// `headers`: the values of every `Cookie` field of the request, in order.
    package init(_ headers: some Sequence<String>) {
        var pairs: [Pair] = []
        for header in headers {
            let bytes = Array(header.utf8)
            for piece in bytes.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: true) {
                guard let equals = piece.firstIndex(of: UInt8(ascii: "=")) else { continue }
                pairs.append(Pair(name: Self.trimmed(piece[..<equals]), value: Self.trimmed(piece[(equals + 1)...])))
            }
        }
        self.pairs = pairs
    }

    /// The value of the one cookie called exactly `name`; nil when there is none, or more than one.
    package func value(of name: String) -> String? {
        var found: ArraySlice<UInt8>?
        for pair in pairs where pair.name.elementsEqual(name.utf8) {
            guard found == nil else { return nil }
            found = pair.value
        }
        return found.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Those of `names` that occur more than once, or that another cookie's name imitates: one that is one of
    /// ours once every byte outside printable ASCII is dropped (`\u{2028}__Secure-refresh_token`) and ASCII
    /// case is folded (`__secure-refresh_token`: browsers apply the `__Secure-`/`__Host-` prefixes in any
    /// case now, so a lax reader could take it). Our readers would not take such a cookie, but a browser or a
    /// proxy might (a Swift reader takes `\u{212A}ey` for `Key`: canonical equivalence); with one in the request, which cookie is ours is as uncertain as with a plain duplicate.
    package func ambiguousNames(among names: Set<String>) -> Set<String> {
        let folded = Dictionary(names.map { (Self.folded($0.utf8), $0) }, uniquingKeysWith: { first, _ in first })
        var seen: Set<String> = []
        var ambiguous: Set<String> = []
        for pair in pairs {
            if let ours = names.first(where: { pair.name.elementsEqual($0.utf8) }) {
                if !seen.insert(ours).inserted { ambiguous.insert(ours) }
            } else if let imitated = folded[Self.folded(pair.name)] ?? Self.canonicallyEqual(pair.name, in: names) {
                ambiguous.insert(imitated)
            }
        }
        return ambiguous
    }

    private static func canonicallyEqual(_ name: ArraySlice<UInt8>, in names: Set<String>) -> String? {
        let text = String(decoding: name, as: UTF8.self)
        return names.firstIndex(of: text).map { names[$0] }
    }

    private static func folded(_ name: some Sequence<UInt8>) -> [UInt8] {
        name.filter { $0 > 0x20 && $0 < 0x7F }.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 0x20 : $0 }
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else {
            return bytes[bytes.endIndex...]
        }
        return bytes[first...last]
    }
}

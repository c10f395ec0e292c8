import Hummingbird

/// The cookies of a request, read one way everywhere: by the duplicate-cookie guard and by every reader of
/// our cookies, so that no cookie can be one name to the guard and another to a reader.
///
/// RFC 6265 5.2: each `;`-separated pair of every `Cookie` header, split at its first `=`, name and value
/// trimmed of spaces and tabs only. Names are compared byte for byte. (Hummingbird's own reader trims
/// every Unicode whitespace, U+2028 among them, which is how a planted `\u{2028}__Secure-refresh_token`
/// would otherwise read as ours while a stricter check saw another name.)
struct RequestCookies {
    let pairs: [(name: Substring, value: Substring)]

    init(_ request: Request) {
        pairs = request.headers[values: .cookie].flatMap { header in
            header.split(separator: ";").compactMap { pair -> (Substring, Substring)? in
                guard let equals = pair.firstIndex(of: "=") else { return nil }
                return (Self.trimmed(pair[..<equals]), Self.trimmed(pair[pair.index(after: equals)...]))
            }
        }
    }

    /// The value of the one cookie called `name`; nil when there is none, or more than one.
    func value(of name: String) -> String? {
        var found: Substring?
        for pair in pairs where pair.name == name {
            guard found == nil else { return nil }
            found = pair.value
        }
        return found.map(String.init)
    }

    private static func trimmed(_ text: Substring) -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isBlank($0) }), let last = text.lastIndex(where: { !isBlank($0) }) else {
            return text[text.endIndex...]
        }
        return text[first...last]
    }
}

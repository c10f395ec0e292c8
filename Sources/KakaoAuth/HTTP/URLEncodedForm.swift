/// `application/x-www-form-urlencoded`, both ways: Kakao's token endpoint takes it, introspection, the
/// emulator and webhooks receive it.
///
/// Byte by byte rather than through Foundation's percent-encoding: introspection decodes a form on every
/// call, and Foundation's string bridging was a quarter of its time (measured with `bench/run.py`).
package enum URLEncodedForm {
    /// Escapes everything but RFC 3986's unreserved characters.
    package static func encode(_ fields: [(String, String)]) -> String {
        fields.map { name, value in
            "\(escape(name))=\(escape(value))"
        }.joined(separator: "&")
    }

    package static func escape(_ text: String) -> String {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var escaped: [UInt8] = []
        escaped.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if byte.isUnreservedURICharacter {
                escaped.append(byte)
            } else {
                escaped += [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }

    /// The fields of a form or query string; nil when it is malformed (a bad `%` escape, or escapes that
    /// are not UTF-8) or repeats a name (two readers must never disagree on which value counts). A value may
    /// hold NUL: what is stored of it goes through ``ClientText``, and Kakao's webhook must not fail for a
    /// field we do not read.
    package static func decode(_ text: String) -> [String: String]? {
        var fields: [String: String] = [:]
        for pair in text.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = unescape(parts[0]), let value = unescape(parts.count > 1 ? parts[1] : pair[pair.endIndex...]),
                fields.updateValue(value, forKey: name) == nil
            else { return nil }
        }
        return fields
    }

    private static func unescape(_ bytes: Substring.UTF8View.SubSequence) -> String? {
        // Tokens and codes are sent as they are: nothing to unescape, and the text is already UTF-8.
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) { return String(Substring(bytes)) }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "+"):
                unescaped.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                let high = bytes.index(after: index)
                guard high < bytes.endIndex, bytes.index(after: high) < bytes.endIndex,
                    let upper = bytes[high].hexDigitValue, let lower = bytes[bytes.index(after: high)].hexDigitValue
                else { return nil }
                unescaped.append(upper << 4 | lower)
                index = bytes.index(after: high)
            default:
                unescaped.append(byte)
            }
            index = bytes.index(after: index)
        }
        return String(validating: unescaped, as: UTF8.self)
    }
}

extension String {
    /// The string as a JSON string literal, quotes included, escaping what RFC 8259 requires.
    package var jsonQuoted: String {
        // Tokens, ids and times never need escaping: skip the scalar-by-scalar copy for them.
        if utf8.allSatisfy(\.isPlainInJSONString) {
            return "\"" + self + "\""
        }
        var result = "\""
        result.reserveCapacity(utf8.count + 2)
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

extension UInt8 {
    /// A UTF-8 byte that a JSON string carries as it is: anything but `"`, `\` and control characters.
    package var isPlainInJSONString: Bool {
        self >= 0x20 && self != UInt8(ascii: "\"") && self != UInt8(ascii: "\\")
    }
}

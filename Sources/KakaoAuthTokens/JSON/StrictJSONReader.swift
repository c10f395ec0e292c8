/// Why a document is not the JSON this service accepts.
package struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    package let message: String
    package let offset: Int

    package var description: String { "\(message) at byte \(offset)" }
}

/// A strict RFC 8259 reader for untrusted input: request bodies, Kakao's answers and token payloads.
///
/// Stricter than Foundation where it matters for an auth service: duplicate object keys are refused (two
/// parsers must never disagree on which `exp` counts), nesting depth is bounded (no stack exhaustion),
/// strings must be valid UTF-8 without raw control characters, and nothing may follow the document.
package struct StrictJSONReader {
    package static let defaultMaximumDepth = 32

    private let bytes: [UInt8]
    private let maximumDepth: Int
    private var position = 0

    private init(bytes: [UInt8], maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    package static func parse(_ bytes: some Sequence<UInt8>, maximumDepth: Int = defaultMaximumDepth) throws(JSONSyntaxError) -> JSONValue {
        var reader = StrictJSONReader(bytes: Array(bytes), maximumDepth: maximumDepth)
        reader.skipWhitespace()
        let value = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        guard reader.position == reader.bytes.count else { throw reader.error("unexpected data after the document") }
        return value
    }

    private func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(message: message, offset: position)
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private mutating func expect(_ literal: StaticString, producing value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("truncated literal") }
        for index in 0..<count where bytes[position + index] != literal.utf8Start[index] {
            throw error("invalid literal")
        }
        position += count
        return value
    }

    private mutating func readValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard let byte = current else { throw error("unexpected end of document") }
        switch byte {
        case UInt8(ascii: "{"): return try readObject(depth: depth + 1)
        case UInt8(ascii: "["): return try readArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): return try expect("true", producing: .bool(true))
        case UInt8(ascii: "f"): return try expect("false", producing: .bool(false))
        case UInt8(ascii: "n"): return try expect("null", producing: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
        default: throw error("unexpected character")
        }
    }

    private mutating func readObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= maximumDepth else { throw error("nested too deeply") }
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let keyOffset = position
            let key = try readString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':'") }
            position += 1
            skipWhitespace()
            let value = try readValue(depth: depth)
            guard members.updateValue(value, forKey: key) == nil else {
                throw JSONSyntaxError(message: "duplicate key \"\(key)\"", offset: keyOffset)
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .object(members)
            default: throw error("expected ',' or '}'")
            }
        }
    }

    private mutating func readArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= maximumDepth else { throw error("nested too deeply") }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try readValue(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(elements)
            default: throw error("expected ',' or ']'")
            }
        }
    }

    private mutating func readNumber() throws(JSONSyntaxError) -> JSONValue {
        guard let end = Self.endOfNumber(in: bytes, from: position) else { throw error("invalid number") }
        defer { position = end }
        return .number(String(decoding: bytes[position..<end], as: UTF8.self))
    }

    /// Where the number that starts at `start` ends, by RFC 8259's grammar (a leading zero stands alone), or
    /// nil when no number starts there. Also ``CompactJSONObject``'s, which must read numbers exactly so.
    static func endOfNumber<Bytes: RandomAccessCollection<UInt8>>(in bytes: Bytes, from start: Int) -> Int? where Bytes.Index == Int {
        var index = start
        func byte(at index: Int) -> UInt8? { index < bytes.endIndex ? bytes[index] : nil }
        func isDigit(at index: Int) -> Bool { byte(at: index).map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? false }
        if byte(at: index) == UInt8(ascii: "-") { index += 1 }
        guard isDigit(at: index) else { return nil }
        index += 1
        if bytes[index - 1] != UInt8(ascii: "0") {
            while isDigit(at: index) { index += 1 }
        }
        if byte(at: index) == UInt8(ascii: ".") {
            index += 1
            guard isDigit(at: index) else { return nil }
            while isDigit(at: index) { index += 1 }
        }
        if byte(at: index) == UInt8(ascii: "e") || byte(at: index) == UInt8(ascii: "E") {
            index += 1
            if byte(at: index) == UInt8(ascii: "+") || byte(at: index) == UInt8(ascii: "-") { index += 1 }
            guard isDigit(at: index) else { return nil }
            while isDigit(at: index) { index += 1 }
        }
        return index
    }

    private mutating func readString() throws(JSONSyntaxError) -> String {
        position += 1
        var scalars = String.UnicodeScalarView()
        var runStart = position
        while true {
            guard let byte = current else { throw error("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                let run = try validatedUTF8(bytes[runStart..<position])
                position += 1
                // Most strings have no escape: then the run is the whole string, with no copy through scalars.
                if scalars.isEmpty { return run }
                scalars.append(contentsOf: run.unicodeScalars)
                return String(scalars)
            case UInt8(ascii: "\\"):
                scalars.append(contentsOf: try validatedUTF8(bytes[runStart..<position]).unicodeScalars)
                position += 1
                scalars.append(try readEscape())
                runStart = position
            case 0x00..<0x20:
                throw error("control character in string")
            default:
                position += 1
            }
        }
    }

    private func validatedUTF8(_ run: ArraySlice<UInt8>) throws(JSONSyntaxError) -> String {
        guard let text = String(validating: run, as: UTF8.self) else { throw error("invalid UTF-8 in string") }
        return text
    }

    private mutating func readEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
        guard let byte = current else { throw error("unterminated escape") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try readHexQuad()
            switch unit {
            case 0xD800..<0xDC00:
                guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                    throw error("unpaired surrogate")
                }
                position += 2
                let low = try readHexQuad()
                guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
                let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                guard let scalar = Unicode.Scalar(value) else { throw error("invalid escape") }
                return scalar
            case 0xDC00..<0xE000:
                throw error("unpaired surrogate")
            default:
                guard let scalar = Unicode.Scalar(unit) else { throw error("invalid escape") }
                return scalar
            }
        default:
            throw error("invalid escape")
        }
    }

    private mutating func readHexQuad() throws(JSONSyntaxError) -> UInt16 {
        guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }
}

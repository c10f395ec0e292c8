/// Recognises, without building a value, the text ``JSONValue/compactText`` writes for an object: what the
/// store keeps as a user's `app_metadata` and what our tokens carry. Every `/users/me` reads that column and
/// every verification reads that claim; parsing it into a ``JSONValue`` and writing it again to compare cost
/// about 5 µs each of a 100 µs `/users/me` with 200 bytes of it (perf, `bench/run.py`), so that 4 roles and
/// 200 bytes of metadata made the request 25% slower; recognising it is a single pass over the bytes.
///
/// Sound, and complete but for escapes: true only if ``StrictJSONReader`` accepts the bytes as an object
/// within `maximumDepth` and its ``JSONValue/compactText`` is those very bytes; and true for every such text
/// whose strings need no escape (`CompactJSONObjectTests` checks both against the two on generated input).
/// A string with an escape, or a key with a byte beyond ASCII, is false, and callers read it the slow way.
/// So: no whitespace, every object's keys are ASCII and rise strictly in byte order (no duplicates), strings
/// hold no escape and no control character and are valid UTF-8, and numbers are as JSON writes them. Keys
/// are ASCII because the strict reader keeps members in a Swift dictionary, whose keys compare by Unicode
/// canonical equivalence: `"e\u{301}"` and `"é"` differ in bytes, and rise in order with another key between
/// them, yet are one key, a duplicate it refuses (found by review: an outside attacker's read of issue 23).
package enum CompactJSONObject {
    private struct Container {
        let isObject: Bool
        /// The previous key of an object, to check that the next one sorts after it.
        var lastKey: Range<Int>
    }

    package static func recognises(_ bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) -> Bool {
        var scanner = Scanner(bytes: bytes)
        return scanner.scanObjectDocument(maximumDepth: maximumDepth)
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func scanObjectDocument(maximumDepth: Int) -> Bool {
            guard current == UInt8(ascii: "{") else { return false }
            var open: [Container] = []
            var expectingValue = true
            while true {
                if expectingValue {
                    guard let byte = current else { return false }
                    switch byte {
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        // As the strict reader counts: each container one level, checked before its contents.
                        guard open.count < maximumDepth else { return false }
                        index += 1
                        let closing = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                        if current == closing {
                            index += 1
                            expectingValue = false
                        } else if byte == UInt8(ascii: "{") {
                            guard let key = scanKey(), consume(UInt8(ascii: ":")) else { return false }
                            open.append(Container(isObject: true, lastKey: key))
                        } else {
                            open.append(Container(isObject: false, lastKey: 0..<0))
                        }
                    case UInt8(ascii: "\""):
                        guard scanString() != nil else { return false }
                        expectingValue = false
                    case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                        let literal: StaticString = byte == UInt8(ascii: "t") ? "true" : byte == UInt8(ascii: "f") ? "false" : "null"
                        guard scanLiteral(literal) else { return false }
                        expectingValue = false
                    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                        guard scanNumber() else { return false }
                        expectingValue = false
                    default: return false
                    }
                    continue
                }
                // After a value: the end of the document, or a separator or closer of the innermost container.
                guard let container = open.last else { return index == bytes.count }
                guard let byte = current else { return false }
                index += 1
                switch (container.isObject, byte) {
                case (true, UInt8(ascii: ",")):
                    guard let key = scanKey(), consume(UInt8(ascii: ":")),
                        bytes[container.lastKey].lexicographicallyPrecedes(bytes[key])
                    else { return false }
                    open[open.count - 1].lastKey = key
                    expectingValue = true
                case (false, UInt8(ascii: ",")):
                    expectingValue = true
                case (true, UInt8(ascii: "}")), (false, UInt8(ascii: "]")):
                    open.removeLast()
                default: return false
                }
            }
        }

        private mutating func consume(_ byte: UInt8) -> Bool {
            guard current == byte else { return false }
            index += 1
            return true
        }

        /// A key: a string (as ``scanString()``) of ASCII alone, whose bytes equal only themselves.
        private mutating func scanKey() -> Range<Int>? {
            guard let key = scanString(), bytes[key].allSatisfy({ $0 < 0x80 }) else { return nil }
            return key
        }

        /// A string without escapes or control characters, valid UTF-8: its contents' range.
        private mutating func scanString() -> Range<Int>? {
            guard consume(UInt8(ascii: "\"")) else { return nil }
            let start = index
            var ascii = true
            while let byte = current {
                if byte == UInt8(ascii: "\"") {
                    let contents = start..<index
                    index += 1
                    guard ascii || String(validating: UnsafeBufferPointer(rebasing: bytes[contents]), as: UTF8.self) != nil else { return nil }
                    return contents
                }
                guard byte >= 0x20, byte != UInt8(ascii: "\\") else { return nil }
                if byte >= 0x80 { ascii = false }
                index += 1
            }
            return nil
        }

        private mutating func scanLiteral(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] { return false }
            index += count
            return true
        }

        private mutating func scanNumber() -> Bool {
            guard let end = StrictJSONReader.endOfNumber(in: bytes, from: index) else { return false }
            index = end
            return true
        }
    }
}

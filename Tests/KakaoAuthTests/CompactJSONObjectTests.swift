import Testing

@testable import KakaoAuthTokens

/// `CompactJSONObject` against what it stands in for, the strict reader and `compactText`: on generated
/// objects (written compact, and mutated), it must never recognise a text the two would not give back as
/// it is, and must recognise every one they do whose strings need no escape.
@Suite struct CompactJSONObjectTests {
    static let depth = 6

    /// What the slow way says: an object the strict reader accepts, whose compact text is these very bytes.
    static func isCompactObject(_ bytes: [UInt8], maximumDepth: Int = depth) -> Bool {
        guard case .object(let members)? = try? StrictJSONReader.parse(bytes, maximumDepth: maximumDepth) else { return false }
        return Array(JSONValue.object(members).compactText.utf8) == bytes
    }

    static func recognises(_ bytes: [UInt8], maximumDepth: Int = depth) -> Bool {
        bytes.withUnsafeBufferPointer { CompactJSONObject.recognises($0, maximumDepth: maximumDepth) }
    }

    static let keys = ["a", "b", "ab", "B", "", "plan", "이름", "é", "\u{7F}", "😀", "a\"b", "tab\t", "z"]
    static let strings = ["", "pro", "김카카오", "line\nbreak", "back\\slash", "\u{01}", "~!@#$%^&*()", "é😀"]
    static let numbers = ["0", "-0", "1", "-12", "1.5", "0.25e-3", "1E+9", "123456789012345678901234567890"]

    static func value(_ random: inout SeededRandom, depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 1 ? 8 : 6), using: &random) {
        case 0: return .string(random.pick(strings))
        case 1: return .number(random.pick(numbers))
        case 2: return .bool(random.chance(0.5))
        case 3: return .null
        case 4, 5: return .string(random.pick(strings.prefix(3) + ["team"]))
        case 6: return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in value(&random, depth: depth - 1) })
        default: return object(&random, depth: depth - 1)
        }
    }

    static func object(_ random: inout SeededRandom, depth: Int) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0...4, using: &random) { members[random.pick(keys)] = value(&random, depth: depth) }
        return .object(members)
    }

    /// Whitespace, a reordering, a repeated member, another byte, a cut: each usually makes it not compact.
    static func mutated(_ text: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var bytes = text
        guard !bytes.isEmpty else { return bytes }
        let index = Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<6, using: &random) {
        case 0: bytes.insert(random.pick(Array(" \n\t".utf8)), at: index)
        case 1: bytes[index] = random.pick(Array("{}[]\":,\\-0e.+ a\u{7F}".utf8) + [0x00, 0x80, 0xC3, 0xFF])
        case 2: bytes.remove(at: index)
        case 3: bytes.insert(bytes[index], at: index)
        case 4: bytes.removeSubrange(index...)
        default:
            // A key renamed to one that sorts last: usually out of order now.
            bytes = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"a\":", with: "\"~\":").utf8)
        }
        return bytes
    }

    /// What the recogniser promises to recognise: no escape anywhere, and keys of ASCII alone.
    static func needsNoEscape(_ bytes: [UInt8]) -> Bool {
        func keysAreASCII(_ value: JSONValue) -> Bool {
            switch value {
            case .object(let members): members.allSatisfy { $0.key.utf8.allSatisfy { $0 < 0x80 } && keysAreASCII($0.value) }
            case .array(let values): values.allSatisfy(keysAreASCII)
            default: true
            }
        }
        guard !bytes.contains(UInt8(ascii: "\\")) else { return false }
        return (try? StrictJSONReader.parse(bytes, maximumDepth: 1_000)).map(keysAreASCII) ?? true
    }

    func check(seed: UInt64, cases: Int) {
        var random = SeededRandom(seed: seed)
        var recognised = 0
        for index in 0..<cases {
            let compact = Array(Self.object(&random, depth: Self.depth).compactText.utf8)
            let text = random.chance(0.5) ? Self.mutated(compact, &random) : compact
            let expected = Self.isCompactObject(text)
            let answer = Self.recognises(text)
            if answer { recognised += 1 }
            let shown = String(decoding: text, as: UTF8.self).debugDescription
            #expect(!answer || expected, "seed \(seed), case \(index): recognised, but not compact: \(shown)")
            #expect(answer || !expected || !Self.needsNoEscape(text), "seed \(seed), case \(index): compact, but not recognised: \(shown)")
        }
        #expect(recognised > cases / 5, "seed \(seed): only \(recognised) of \(cases) recognised; the generator proves little")
    }

    @Test func agreesWithTheStrictReaderOnGeneratedObjects() {
        check(seed: 0x636F_6D70_6163_74, cases: 30_000)
    }

    /// Another seed every run; the seed is in the failure message.
    @Test func agreesWithTheStrictReaderOnARandomSeed() {
        check(seed: UInt64.random(in: 0...UInt64.max), cases: 10_000)
    }

    @Test func countsNestingAsTheStrictReaderDoes() {
        for depth in 1...4 {
            for levels in 1...5 {
                let text = Array((String(repeating: "{\"a\":", count: levels - 1) + "{}" + String(repeating: "}", count: levels - 1)).utf8)
                #expect(Self.recognises(text, maximumDepth: depth) == (levels <= depth), "\(levels) levels within \(depth)")
                #expect(Self.recognises(text, maximumDepth: depth) == Self.isCompactObject(text, maximumDepth: depth))
                let array = Array(("{\"a\":" + String(repeating: "[", count: levels - 1) + String(repeating: "]", count: levels - 1) + "}").utf8)
                #expect(Self.recognises(array, maximumDepth: depth) == Self.isCompactObject(array, maximumDepth: depth), "\(levels) in \(depth)")
            }
        }
    }

    @Test func refusesWhatIsNotAnObjectOrNotCompact() {
        for text in [
            "[]", "\"x\"", "1", "", "{", "{}}", "{} ", " {}", "{\"b\":1,\"a\":2}", "{\"a\":1,\"a\":1}", "{\"a\":01}", "{\"a\":1.}",
            "{\"a\":tru}", "{\"a\":\"\u{01}\"}", "{\"a\":[1,]}", "{\"a\":1,}", "{\"a\" :1}",
        ] {
            #expect(!Self.recognises(Array(text.utf8)), "\(text.debugDescription)")
            #expect(!Self.isCompactObject(Array(text.utf8)), "\(text.debugDescription)")
        }
        #expect(!Self.recognises([UInt8(ascii: "{"), 0x22, 0xC3, 0x22, 0x3A, 0x31, UInt8(ascii: "}")]), "invalid UTF-8 in a key")
        // Canonically equivalent keys, in rising byte order: one key to the strict reader, so a duplicate.
        for text in ["{\"e\u{301}\":1,\"f\":2,\"\u{E9}\":3}", "{\"\u{C5}\":1,\"\u{212B}\":2}"] {
            #expect(!Self.recognises(Array(text.utf8)), "\(text.debugDescription)")
            #expect(!Self.isCompactObject(Array(text.utf8)), "\(text.debugDescription)")
        }
        #expect(!Self.recognises(Array("{\"이름\":1}".utf8)), "a key beyond ASCII takes the strict reader")
        #expect(Self.recognises(Array("{\"a\":{\"b\":[1,-2.5e3,true,false,null,\"이름\"]},\"b\":{}}".utf8)))
    }
}

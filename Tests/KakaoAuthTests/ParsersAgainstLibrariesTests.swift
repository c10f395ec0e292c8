import Foundation
import Hummingbird
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// Each parser we wrote by hand (for speed, or for strictness), against the library it stands in for, on
/// generated input: where the library accepts what ours must accept, both read the same thing. The seed is
/// printed in each failure, so a case can be made again.
@Suite struct ParsersAgainstLibrariesTests {
    static let seeds: [UInt64] = [1, 2, 3, 20_261_202]

    /// A mix of the text clients send: ASCII, reserved and control characters, Hangul, combining marks, emoji.
    static func text(_ random: inout SeededRandom, maximumLength: Int = 12) -> String {
        let pieces = [
            "a", "Z", "0", " ", "+", "%", "&", "=", ";", ",", "\"", "/", "?", "#", "~", ".", "-", "_", "\t", "\u{7F}",
            "카", "카카오", "e\u{0301}", "\u{0600}", "\u{212A}", "🙂", "👩‍👩‍👧", "\u{FEFF}",
        ]
        return (0..<Int.random(in: 0...maximumLength, using: &random)).map { _ in random.pick(pieces) }.joined()
    }

    @Test(arguments: seeds)
    func base64URLMatchesFoundationsBase64(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 0...70, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let ours = Base64URL.encode(bytes)
            let foundation = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(ours == foundation, "seed \(seed): \(bytes)")
            #expect(Base64URL.decode(ours) == bytes, "seed \(seed)")
        }
        // Arbitrary text: whatever ours decodes, Foundation decodes to the same bytes. (Ours refuses more:
        // padding, `+/`, and unused bits that are not zero, which Foundation ignores.)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.")
        for _ in 0..<2_000 {
            let text = String((0..<Int.random(in: 0...12, using: &random)).map { _ in random.pick(alphabet) })
            guard let decoded = Base64URL.decode(text) else { continue }
            let standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            let padded = standard + String(repeating: "=", count: (4 - standard.count % 4) % 4)
            #expect(Data(base64Encoded: padded).map(Array.init) == decoded, "seed \(seed): \(text)")
        }
    }

    @Test(arguments: seeds)
    func formDecodingMatchesURLComponents(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        for _ in 0..<300 {
            var fields: [(String, String)] = []
            var names: Set<String> = []
            for _ in 0..<Int.random(in: 0...5, using: &random) {
                let name = Self.text(&random, maximumLength: 6)
                guard !name.isEmpty, names.insert(name).inserted else { continue }
                fields.append((name, Self.text(&random)))
            }
            let form = URLEncodedForm.encode(fields)
            let ours = try #require(URLEncodedForm.decode(form), "seed \(seed): \(form)")
            // URLComponents reads `+` as a plus; ours encodes a space as %20 and a plus as %2B, so both agree.
            // The one documented difference: Foundation drops a U+FEFF that begins a decoded name or value,
            // ours keeps every byte (the exact fields, checked below).
            let items = URLComponents(string: "http://x/?" + form)?.queryItems ?? []
            let library = Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
            func withoutLeadingBOM(_ text: String) -> String { text.hasPrefix("\u{FEFF}") ? String(text.unicodeScalars.dropFirst()) : text }
            let namesAsFoundationReads = Set(ours.keys.map(withoutLeadingBOM))
            if namesAsFoundationReads.count == ours.count {
                let oursAsFoundationReads = Dictionary(uniqueKeysWithValues: ours.map { (withoutLeadingBOM($0.key), withoutLeadingBOM($0.value)) })
                #expect(oursAsFoundationReads == library, "seed \(seed): \(form)")
            }
            #expect(ours == Dictionary(fields, uniquingKeysWith: { first, _ in first }), "seed \(seed)")
        }
    }

    /// A JSON value of strings, integers, booleans, nulls, arrays and objects, at most `depth` deep.
    static func json(_ random: inout SeededRandom, depth: Int) -> Any {
        switch Int.random(in: 0...(depth > 0 ? 6 : 3), using: &random) {
        case 0: return text(&random)
        case 1: return Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &random)
        case 2: return random.chance(0.5)
        case 3: return NSNull()
        case 4, 5: return (0..<Int.random(in: 0...4, using: &random)).map { _ in json(&random, depth: depth - 1) }
        default:
            var object: [String: Any] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &random) { object[text(&random, maximumLength: 5)] = json(&random, depth: depth - 1) }
            return object
        }
    }

    /// A generated value as our reader's value, to compare.
    static func value(_ any: Any) -> JSONValue {
        switch any {
        case let text as String: .string(text)
        case let flag as Bool: .bool(flag)
        case let number as Int64: .number(String(number))
        case let array as [Any]: .array(array.map(value))
        case let object as [String: Any]: .object(object.mapValues(value))
        default: .null
        }
    }

    @Test(arguments: seeds)
    func jsonReadingReadsWhatJSONSerializationWrites(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        for _ in 0..<300 {
            let document: Any = random.chance(0.5) ? Self.json(&random, depth: 4) : [Self.json(&random, depth: 4)]
            guard JSONSerialization.isValidJSONObject(document) else { continue }
            let data = try JSONSerialization.data(withJSONObject: document, options: [.fragmentsAllowed])
            // What JSONSerialization wrote (its escapes, its number text), ours reads back as generated.
            #expect(try StrictJSONReader.parse(Array(data)) == Self.value(document), "seed \(seed): \(String(decoding: data, as: UTF8.self))")
        }
    }

    /// On the headers browsers send (names of token characters, values without `;` or quotes), our byte
    /// reader finds the cookies Hummingbird's finds. Documented differences: Hummingbird's drops a cookie with
    /// an empty value and cuts a value that begins with `=`, ours keeps both as sent (so values here are
    /// non-empty and hold no `=`); and on hostile headers they differ by design: ours sees every copy of a
    /// name and splits only on bytes (see DuplicateCookieGuardTests).
    @Test(arguments: seeds)
    func cookieReadingMatchesHummingbirdsOnBenignHeaders(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let nameCharacters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
        let valueCharacters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.~+/")
        for _ in 0..<500 {
            var pairs: [(String, String)] = []
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let name = String((0..<Int.random(in: 1...10, using: &random)).map { _ in random.pick(nameCharacters) })
                guard !pairs.contains(where: { $0.0 == name }) else { continue }
                pairs.append((name, String((0..<Int.random(in: 1...20, using: &random)).map { _ in random.pick(valueCharacters) })))
            }
            let header = pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "; ")
            let request = Request(
                head: HTTPRequest(method: .get, scheme: "https", authority: "x", path: "/", headerFields: [.cookie: header]),
                body: .init(buffer: ByteBuffer()))
            let ours = CookieHeader(request.headers[values: .cookie])
            for (name, value) in pairs {
                #expect(ours.value(of: name) == value, "seed \(seed): \(header)")
                #expect(request.cookies[name]?.value == value, "seed \(seed): \(header)")
            }
        }
    }
}

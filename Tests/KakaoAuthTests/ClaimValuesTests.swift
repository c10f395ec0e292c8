import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// The fast claims reader (`ClaimValues.parseFlat`) against the strict JSON reader it stands in for: on
/// generated and mutated payloads, whenever the fast path answers, it must answer what the strict reader's
/// path would have. A disagreement is a token one path accepts and the other refuses, or reads differently.
@Suite struct ClaimValuesTests {
    /// The decision verification takes from a payload: the claims when every member is one of ours with the
    /// right type, nil when the payload is refused.
    static func verdict(_ values: ClaimValues?) -> ClaimValues? {
        values.flatMap { $0.wellTyped ? $0 : nil }
    }

    static func strictVerdict(_ payload: [UInt8]) -> ClaimValues? {
        verdict((try? StrictJSONReader.parse(payload, maximumDepth: 1 + AuthorizationClaims.maximumMetadataDepth)).map(ClaimValues.init(json:)))
    }

    static func fastValues(_ payload: [UInt8]) -> ClaimValues? {
        payload.withUnsafeBufferPointer { ClaimValues.parseFlat($0) }
    }

    static let claims = ["iss", "aud", "sub", "jti", "sid", "iat", "exp", "nbf", "roles", "app_metadata"]
    static let otherNames = ["typ", "is", "isss", "ISS", "i\\u0073s", "\\u0069at", "", "iss", "exp", "role", "rolesx", "app_metadatA", "roles"]

    /// Roles as we write them (none, one, the most there can be), and now and then what only the strict reader
    /// may read or both must refuse: unicode, escapes, other types, nesting.
    static let roleValues = [
        "[]", "[\"admin\"]", "[\"a\",\"b:c\",\"d.e-f_g\"]",
        "[" + (0..<16).map { "\"" + String(repeating: "r", count: 30) + String($0 / 10) + String($0 % 10) + "\"" }.joined(separator: ",") + "]",
    ]
    static let oddRoleValues = [
        "[ ]", "[\"a\" , \"b\"]", "[\"관리자\"]", "[\"a\\u0062\"]", "[1]", "[[\"a\"]]", "[\"a\",]", "[,]", "[\"a\"", "\"admin\"", "{}", "null",
    ]

    /// App metadata as operators set it (empty, nested, unicode, the largest there can be), and what it must not be.
    static let metadataValues = [
        "{}", "{\"plan\":\"pro\"}", "{\"a\":{\"b\":[1,{\"c\":null}],\"d\":true}}", "{\"이름\":\"김카카오\",\"emoji\":\"😀\"}",
        "{\"n\":-1.5e3,\"big\":123456789012345678901234567890}", "{\"a\":\"\\n\\u0041\\\"\"}",
        "{\"pad\":\"" + String(repeating: "x", count: 1016) + "\"}",
        String(repeating: "{\"a\":", count: 100) + "1" + String(repeating: "}", count: 100),
    ]
    static let oddMetadataValues = [
        "{ \"a\" : 1 }", "{\"a\":1,\"a\":2}", "[1]", "\"x\"", "1", "{\"a\":}", "{\"a\":1",
    ]

    /// Mostly values as we write them (plain strings, times, roles, metadata); one in ten of the kinds the fast
    /// path must leave to the strict reader, or that both must refuse.
    static func value(of name: String, _ random: inout SeededRandom) -> String {
        if name == "roles" { return random.pick(random.chance(0.9) ? roleValues : oddRoleValues) }
        if name == "app_metadata" { return random.pick(random.chance(0.9) ? metadataValues : oddMetadataValues) }
        guard random.chance(0.1) else {
            return random.chance(0.5)
                ? "\"" + random.pick(["kakao-auth", "user-1", "01JXYZ", "s", "", "a b", "~!@#$%^&*()", String(repeating: "a", count: 300)]) + "\""
                : String(Int64.random(in: 0...2_000_000_000, using: &random))
        }
        return random.pick([
            "\"\\\"\"", "\"\\\\\"", "\"\\n\"", "\"\\u0041\"", "\"\\ud83d\\ude00\"", "\"é\"", "\"\u{7F}\"", "\"\\x\"", "\"\\u12\"",
            "0", "-0", "-1", "00", "01", "-", "1.0", "1e3", "1E3", "1.5e-2", "-9",
            "999999999999999999", "1000000000000000000", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
            "true", "false", "null", "[]", "{}", "[1]", "{\"a\":1}", "[[1]]", "{\"a\":{\"b\":1}}",
        ])
    }

    static func whitespace(_ random: inout SeededRandom) -> String {
        random.chance(0.95) ? "" : random.pick([" ", "\n", "\t", "\r", "  ", "\u{0B}", "\u{A0}"])
    }

    /// A flat object like the ones we sign, with names, values and spacing drawn at random.
    static func payload(_ random: inout SeededRandom) -> [UInt8] {
        // Mostly distinct claim names, as we write them; now and then another name or a repeated one.
        var names = claims.shuffled(using: &random).prefix(Int.random(in: 0...claims.count, using: &random))
            .map { random.chance(0.95) ? $0 : random.pick(otherNames) }
        // Mostly last, where we write it and the fast path reads it.
        if let metadata = names.firstIndex(of: "app_metadata"), random.chance(0.8) { names.append(names.remove(at: metadata)) }
        let members = names.map { name in
            whitespace(&random) + "\"" + name + "\"" + whitespace(&random) + ":" + whitespace(&random) + value(of: name, &random)
                + whitespace(&random)
        }
        return Array((whitespace(&random) + "{" + members.joined(separator: ",") + "}" + whitespace(&random)).utf8)
    }

    /// Bytes flipped, dropped, repeated or replaced with JSON's structural characters.
    static func mutated(_ payload: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var bytes = payload
        for _ in 0..<Int.random(in: 1...3, using: &random) where !bytes.isEmpty {
            let index = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.remove(at: index)
            case 2: bytes.insert(bytes[index], at: index)
            case 3: bytes[index] = random.pick(Array("{}[]\":,\\-0e. ".utf8))
            default: bytes.removeSubrange(index...)
            }
        }
        return bytes
    }

    func checkAgreement(seed: UInt64, cases: Int) {
        var random = SeededRandom(seed: seed)
        var fastAnswered = 0
        for index in 0..<cases {
            let original = Self.payload(&random)
            let payload = random.chance(0.5) ? Self.mutated(original, &random) : original
            guard let fast = Self.fastValues(payload) else { continue }
            fastAnswered += 1
            let strict = Self.strictVerdict(payload)
            #expect(Self.verdict(fast) == strict, "seed \(seed), case \(index): \(String(decoding: payload, as: UTF8.self).debugDescription)")
        }
        // The generator must exercise the fast path, or the comparison proves nothing.
        #expect(fastAnswered > cases / 5, "seed \(seed): the fast path answered only \(fastAnswered) of \(cases)")
    }

    @Test func fastAndStrictReadersAgreeOnGeneratedPayloads() {
        checkAgreement(seed: 0x6B61_6B61_6F, cases: 30_000)
    }

    /// Another seed every run; the seed is in the failure message.
    @Test func fastAndStrictReadersAgreeOnARandomSeed() {
        checkAgreement(seed: UInt64.random(in: 0...UInt64.max), cases: 10_000)
    }

    @Test func theFastPathHandsEverythingElseToTheStrictReader() {
        for text in [
            "{\"sub\":\"a\\u0062\"}", "{\"sub\":\"é\"}", "{\"iat\":1.0}", "{\"iat\":9223372036854775807}", "{\"sub\":\"a\",\"sub\":\"b\"}", "{}",
            "{\"a\":{}}", "{\"roles\":[\"é\"]}", "{\"app_metadata\":{},\"sub\":\"a\"}",
        ] {
            #expect(Self.fastValues(Array(text.utf8)) == nil, "\(text)")
        }
        #expect(Self.strictVerdict(Array("{\"sub\":\"a\\u0062\"}".utf8))?.subject == "ab")
        #expect(Self.strictVerdict(Array("{\"sub\":\"a\",\"sub\":\"b\"}".utf8)) == nil)
    }

    @Test func theFastPathReadsRolesAndMetadataAsWeWriteThem() throws {
        let payload = Array(#"{"sub":"u","roles":["a","b:c"],"app_metadata":{"z":1,"a":{"b":[true,null]}}}"#.utf8)
        let fast = try #require(Self.fastValues(payload))
        #expect(fast.roles == ["a", "b:c"] && fast.wellTyped)
        // Compact, members in byte order: the same text whichever path read it.
        #expect(fast.appMetadata == #"{"a":{"b":[true,null]},"z":1}"#)
        #expect(Self.strictVerdict(payload) == fast)
    }
}

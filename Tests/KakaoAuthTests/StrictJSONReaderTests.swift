import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

@Suite struct StrictJSONReaderTests {
    func parse(_ text: String) -> JSONValue? { try? StrictJSONReader.parse(Array(text.utf8)) }

    @Test func readsDocumentsAndKeepsIntegerText() throws {
        let value = parse(#"{"a":[1,-2.5e3,true,false,null],"b":"x\"\\\/\u00e9\ud83d\ude00","id":9223372036854775807}"#)
        #expect(value?["a"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]))
        #expect(value?["b"] == .string("x\"\\/é😀"))
        #expect(value?["id"]?.integerValue == Int64.max)
    }

    @Test func readsStringsWithAndWithoutEscapes() {
        #expect(parse(#""plain ü""#) == .string("plain ü"))
        #expect(parse(#""""#) == .string(""))
        #expect(parse(#""\n""#) == .string("\n"))
        #expect(parse(#""a\tb\u0041c""#) == .string("a\tbAc"))
    }

    @Test func integerValueAcceptsOnlyPlainIntegersThatFit() {
        #expect(JSONValue.number("9007199254740993").integerValue == 9_007_199_254_740_993)
        #expect(JSONValue.number("1.0").integerValue == nil)
        #expect(JSONValue.number("1e3").integerValue == nil)
        #expect(JSONValue.number("9223372036854775808").integerValue == nil)
        #expect(JSONValue.string("12").integerValue == nil)
    }

    @Test(arguments: [
        "", " ", "{", "{\"a\":1,}", "[1,]", "{\"a\":1,\"a\":2}", "01", "1.", ".5", "+1", "1e", "NaN", "tru",
        "\"\u{01}\"", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "{a:1}", "'a'", "[1] [2]", "{\"a\":1}x",
    ])
    func refusesWhatRFC8259OrOurStrictnessForbids(text: String) {
        #expect(parse(text) == nil)
    }

    @Test func refusesInvalidUTF8AndExcessiveDepth() {
        #expect((try? StrictJSONReader.parse([0x22, 0xFF, 0x22])) == nil)
        #expect((try? StrictJSONReader.parse([0x22, 0x5C, 0x6E, 0xFF, 0x22])) == nil, "after an escape")
        #expect(parse(String(repeating: "[", count: 32) + String(repeating: "]", count: 32)) != nil)
        #expect(parse(String(repeating: "[", count: 33) + String(repeating: "]", count: 33)) == nil)
        #expect(parse(String(repeating: "[", count: 100_000)) == nil)
    }
}

@Suite struct Base64URLTests {
    @Test func roundTripsEveryLength() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(($0 * 37 + 11) & 0xFF) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.decode(text) == bytes)
        }
    }

    @Test func decodesStrictly() {
        #expect(Base64URL.decode("Zm9v") == Array("foo".utf8))
        #expect(Base64URL.decode("Zm8") == Array("fo".utf8))
        #expect(Base64URL.decode("Zm9=") == nil)
        #expect(Base64URL.decode("Zm8=") == nil)
        #expect(Base64URL.decode("Z") == nil)
        #expect(Base64URL.decode("Zm9") == nil, "non-zero trailing bits")
        #expect(Base64URL.decode("+/8") == nil)
        #expect(Base64URL.decode("Zm 9v") == nil)
    }
}

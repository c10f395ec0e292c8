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

    /// Cases in the manner of JSONTestSuite (github.com/nst/JSONTestSuite), written here, named as it names
    /// them: `y_` a parser must accept, `n_` it must refuse. (Its `i_` cases, where RFC 8259 leaves the choice,
    /// are the strictness tests below: lone surrogates and duplicate names are refused.)
    static let mustAccept: [(String, String)] = [
        ("y_array_empty", "[]"), ("y_object_empty", "{}"), ("y_array_with_several_null", "[1,null,null,null,2]"),
        ("y_array_whitespace", " [ 1 , 2 ] "), ("y_number_negative_zero", "[-0]"), ("y_number_real_capital_e_pos_exp", "[1E+2]"),
        ("y_number_real_neg_exp", "[1e-2]"), ("y_number_real_fraction_exponent", "[123.456e78]"), ("y_number_simple_real", "[123.456789]"),
        ("y_number_int_with_exp", "[20e1]"), ("y_object_duplicated_value", #"{"a":"b","c":"b"}"#), ("y_object_nested", #"{"a":{"b":{"c":[]}}}"#),
        ("y_string_escaped_control", #"["\u0012"]"#), ("y_string_allowed_escapes", #"["\"\\\/\b\f\n\r\t"]"#),
        ("y_string_surrogates_U+1D11E", #"["\uD834\uDD1E"]"#), ("y_string_utf8", "[\"€𝄞\"]"), ("y_string_null_escape", #"["\u0000"]"#),
        ("y_string_unicode_escaped_double_quote", #"["\u0022"]"#), ("y_string_space", #"" ""#), ("y_structure_lonely_true", "true"),
        ("y_structure_lonely_int", "42"), ("y_structure_lonely_null", "null"), ("y_structure_trailing_newline", "[\"a\"]\n"),
        ("y_string_comments", #"["a/*b*/c/*d//e"]"#), ("y_object_empty_key", #"{"":0}"#),
    ]
    static let mustRefuse: [(String, String)] = [
        ("n_array_extra_comma", "[\"\",]"), ("n_array_comma_and_number", "[,1]"), ("n_array_double_comma", "[1,,2]"),
        ("n_array_unclosed", "[1"), ("n_array_extra_close", "[1]]"), ("n_number_leading_zero", "[012]"), ("n_number_hex", "[0x1]"),
        ("n_number_infinity", "[Infinity]"), ("n_number_minus_space", "[- 1]"), ("n_number_neg_no_digits", "[-]"),
        ("n_number_exp_no_digits", "[1e+]"), ("n_number_real_without_fractional_part", "[1.]"), ("n_number_starting_with_dot", "[.123]"),
        ("n_object_unquoted_key", "{a: 1}"), ("n_object_missing_colon", #"{"a" 1}"#), ("n_object_single_quote", "{'a':0}"),
        ("n_object_trailing_comma", #"{"id":0,}"#), ("n_object_non_string_key", "{1:1}"), ("n_string_single_quote", "['single']"),
        ("n_string_escape_x", #"["\x00"]"#), ("n_string_invalid_unicode_escape", #"["\uqqqq"]"#), ("n_string_unescaped_tab", "[\"\t\"]"),
        ("n_string_unescaped_newline", "[\"a\nb\"]"), ("n_structure_unclosed_object", #"{"a":1"#), ("n_structure_trailing_garbage", "[1]x"),
        ("n_structure_capitalized_True", "[True]"), ("n_incomplete_null", "[nul]"), ("n_structure_comment", "[1]//c"),
    ]

    @Test(arguments: mustAccept)
    func acceptsWhatAParserMustAccept(name: String, text: String) {
        #expect(parse(text) != nil, "\(name)")
    }

    @Test(arguments: mustRefuse)
    func refusesWhatAParserMustRefuse(name: String, text: String) {
        #expect(parse(text) == nil, "\(name)")
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

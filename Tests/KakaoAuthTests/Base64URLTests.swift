import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

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

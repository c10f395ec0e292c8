import Testing

@testable import KakaoAuthTokens

/// The one reader of `Authorization: Bearer`, shared by the service and the verifier kit: bytes, not
/// Characters (a combining mark joins the space before it into one Character).
@Suite struct BearerTokenTests {
    @Test(arguments: [
        ("Bearer abc.def", "abc.def"), ("bearer abc", "abc"), ("BEARER  abc", "abc"), ("Bearer \u{0301}abc", "\u{0301}abc"),
    ])
    func theTokenIsWhatFollowsTheSchemeAndItsSpaces(header: String, token: String) {
        #expect(BearerToken.parse(header) == token)
    }

    @Test(arguments: [
        "Bearer", "Bearer ", "Bearer   ", "Basic abc", "Bearerabc", " Bearer abc", "Bearer\u{00A0}abc", "B\u{0301}earer abc", "Beare\u{0280} abc", "",
    ])
    func anythingElseCarriesNoToken(header: String) {
        #expect(BearerToken.parse(header) == nil)
    }
}

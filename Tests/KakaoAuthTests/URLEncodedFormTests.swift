import Foundation
import Testing

@testable import KakaoAuth

@Suite struct URLEncodedFormTests {
    @Test func escapesAllButUnreservedAndRoundTrips() {
        let fields = [("token", "a.b_c-d~e"), ("redirect_uri", "https://app.example/cb?x=1&y=2"), ("닉네임", "카카오 친구+1%")]
        let encoded = URLEncodedForm.encode(fields)
        #expect(encoded.hasPrefix("token=a.b_c-d~e&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1%26y%3D2&"))
        // The same escaping as Foundation's, which Kakao and browsers accept.
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        #expect(URLEncodedForm.escape("카카오 친구+1%") == "카카오 친구+1%".addingPercentEncoding(withAllowedCharacters: unreserved))
        #expect(URLEncodedForm.decode(encoded) == Dictionary(uniqueKeysWithValues: fields))
    }

    @Test func decodesPlusAsSpaceEitherHexCaseAndBareNames() {
        #expect(URLEncodedForm.decode("a=x+y%2b%2B&b&c=&&d=%e2%82%AC") == ["a": "x y++", "b": "", "c": "", "d": "€"])
        #expect(URLEncodedForm.decode("") == [:])
        #expect(URLEncodedForm.decode("a=1=2") == ["a": "1=2"])
    }

    @Test(arguments: ["a=%", "a=%4", "a=%zz", "a=%4g", "%=1", "a=%ff", "a=%c3%28", "a=1&a=2", "a=1&%61=2"])
    func refusesBadEscapesInvalidUTF8AndRepeatedNames(form: String) {
        #expect(URLEncodedForm.decode(form) == nil)
    }
}

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

@Suite struct JSONObjectWriterTests {
    @Test func writesMembersInOrderWithNullsAndNestedObjects() throws {
        var json = JSONObjectWriter()
        json.add("s", "quote \" backslash \\ newline \n tab \t bell \u{07} 한글 / é")
        json.add("none", nil as String?)
        json.add("n", Int64.min)
        json.add("yes", true)
        json.add("inner", object: { $0.add("no", false) })
        #expect(json.json.hasPrefix(#"{"s":"quote \" backslash \\ newline \n tab \t bell \u0007 한글 / é","none":null,"n":-9223372036854775808"#))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.json.utf8)) as? [String: Any])
        #expect(parsed["s"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{07} 한글 / é")
        #expect(parsed["none"] is NSNull)
        #expect((parsed["inner"] as? [String: Any])?["no"] as? Bool == false)
        #expect(JSONObjectWriter().json == "{}")
    }
}

@Suite struct RandomIDTests {
    static let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    @Test func timeOrderedIDsSortByTimeByteWise() {
        // Around every place where the standard base64url alphabet is out of ASCII order, and today.
        let now: UInt64 = 1_795_000_000_000
        for millisecond in [0, 25, 26, 51, 52, 61, 62, 63, 64, 4095, 4096, now, now + 63, now + 4095] as [UInt64] {
            let (earlier, later) = (RandomID.makeTimeOrdered(atMillisecond: millisecond), RandomID.makeTimeOrdered(atMillisecond: millisecond + 1))
            // SQLite's BINARY collation compares bytes, as this does.
            #expect(earlier.utf8.prefix(7).lexicographicallyPrecedes(later.utf8.prefix(7)), "\(millisecond)")
        }
    }

    @Test func timeOrderedIDsAreBase64URLWithARandomPart() {
        let ids = (0..<500).map { _ in RandomID.makeTimeOrdered(atMillisecond: 1_795_000_000_000) }
        #expect(ids.allSatisfy { $0.utf8.count == 22 && $0.utf8.allSatisfy(Self.alphabet.contains) })
        #expect(Set(ids.map { $0.prefix(7) }).count == 1)
        #expect(Set(ids.map { $0.suffix(15) }).count == 500)
    }

    @Test func timeOrderedIDsNeverBeginWithADashUntil2109() {
        // A leading "-" would read as an option wherever an id is passed on a command line.
        for millisecond: UInt64 in [1_795_000_000_000, 2_500_000_000_000, 4_398_046_511_103] {
            #expect(RandomID.makeTimeOrdered(atMillisecond: millisecond).first != "-")
        }
        #expect(RandomID.makeTimeOrdered().first != "-")
    }
}

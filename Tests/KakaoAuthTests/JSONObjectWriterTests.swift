import Foundation
import Testing

@testable import KakaoAuth

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

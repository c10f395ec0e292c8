import KakaoAuthTokens
import Testing

@testable import KakaoAuth

@Suite struct AccountClaimsTests {
    @Test func rolesAreSortedAndKeptWhole() throws {
        let roles = try Roles(["support", "admin", "billing:read", "a", "x.y-z_0"])
        #expect(roles.names == ["a", "admin", "billing:read", "support", "x.y-z_0"])
        #expect(try Roles([]).names.isEmpty)
        let longest = "r" + String(repeating: "9", count: 31)
        #expect(try Roles((0..<16).map { "\(longest.dropLast(2))\($0 / 10)\($0 % 10)" }).names.count == 16)
    }

    @Test(arguments: [
        (["1admin"], AccountClaimsError.invalidRoleName(position: 1)), (["ok", "Admin"], .invalidRoleName(position: 2)),
        ([""], .invalidRoleName(position: 1)), (["a b"], .invalidRoleName(position: 1)), (["admin\n"], .invalidRoleName(position: 1)),
        (["r" + String(repeating: "a", count: 32)], .invalidRoleName(position: 1)), (["_a"], .invalidRoleName(position: 1)),
        (["rôle"], .invalidRoleName(position: 1)), (["a/b"], .invalidRoleName(position: 1)),
        (["admin", "admin"], .repeatedRole), ((0..<17).map { "r\($0)" }, .tooManyRoles),
    ])
    func rolesOutsideTheRulesAreRefusedNamingTheRule(names: [String], expected: AccountClaimsError) {
        #expect(throws: expected) { try Roles(names) }
    }

    @Test func metadataIsKeptInOneCompactForm() throws {
        let metadata = try AppMetadata(json: Array(#"{ "plan" : "pro", "seats": 10, "a": {"z": [1, 2.5e3, true, null], "b": "서울\n"} }"#.utf8))
        #expect(metadata.compactText == #"{"a":{"b":"서울\n","z":[1,2.5e3,true,null]},"plan":"pro","seats":10}"#)
        #expect(try AppMetadata(json: Array("{}".utf8)) == .empty)
        #expect(AppMetadata.empty.isEmpty && !metadata.isEmpty)
        #expect(AppMetadata(stored: metadata.compactText) == metadata)
        #expect(AppMetadata(stored: #"{"b":1,"a":2}"#) == nil, "not a text this type writes")
    }

    @Test func metadataFitsInItsCompactFormNotItsText() throws {
        // 1,024 bytes compact: {"k":"…"} is 8 bytes around the string.
        let fitting = #"{"k":"\#(String(repeating: "x", count: 1016))"}"#
        #expect(try AppMetadata(json: Array(fitting.utf8)).compactText.utf8.count == 1024)
        let padded = "{\n" + String(repeating: " ", count: 4000) + #""k" : "\#(String(repeating: "x", count: 1016))"}"#
        #expect(try AppMetadata(json: Array(padded.utf8)).compactText == fitting)
        #expect(throws: AccountClaimsError.metadataTooLarge(bytes: 1025)) {
            try AppMetadata(json: Array(#"{"k":"\#(String(repeating: "x", count: 1017))"}"#.utf8))
        }
        // Three bytes per character: the limit is in bytes.
        #expect(throws: AccountClaimsError.metadataTooLarge(bytes: 8 + 3 * 400)) {
            try AppMetadata(json: Array(#"{"k":"\#(String(repeating: "가", count: 400))"}"#.utf8))
        }
    }

    @Test func metadataNestsAsDeeplyAsTheSizeAllows() throws {
        let deepest = "{\"a\":" + String(repeating: "[", count: 507) + String(repeating: "]", count: 507) + "}"
        #expect(try AppMetadata(json: Array(deepest.utf8)).compactText == deepest)
        let deeper = "{\"a\":" + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}"
        #expect(throws: AccountClaimsError.self) { try AppMetadata(json: Array(deeper.utf8)) }
    }

    @Test(arguments: ["[]", "\"x\"", "null", "1", "true"])
    func metadataMustBeAnObject(text: String) {
        #expect(throws: AccountClaimsError.metadataNotAnObject) { try AppMetadata(json: Array(text.utf8)) }
    }

    @Test(arguments: ["", "{", #"{"a":1,"a":2}"#, "{} {}", "{'a':1}"])
    func metadataMustBeStrictJSON(text: String) {
        let error = #expect(throws: AccountClaimsError.self) { try AppMetadata(json: Array(text.utf8)) }
        guard case .metadataNotJSON = error else {
            Issue.record("\(text): \(String(describing: error))")
            return
        }
    }
}

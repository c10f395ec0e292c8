import Foundation
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// `ADMIN_API_KEYS`: entries of a name and the SHA-256 of a key; a presented key is matched against every
/// entry, and the configuration refuses anything it would misread.
@Suite struct AdminKeysTests {
    static let digest = String(repeating: "ab", count: 32)

    @Test func aGeneratedKeyIsAdmittedUnderItsNameAndNothingElseIs() throws {
        let ops = AdminKeys.generate(name: "ops")
        let night = AdminKeys.generate(name: "night-shift")
        #expect(ops.key.utf8.count == 43 && Base64URL.decode(ops.key)?.count == 32)
        #expect(ops.key != night.key)
        let keys = try AdminKeys(parsing: "\(ops.entry), \(night.entry)")
        #expect(keys.name(ofKey: ops.key) == "ops" && keys.name(ofKey: night.key) == "night-shift")
        // The entry holds the lowercase hex SHA-256 of the key's text, as the issue and README say.
        let hex = OpenSSL.sha256(ops.key).map { String(format: "%02x", $0) }.joined()
        #expect(ops.entry == "ops:\(hex)")
        for wrong in ["", "x", String(ops.key.dropLast()), ops.key + "A", ops.key.uppercased(), hex, String(repeating: "A", count: 300)] {
            #expect(keys.name(ofKey: wrong) == nil, "\(wrong)")
        }
    }

    @Test(
        arguments: [
            ("ops", AdminKeysError.malformedEntry(position: 1)), ("ops:\(digest),", .malformedEntry(position: 2)),
            ("Ops:\(digest)", .invalidName(position: 1)), (":\(digest)", .invalidName(position: 1)),
            ("\(String(repeating: "a", count: 33)):\(digest)", .invalidName(position: 1)), ("op s:\(digest)", .invalidName(position: 1)),
            ("cli:\(digest)", .invalidName(position: 1)),
            ("ops:\(digest.uppercased())", .invalidDigest(name: "ops")), ("ops:\(digest.dropLast())", .invalidDigest(name: "ops")),
            ("ops:\(digest)0", .invalidDigest(name: "ops")), ("ops:\(digest.dropLast())g", .invalidDigest(name: "ops")),
            ("ops:\(digest),ops:\(String(repeating: "cd", count: 32))", .repeatedName("ops")),
            ("ops:\(digest),dev:\(digest)", .repeatedKey(name: "dev")),
        ])
    func malformedEntriesAreRefusedWithoutEchoingThem(text: String, error: AdminKeysError) {
        #expect(throws: error) { try AdminKeys(parsing: text) }
        #expect(!error.description.contains(Self.digest.prefix(16)))
    }

    @Test func theLongestNameAndEveryAllowedCharacterParse() throws {
        let name = "a-z_0-9" + String(repeating: "x", count: 25)
        #expect(try AdminKeys(parsing: " \(name):\(Self.digest) ").entries == [.init(name: name, digest: Array(repeating: 0xAB, count: 32))])
    }
}

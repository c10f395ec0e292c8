/// `Authorization: Bearer <token>` (RFC 6750), read as bytes: the scheme in any ASCII case, then one or more
/// spaces, then a non-empty token. One reader for the service and the verifier kit, so that they cannot
/// disagree on which requests carry a token.
package enum BearerToken {
    package static func parse(_ authorization: String) -> String? {
        let bytes = authorization.utf8
        guard let space = bytes.firstIndex(of: UInt8(ascii: " ")),
            bytes[..<space].lazy.map({ $0 | 0x20 }).elementsEqual("bearer".utf8)
        else { return nil }
        // `| 0x20` lowers ASCII letters only where it matters: no other byte becomes one of "bearer"'s.
        let token = bytes[space...].drop { $0 == UInt8(ascii: " ") }
        return token.isEmpty ? nil : String(Substring(token))
    }
}

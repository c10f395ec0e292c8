/// Opaque identifiers for users, sessions and token ids: 128 random bits, base64url (22 characters).
enum RandomID {
    static func make() -> String {
        Base64URL.encode(OpenSSL.randomBytes(count: 16))
    }
}

import Hummingbird
import KakaoAuthTokens

/// The server-side flow's memory between `/auth/kakao/login` and the callback: the `state` and PKCE verifier
/// sent to Kakao and where to send the browser afterwards, in a short-lived HttpOnly cookie sealed with an
/// HMAC (under a key derived from `JWT_SECRET`, or from the private signing key without one), so no
/// server-side table is needed.
struct LoginStateCookie: Sendable {
    struct Contents: Equatable, Sendable {
        var state: String
        var codeVerifier: String
        var returnTo: String
        var expiresAt: Int64
    }

    static let lifetime: Int64 = 600

    let name: String
    private let key: HMACSHA256
    private let secure: Bool

    init(secret: [UInt8], secure: Bool) {
        // A key of its own, so that a sealed state can never be mistaken for anything signed with the JWT key.
        key = HMACSHA256(key: HMACSHA256(key: secret).authenticationCode(for: "kakao-auth login state cookie"))
        self.secure = secure
        name = secure ? "__Host-kakao_login_state" : "kakao_login_state"
    }

    func seal(_ contents: Contents) -> String {
        let json =
            "{\"s\":\(contents.state.jsonQuoted),\"v\":\(contents.codeVerifier.jsonQuoted),"
            + "\"r\":\(contents.returnTo.jsonQuoted),\"e\":\(contents.expiresAt)}"
        let payload = Base64URL.encode(Array(json.utf8))
        return payload + "." + Base64URL.encode(key.authenticationCode(for: payload))
    }

    /// The contents, or nil when the value is malformed, forged or expired.
    func open(_ sealed: String, now: Int64) -> Contents? {
        let parts = sealed.split(separator: ".", omittingEmptySubsequences: false)
        guard sealed.utf8.count <= 4096, parts.count == 2, let mac = Base64URL.decode(parts[1]) else { return nil }
        let expected = key.authenticationCode(for: parts[0])
        let authentic = expected.withUnsafeBytes { left in mac.withUnsafeBytes { right in OpenSSL.constantTimeEqual(left, right) } }
        guard authentic, let payload = Base64URL.decode(parts[0]),
            let json = try? StrictJSONReader.parse(payload, maximumDepth: 1),
            let state = json["s"]?.stringValue, let verifier = json["v"]?.stringValue,
            let returnTo = json["r"]?.stringValue, let expiresAt = json["e"]?.integerValue, now < expiresAt
        else { return nil }
        return Contents(state: state, codeVerifier: verifier, returnTo: returnTo, expiresAt: expiresAt)
    }

    func cookie(_ contents: Contents, now: Int64) -> Cookie {
        Cookie(name: name, value: seal(contents), maxAge: Int(contents.expiresAt - now), path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    var clearingCookie: Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}

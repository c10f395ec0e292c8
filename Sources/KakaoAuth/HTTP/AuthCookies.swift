import Hummingbird

/// Where browsers keep our tokens: two HttpOnly cookies whose names, scope and flags follow the configuration.
///
/// The access cookie is `__Host-access_token` (Path=/, no Domain), or `__Secure-access_token` when a
/// `COOKIE_DOMAIN` is set, since `__Host-` forbids Domain. The refresh cookie is `__Secure-refresh_token`
/// with Path=/auth, so it only travels to the refresh and logout endpoints. With `COOKIE_SECURE=false`
/// (plain-http development) the prefixes and the Secure flag are dropped, as browsers require.
struct AuthCookies: Sendable {
    struct Settings: Sendable {
        var secure: Bool
        var sameSite: Cookie.SameSite
        var domain: String?
    }

    static let refreshPath = "/auth"

    let accessName: String
    let refreshName: String
    private let settings: Settings

    init(_ settings: Settings) {
        self.settings = settings
        if settings.secure {
            accessName = settings.domain == nil ? "__Host-access_token" : "__Secure-access_token"
            refreshName = "__Secure-refresh_token"
        } else {
            accessName = "access_token"
            refreshName = "refresh_token"
        }
    }

    func accessToken(in request: Request) -> String? { request.cookies[accessName]?.value }

    func refreshToken(in request: Request) -> String? { request.cookies[refreshName]?.value }

    func set(_ tokens: IssuedTokens, now: Int64, on response: inout Response) {
        response.setCookie(cookie(accessName, tokens.accessToken, path: "/", maxAge: tokens.accessExpiresAt - now))
        response.setCookie(cookie(refreshName, tokens.refreshToken, path: Self.refreshPath, maxAge: tokens.refreshExpiresAt - now))
    }

    /// Overwrites both cookies with empty, already expired ones of the same name, path and domain.
    func clear(on response: inout Response) {
        response.setCookie(cookie(accessName, "", path: "/", maxAge: 0))
        response.setCookie(cookie(refreshName, "", path: Self.refreshPath, maxAge: 0))
    }

    private func cookie(_ name: String, _ value: String, path: String, maxAge: Int64) -> Cookie {
        Cookie(
            name: name, value: value, maxAge: Int(max(0, maxAge)), domain: settings.domain, path: path,
            secure: settings.secure, httpOnly: true, sameSite: settings.sameSite)
    }
}

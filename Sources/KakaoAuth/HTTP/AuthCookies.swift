import Hummingbird
import KakaoAuthTokens

/// Where browsers keep our tokens: two HttpOnly cookies whose names, scope and flags follow the configuration.
///
/// The access cookie is `__Host-access_token` (Path=/, no Domain), or `__Secure-access_token` when a
/// `COOKIE_DOMAIN` is set, since `__Host-` forbids Domain. The refresh cookie is `__Secure-refresh_token`
/// with Path=/auth, so it only travels to the refresh and logout endpoints, and never a Domain, even with
/// `COOKIE_DOMAIN`: the credential that mints sessions stays with this host and is never sent to, or
/// settable as a shared cookie by, a sibling subdomain. (`__Host-` would also forbid Domain, but forces
/// Path=/, which would send it with every request.) Two cookies of one of these names in a request are
/// refused before anything reads them (``DuplicateCookieGuard``). With `COOKIE_SECURE=false` (plain-http
/// development) the prefixes and the Secure flag are dropped, as browsers require.
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

    func accessToken(in request: Request) -> String? { CookieHeader(request).value(of: accessName) }

    func refreshToken(in request: Request) -> String? { CookieHeader(request).value(of: refreshName) }

    var names: Set<String> { [accessName, refreshName] }

    func set(_ tokens: IssuedTokens, now: Int64, on response: inout Response) {
        response.setCookie(cookie(accessName, tokens.accessToken, path: "/", domain: settings.domain, maxAge: tokens.accessExpiresAt - now))
        response.setCookie(cookie(refreshName, tokens.refreshToken, path: Self.refreshPath, domain: nil, maxAge: tokens.refreshExpiresAt - now))
    }

    /// Overwrites both cookies with empty, already expired ones of the same name, path and domain.
    func clear(on response: inout Response) {
        response.setCookie(cookie(accessName, "", path: "/", domain: settings.domain, maxAge: 0))
        response.setCookie(cookie(refreshName, "", path: Self.refreshPath, domain: nil, maxAge: 0))
    }

    private func cookie(_ name: String, _ value: String, path: String, domain: String?, maxAge: Int64) -> Cookie {
        Cookie(
            name: name, value: value, maxAge: Int(max(0, maxAge)), domain: domain, path: path,
            secure: settings.secure, httpOnly: true, sameSite: settings.sameSite)
    }
}

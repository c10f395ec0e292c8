import Hummingbird
import KakaoAuthTokens

/// Refuses a request that carries two cookies of one of our names, and clears every copy it can reach.
///
/// Cookie tossing: a sibling subdomain (or a script on one) can plant a cookie of our name with its own
/// `Domain` and a longer `Path`, which the browser then sends first. Reading "the first cookie of that name"
/// would serve the attacker's session to the victim. With two of a name we cannot know which is ours, so we
/// serve neither (400 `duplicate_cookie`) and answer with expired copies for every domain and path the
/// planted one could have (see ``clearingCookies(for:request:)``); the user logs in again.
struct DuplicateCookieGuard: RouterMiddleware {
    typealias Context = AppRequestContext

    /// Our cookie names: the two auth cookies and the server-side flow's state.
    let names: Set<String>
    let secure: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[.cookie] != nil else { return try await next(request, context) }
        let ambiguous = CookieHeader(request).ambiguousNames(among: names)
        guard !ambiguous.isEmpty else { return try await next(request, context) }
        var response = APIError(
            .duplicateCookie,
            "the request carries more than one cookie named \(ambiguous.sorted().joined(separator: ", ")); all are cleared, log in again"
        ).response
        for cookie in clearingCookies(for: ambiguous, request: request) { response.setCookie(cookie) }
        return response
    }

    /// A cookie the browser sent with this request has a path that is a prefix of the request's path and a
    /// domain that is the request's host or a parent of it, so expiring every such pair reaches the planted
    /// copy as well as ours. `__Host-` names cannot carry a Domain or another Path; browsers enforce it.
    func clearingCookies(for names: Set<String>, request: Request) -> [Cookie] {
        let segments = request.uri.path.split(separator: "/").prefix(8)
        let paths = ["/"] + segments.indices.map { end in "/" + segments[...end].joined(separator: "/") }
        // The Host header is the client's text and becomes a `Domain` attribute: a host name's bytes only, or
        // no parent domains at all (a `;` would add attributes of its own).
        let authority = request.head.authority ?? ""
        let host = String(Substring(authority.utf8.prefix { $0 != UInt8(ascii: ":") }))
        let hostName = HostName.isValid(host) ? host.lowercased() : ""
        let labels = hostName.split(separator: ".")
        // Parent domains down to the last two labels (a browser refuses a cookie for a bare top-level domain).
        let parents = labels.count > 2 ? (1...(labels.count - 2)).prefix(8).map { labels[$0...].joined(separator: ".") } : []
        var cookies: [Cookie] = []
        for name in names.sorted() {
            guard !name.hasPrefix("__Host-") else {
                cookies.append(Cookie(name: name, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true))
                continue
            }
            for path in paths {
                cookies.append(Cookie(name: name, value: "", maxAge: 0, path: path, secure: secure, httpOnly: true))
                for domain in [hostName] + parents where IPAddress(domain) == nil && domain.contains(".") {
                    cookies.append(Cookie(name: name, value: "", maxAge: 0, domain: domain, path: path, secure: secure, httpOnly: true))
                }
            }
        }
        return cookies
    }
}

import Hummingbird

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
        let ambiguous = Self.ambiguousNames(in: RequestCookies(request), among: names)
        guard !ambiguous.isEmpty else { return try await next(request, context) }
        var response = APIError(
            .duplicateCookie, "the request carries more than one cookie named \(ambiguous.sorted().joined(separator: ", ")); all are cleared, log in again"
        ).response
        for cookie in clearingCookies(for: ambiguous, request: request) { response.setCookie(cookie) }
        return response
    }

    /// Our names that occur more than once, or that another cookie's name imitates: one that is ours once
    /// every character outside printable ASCII is dropped (`\u{2028}__Secure-refresh_token`). Our readers
    /// would not take such a cookie, but a browser or proxy might; with one in the request, which cookie is
    /// ours is as uncertain as with a plain duplicate.
    static func ambiguousNames(in cookies: RequestCookies, among names: Set<String>) -> Set<String> {
        var seen: Set<String> = []
        var ambiguous: Set<String> = []
        for (rawName, _) in cookies.pairs {
            let name = String(rawName)
            if names.contains(name) {
                if !seen.insert(name).inserted { ambiguous.insert(name) }
                continue
            }
            let printable = String(String.UnicodeScalarView(name.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F }))
            if names.contains(printable) { ambiguous.insert(printable) }
        }
        return ambiguous
    }

    /// A cookie the browser sent with this request has a path that is a prefix of the request's path and a
    /// domain that is the request's host or a parent of it, so expiring every such pair reaches the planted
    /// copy as well as ours. `__Host-` names cannot carry a Domain or another Path; browsers enforce it.
    func clearingCookies(for names: Set<String>, request: Request) -> [Cookie] {
        let segments = request.uri.path.split(separator: "/").prefix(8)
        let paths = ["/"] + segments.indices.map { end in "/" + segments[...end].joined(separator: "/") }
        let host = (request.head.authority ?? "").split(separator: ":").first.map { $0.lowercased() } ?? ""
        let labels = host.split(separator: ".")
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
                for domain in [host] + parents where IPAddress(domain) == nil && domain.contains(".") {
                    cookies.append(Cookie(name: name, value: "", maxAge: 0, domain: domain, path: path, secure: secure, httpOnly: true))
                }
            }
        }
        return cookies
    }
}

import HTTPTypes
import Hummingbird

/// Refuses cross-origin requests that would act with the browser's cookies (CSRF), following the
/// Fetch-Metadata design of Go's `http.CrossOriginProtection`:
///
/// - with `Sec-Fetch-Site` (every current browser): `same-origin` and `none` (typed URL, bookmark) pass;
///   anything else passes only from an allowlisted `Origin`;
/// - without it: no `Origin` passes (not a browser), and an `Origin` passes only when it is the service's
///   own (matching `Host` or `PUBLIC_URL`) or allowlisted.
///
/// It guards every route that uses or sets our cookies (``RouteGuards``), as middleware: it decides before
/// anything reads the body, so no content type, body or delivery choice can get a cross-site request
/// another answer than 403. A browser on an origin that is not allowed could not read our answers anyway
/// (no CORS headers), so refusing it costs no legitimate client anything; apps and servers send no `Origin`.
struct CrossOriginProtection: RouterMiddleware {
    typealias Context = AppRequestContext
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!

    let trustedOrigins: Set<String>
    /// `PUBLIC_URL`'s origin, when configured.
    let ownOrigin: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try check(request)
        return try await next(request, context)
    }

    func check(_ request: Request) throws(APIError) {
        let origin = request.headers[.origin]
        if let site = request.headers[Self.secFetchSite] {
            if site == "same-origin" || site == "none" { return }
            if let origin, trustedOrigins.contains(origin) { return }
            throw APIError(.csrfRejected, "a cookie-authenticated request from another site (Sec-Fetch-Site: \(site)) whose origin is not allowed")
        }
        guard let origin else { return }
        if trustedOrigins.contains(origin) || origin == ownOrigin { return }
        if let host = request.head.authority, let sent = WebOrigin.of(origin), sent.hasSuffix("://" + host.lowercased()) { return }
        throw APIError(.csrfRejected, "a cookie-authenticated request from an origin that is neither this service's nor allowed")
    }
}

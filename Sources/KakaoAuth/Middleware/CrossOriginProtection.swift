import HTTPTypes
import Hummingbird
import KakaoAuthTokens

/// Refuses cross-origin requests that would act with the browser's cookies (CSRF), by ``CrossSiteRule``
/// (shared with the verifier kit's cookie authentication).
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
    /// The scheme browsers reach this service by (`https` unless `COOKIE_SECURE=false`): with `Host`, the
    /// service's own origin when `PUBLIC_URL` does not name it. `http://auth.example` is not
    /// `https://auth.example`, nor is a port left out the same as another one.
    let ownScheme: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try check(request)
        return try await next(request, context)
    }

    func check(_ request: Request) throws(APIError) {
        let refusal = CrossSiteRule.refusal(
            secFetchSite: request.headers[Self.secFetchSite], origin: request.headers[.origin], trustedOrigins: trustedOrigins
        ) {
            [ownOrigin, request.head.authority.flatMap { WebOrigin.of(ownScheme + "://" + $0) }].compactMap { $0 }
        }
        if let refusal { throw APIError(.csrfRejected, refusal) }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import KakaoAuthTokens
import KakaoAuthVerifier

/// A request context that carries the claims of the access token a request was let in with.
public protocol KakaoAuthRequestContext: RequestContext {
    var kakaoAuth: KakaoAuthVerifier.Claims? { get set }
}

/// A ready-made context for services that need nothing else in theirs.
public struct KakaoAuthContext: KakaoAuthRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var kakaoAuth: KakaoAuthVerifier.Claims?

    public init(source: Source) {
        coreContext = .init(source: source)
    }
}

/// Lets in only requests with a valid kakao-auth access token, from `Authorization: Bearer …` or, when
/// ``CookieAuthentication`` is given, from kakao-auth's access-token cookie (for a service on the same site as
/// the browser flow), and, with `requiredRole`, only when the token carries that role; it puts the token's
/// claims in the context. Every refusal is RFC 9457 `application/problem+json`: `401` with `WWW-Authenticate:
/// Bearer` (RFC 6750) for a missing or invalid token; `403` for a token without the required role
/// (`error="insufficient_scope"`), or a cookie-authenticated unsafe request from another site; `503` for a key
/// set that cannot be fetched.
///
/// ```swift
/// let verifier = KakaoAuthVerifier(jwksURL: URL(string: "https://auth.example.com/.well-known/jwks.json")!)
/// let router = Router(context: KakaoAuthContext.self)
/// let api = router.group("api").add(middleware: KakaoAuthMiddleware(verifier: verifier))
/// api.get("me") { _, context in context.kakaoAuth!.userID }
/// api.group("reports").add(middleware: KakaoAuthMiddleware(verifier: verifier, requiredRole: "reports:read"))
///     .get { _, context in "reports for \(context.kakaoAuth!.userID)" }
/// ```
public struct KakaoAuthMiddleware<Context: KakaoAuthRequestContext>: RouterMiddleware {
    /// Accepting kakao-auth's access cookie as well as the `Authorization` header. A browser sends cookies
    /// with requests that other sites start, so an unsafe method (anything but GET, HEAD, OPTIONS) that
    /// carries the cookie must come from this site or an allowed origin (`Sec-Fetch-Site`, then `Origin`,
    /// as kakao-auth itself decides). Cookies are read as kakao-auth reads them: byte for byte, and two of
    /// one name (or a name imitating it) are refused, never "the first one wins".
    public struct CookieAuthentication: Sendable {
        let names: [String]
        let trustedOrigins: Set<String>

        /// - Parameters:
        ///   - names: kakao-auth's `__Host-access_token` (a service behind the same host) and
        ///     `__Secure-access_token` (with `COOKIE_DOMAIN`, a sibling subdomain); `access_token` only where
        ///     kakao-auth runs with `COOKIE_SECURE=false`.
        ///   - trustedOrigins: origins (`https://app.example.com`, exactly as browsers send `Origin`) whose pages
        ///     may make unsafe cookie-authenticated requests from another site.
        public init(names: [String] = ["__Host-access_token", "__Secure-access_token"], trustedOrigins: Set<String> = []) {
            self.names = names
            self.trustedOrigins = trustedOrigins
        }
    }

    let verifier: KakaoAuthVerifier
    let cookies: CookieAuthentication?
    let requiredRole: String?

    /// - Parameters:
    ///   - cookies: nil (the default) takes only `Authorization: Bearer`.
    ///   - requiredRole: a role the token must carry (`roles`, as kakao-auth's operators set them); nil lets in
    ///     any valid token.
    public init(verifier: KakaoAuthVerifier, cookies: CookieAuthentication? = nil, requiredRole: String? = nil) {
        self.verifier = verifier
        self.cookies = cookies
        self.requiredRole = requiredRole
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = try bearerToken(request) ?? cookieToken(request) else {
            throw Self.refusal("missing access token")
        }
        var context = context
        let claims: KakaoAuthVerifier.Claims
        do {
            claims = try await verifier.verifyAccessToken(token)
        } catch let error as KakaoAuthVerifier.Refusal {
            throw Self.refusal(error.description)
        } catch is KakaoAuthVerifier.KeySetUnavailable {
            throw KakaoAuthProblem(status: .serviceUnavailable, detail: "the token keys are not available")
        }
        if let requiredRole, !claims.hasRole(requiredRole) {
            throw KakaoAuthProblem(
                status: .forbidden, detail: "the access token does not carry the role this route requires",
                headers: [.wwwAuthenticate: "Bearer error=\"insufficient_scope\""])
        }
        context.kakaoAuth = claims
        return try await next(request, context)
    }

    private func bearerToken(_ request: Request) -> String? {
        request.headers[.authorization].flatMap(BearerToken.parse)
    }

    private func cookieToken(_ request: Request) throws -> String? {
        guard let cookies, request.headers[.cookie] != nil else { return nil }
        let header = CookieHeader(request.headers[values: .cookie])
        if !header.ambiguousNames(among: Set(cookies.names)).isEmpty {
            throw Self.refusal("more than one access-token cookie")
        }
        guard let token = cookies.names.lazy.compactMap(header.value(of:)).first else { return nil }
        if ![.get, .head, .options].contains(request.method),
            let reason = CrossSiteRule.refusal(
                secFetchSite: request.headers[Self.secFetchSite], origin: request.headers[.origin], trustedOrigins: cookies.trustedOrigins,
                ownOrigins: { [] }
            )
        {
            throw KakaoAuthProblem(status: .forbidden, detail: reason)
        }
        return token
    }

    private static var secFetchSite: HTTPField.Name { HTTPField.Name("Sec-Fetch-Site")! }

    private static func refusal(_ reason: String) -> KakaoAuthProblem {
        KakaoAuthProblem(status: .unauthorized, detail: reason, headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
    }
}

/// A refusal of ``KakaoAuthMiddleware``, answered as RFC 9457 problem details, as kakao-auth answers its own:
/// `{"type": "about:blank", "title": …, "status": …, "detail": …}`. The detail never contains the token.
public struct KakaoAuthProblem: HTTPResponseError {
    public let status: HTTPResponse.Status
    public let detail: String
    public let headers: HTTPFields

    public init(status: HTTPResponse.Status, detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.detail = detail
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let fields: [String: any Sendable] = ["type": "about:blank", "title": status.reasonPhrase, "status": status.code, "detail": detail]
        let body = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        var headers = headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

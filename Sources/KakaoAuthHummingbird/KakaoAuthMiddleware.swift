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
/// the browser flow), and puts its claims in the context. Anything else is `401` with `WWW-Authenticate:
/// Bearer` (RFC 6750); a cookie-authenticated unsafe request from another site is `403`; a key set that
/// cannot be fetched is `503`.
///
/// ```swift
/// let verifier = KakaoAuthVerifier(jwksURL: URL(string: "https://auth.example.com/.well-known/jwks.json")!)
/// let router = Router(context: KakaoAuthContext.self)
/// router.group("api").add(middleware: KakaoAuthMiddleware(verifier: verifier))
///     .get("me") { _, context in context.kakaoAuth!.userID }
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

    /// - Parameter cookies: nil (the default) takes only `Authorization: Bearer`.
    public init(verifier: KakaoAuthVerifier, cookies: CookieAuthentication? = nil) {
        self.verifier = verifier
        self.cookies = cookies
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = try bearerToken(request) ?? cookieToken(request) else {
            throw Self.refusal("missing access token")
        }
        var context = context
        do {
            context.kakaoAuth = try await verifier.verifyAccessToken(token)
        } catch let error as KakaoAuthVerifier.Refusal {
            throw Self.refusal(error.description)
        } catch is KakaoAuthVerifier.KeySetUnavailable {
            throw HTTPError(.serviceUnavailable, message: "the token keys are not available")
        }
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
            throw HTTPError(.forbidden, message: reason)
        }
        return token
    }

    private static var secFetchSite: HTTPField.Name { HTTPField.Name("Sec-Fetch-Site")! }

    private static func refusal(_ reason: String) -> HTTPError {
        HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""], message: reason)
    }
}

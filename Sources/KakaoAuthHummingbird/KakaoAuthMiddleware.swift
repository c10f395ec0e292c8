import Foundation
import Hummingbird
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

/// Lets in only requests with a valid kakao-auth access token, from `Authorization: Bearer …` or from
/// kakao-auth's access-token cookie (for a service on the same site as the browser flow), and puts its claims
/// in the context. Anything else is `401` with `WWW-Authenticate: Bearer` (RFC 6750); a key set that cannot
/// be fetched is `503`.
///
/// ```swift
/// let verifier = KakaoAuthVerifier(jwksURL: URL(string: "https://auth.example.com/.well-known/jwks.json")!)
/// let router = Router(context: KakaoAuthContext.self)
/// router.group("api").add(middleware: KakaoAuthMiddleware(verifier: verifier))
///     .get("me") { _, context in context.kakaoAuth!.userID }
/// ```
public struct KakaoAuthMiddleware<Context: KakaoAuthRequestContext>: RouterMiddleware {
    let verifier: KakaoAuthVerifier
    let cookieNames: [String]

    /// - Parameter cookieNames: the cookies that may carry the token: kakao-auth's `__Host-access_token` (a
    ///   service behind the same host) and `__Secure-access_token` (with `COOKIE_DOMAIN`, a sibling
    ///   subdomain); `access_token` only where kakao-auth runs with `COOKIE_SECURE=false`. Empty: only the
    ///   `Authorization` header.
    public init(verifier: KakaoAuthVerifier, cookieNames: [String] = ["__Host-access_token", "__Secure-access_token"]) {
        self.verifier = verifier
        self.cookieNames = cookieNames
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = bearerToken(request) ?? cookieNames.lazy.compactMap({ request.cookies[$0]?.value }).first else {
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

    /// The token of `Authorization: Bearer <token>` (the scheme in any case, one space).
    private func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return String(header.dropFirst(7))
    }

    private static func refusal(_ reason: String) -> HTTPError {
        HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""], message: reason)
    }
}

import Foundation
import Hummingbird
import KakaoAuthTokens

package enum ServerFlowPaths {
    package static let login = "/auth/kakao/login"
    package static let callback = "/auth/kakao/callback"
}

/// The server-side redirect flow, for apps whose registered redirect URI is this service:
/// `GET /auth/kakao/login` sends the browser to Kakao with a fresh `state` and PKCE; Kakao sends it back to
/// `GET /auth/kakao/callback`, which checks the state, logs in, sets the auth cookies and redirects to
/// `return_to`.
struct ServerFlowController {
    typealias Context = AppRequestContext

    let login: KakaoLogin
    let store: any SessionStore
    let cookies: AuthCookies
    let stateCookie: LoginStateCookie
    let clientID: String
    /// `{KAKAO_AUTH_BASE_URL}/oauth/authorize`
    let authorizeURL: String
    /// `{PUBLIC_URL}/auth/kakao/callback`
    let callbackURI: String
    /// Origins an absolute `return_to` may point at (`CORS_ALLOWED_ORIGINS`).
    let returnOrigins: Set<String>
    let origins: RequestOrigins
    let clock: UnixClock

    /// The callback calls Kakao and writes, and reads the state cookie. Neither route is checked for
    /// cross-site requests: both are top-level navigations from other sites (the app, then Kakao), and the
    /// state cookie (SameSite=Lax, single use) is what ties the callback to the browser that started.
    func addRoutes(to router: Router<Context>, guards: RouteGuards) {
        router.get(RouterPath(ServerFlowPaths.login), use: start)
        guards.group(router, checks: [.rateLimited, .readsCookies]).get(RouterPath(ServerFlowPaths.callback), use: callback)
    }

    // MARK: GET /auth/kakao/login?return_to=

    @Sendable func start(_ request: Request, context: Context) async throws -> Response {
        let returnTo = try validatedReturnTo(request.uri.queryParameters["return_to"].map(String.init) ?? "/")
        let now = clock.now()
        let contents = LoginStateCookie.Contents(
            state: RandomID.make(), codeVerifier: Base64URL.encode(OpenSSL.randomBytes(count: 32)), returnTo: returnTo,
            expiresAt: now + LoginStateCookie.lifetime)
        let query = URLEncodedForm.encode([
            ("client_id", clientID), ("redirect_uri", callbackURI), ("response_type", "code"), ("state", contents.state),
            ("code_challenge", Base64URL.encode(OpenSSL.sha256(contents.codeVerifier))), ("code_challenge_method", "S256"),
        ])
        var response = Response(status: .found, headers: [.location: authorizeURL + "?" + query])
        response.setCookie(stateCookie.cookie(contents, now: now))
        return response
    }

    /// A path on this service (``isLocalPath(_:)``), or an absolute URL on an allowed origin. Anything else
    /// would make this endpoint an open redirect.
    func validatedReturnTo(_ text: String) throws(APIError) -> String {
        guard text.utf8.count <= 2048 else { throw APIError(.invalidRequest, "return_to is longer than 2048 bytes") }
        if Self.isLocalPath(text) { return text }
        let isPrintableASCII = text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "\\" }
        if isPrintableASCII, let origin = WebOrigin.of(text), returnOrigins.containsExactly(origin) { return text }
        throw APIError(.invalidRequest, "return_to must be a path on this service or a URL on an allowed origin")
    }

    /// `/` then a path, query and fragment of only the characters RFC 3986 allows there unencoded, or `%`
    /// escapes; never `//…` (browsers read it as another host) and never a backslash (some read `/\…` so).
    /// `openapi.yaml` states the same rule as `return_to`'s pattern, and a test holds the two together.
    static func isLocalPath(_ text: String) -> Bool {
        enum Part { case path, query, fragment }
        let bytes = Array(text.utf8)
        guard bytes.first == UInt8(ascii: "/"), bytes.count < 2 || bytes[1] != UInt8(ascii: "/") else { return false }
        var part = Part.path
        var index = 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "%"):
                guard index + 2 < bytes.count, bytes[index + 1].hexDigitValue != nil, bytes[index + 2].hexDigitValue != nil else { return false }
                index += 2
            case UInt8(ascii: "?") where part == .path:
                part = .query
            case UInt8(ascii: "?"):
                break
            case UInt8(ascii: "#") where part != .fragment:
                part = .fragment
            default:
                guard
                    byte.isUnreservedURICharacter || byte.isURISubDelimiter || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "@")
                        || byte == UInt8(ascii: "/")
                else {
                    return false
                }
            }
            index += 1
        }
        return true
    }

    // MARK: GET /auth/kakao/callback?code&state

    @Sendable func callback(_ request: Request, context: Context) async throws -> Response {
        let query = request.uri.queryParameters
        let now = clock.now()
        guard let sealed = CookieHeader(request).value(of: stateCookie.name), let contents = stateCookie.open(sealed, now: now),
            let state = query["state"], OpenSSL.constantTimeEqual(state, contents.state),
            // Recorded in the database, so that the same callback replayed (with the same cookie) is refused
            // on every replica and after a restart, without the code reaching Kakao a second time.
            try await store.consumeSingleUse(contents.state, expiresAt: contents.expiresAt)
        else {
            // Nothing is sent to Kakao: without our own state this callback was not started by this browser.
            var response = APIError(
                .invalidState, "the login state is missing, expired, already used or does not match; start again at /auth/kakao/login"
            ).response
            response.setCookie(stateCookie.clearingCookie)
            return response
        }

        let outcome: KakaoLogin.Outcome
        do {
            if let error = query["error"] {
                return redirect(to: contents.returnTo, error: Self.isPlainCode(error) ? String(error) : "login_failed")
            }
            guard let code = query["code"], !code.isEmpty else { throw APIError(.invalidRequest, "the callback has no code") }
            outcome = try await login.logIn(
                .code(String(code), redirectURI: callbackURI, codeVerifier: contents.codeVerifier),
                origin: origins.origin(of: request, context: context))
        } catch {
            return redirect(to: contents.returnTo, error: APIError(from: error).code.rawValue)
        }
        var response = redirect(to: contents.returnTo, error: nil)
        cookies.set(outcome.tokens, now: outcome.issuedAt, on: &response)
        return response
    }

    /// Kakao's `error` values (`access_denied`, `consent_required`, …) are passed on; anything else is not.
    private static func isPlainCode(_ text: Substring) -> Bool {
        (1...64).contains(text.count) && text.allSatisfy { $0 == "_" || ("a"..."z").contains($0) }
    }

    /// A 302 to `returnTo` (with `error=` added when the login failed) that also clears the state cookie:
    /// each state is good for one callback.
    private func redirect(to returnTo: String, error: String?) -> Response {
        var location = returnTo
        if let error {
            let fragment = location.firstIndex(of: "#").map { String(location[$0...]) } ?? ""
            location = String(location.dropLast(fragment.count))
            location += (location.contains("?") ? "&" : "?") + "error=" + error + fragment
        }
        var response = Response(status: .found, headers: [.location: location])
        response.setCookie(stateCookie.clearingCookie)
        return response
    }
}

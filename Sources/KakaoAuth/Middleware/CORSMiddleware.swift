import Hummingbird
import KakaoAuthTokens

/// CORS for an exact allowlist of origins (`CORS_ALLOWED_ORIGINS`), with credentials.
///
/// An allowed origin gets itself back in `Access-Control-Allow-Origin` with
/// `Access-Control-Allow-Credentials: true`; any other origin, `null` included, gets no CORS header at all.
/// Never `*`: a wildcard cannot be combined with credentials, and echoing any origin would be worse.
struct CORSMiddleware<Context: RequestContext>: RouterMiddleware {
    static var allowedMethods: String { "GET, POST, DELETE" }
    static var allowedHeaders: String { "Content-Type, Authorization" }

    let allowedOrigins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let origin = request.headers[.origin].flatMap { allowedOrigins.containsExactly($0) ? $0 : nil }
        var response: Response
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            response = Response(status: .noContent)
            if origin != nil {
                response.headers[.accessControlAllowMethods] = Self.allowedMethods
                response.headers[.accessControlAllowHeaders] = Self.allowedHeaders
                response.headers[.accessControlMaxAge] = "600"
            }
        } else {
            response = try await next(request, context)
        }
        // The answer depends on Origin whether or not it was allowed: caches must key on it.
        response.headers[values: .vary].append("Origin")
        if let origin {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlAllowCredentials] = "true"
        }
        return response
    }
}

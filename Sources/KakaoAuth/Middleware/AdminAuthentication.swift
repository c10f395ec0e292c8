import Hummingbird
import KakaoAuthTokens

/// Admits an admin route's request only with `Authorization: Bearer <key>` of an `ADMIN_API_KEYS` entry,
/// and names its operator in the context (``AppRequestContext/admin``) for the audit log. It is attached to
/// the admin routes where they are registered, so it runs on what the router matched and before anything
/// reads the body; a path no route serves stays a 404 whatever the key.
///
/// Each refusal costs the client's address one request of the shared `admin authentication` budget (the
/// rate limit's, per minute): once it is spent, wrong keys are answered 429 instead of 401. A right key is
/// never counted. The key itself is neither logged nor kept.
struct AdminAuthentication: RouterMiddleware {
    typealias Context = AppRequestContext

    let keys: AdminKeys
    let rateLimit: RateLimitMiddleware?

    static let failureBucket = "admin authentication"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let presented = request.headers[.authorization].flatMap(BearerToken.parse), let name = keys.name(ofKey: presented) else {
            if let refusal = rateLimit?.refusal(of: request, context: context, bucket: Self.failureBucket) { return refusal }
            throw APIError(.invalidCredentials, "the admin API needs Authorization: Bearer with a key of ADMIN_API_KEYS")
        }
        var context = context
        context.admin = .admin(name: name)
        // Reads are not audit events; this line (with the request id of the request line) says who made them.
        context.logger[metadataKey: "admin"] = "\(name)"
        context.logger.info("admin key accepted")
        return try await next(request, context)
    }
}

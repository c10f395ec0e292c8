import Hummingbird

/// Limits the routes an attacker would hammer: every route that calls Kakao or writes to the database.
/// It is attached to those routes where they are registered (``RouteGuards``), so it keys on the route the
/// router matched (`context.endpointPath`), never on the text of the path: `/auth//refresh/` is
/// `/auth/refresh`. Answers 429 `rate_limited` with `Retry-After`.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let limiter: RateLimiter
    let addresses: ClientAddressResolver

    /// The limit `RATE_LIMIT_PER_MINUTE` sets, or nil when it is 0 (off).
    init?(_ configuration: Configuration, addresses: ClientAddressResolver) {
        guard configuration.rateLimitPerMinute > 0 else { return nil }
        limiter = RateLimiter(limitPerMinute: configuration.rateLimitPerMinute, ipv6PrefixLength: configuration.rateLimitIPv6PrefixLength)
        self.addresses = addresses
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let refusal = refusal(of: request, context: context) { return refusal }
        return try await next(request, context)
    }

    /// Counts the request against its client's budget for the matched route; the 429 answer when it is spent.
    func refusal(of request: Request, context: Context) -> Response? {
        guard let route = context.endpointPath else { return nil }
        // HEAD is GET without a body: one budget for both, or probing with HEAD would double every GET's.
        let method = request.method == .head ? HTTPRequest.Method.get : request.method
        return refusal(of: request, context: context, bucket: method.rawValue + " " + route)
    }

    /// Counts the request against its client's budget named `bucket` (a route, or a kind of failure that
    /// several routes share); the 429 answer when it is spent.
    func refusal(of request: Request, context: Context, bucket: String) -> Response? {
        guard let client = addresses.clientAddress(of: request, context: context) else { return nil }
        guard case .limited(let retryAfter) = limiter.admit(route: bucket, client: client) else { return nil }
        var response = APIError(.rateLimited, "more than \(limiter.limitPerMinute) requests a minute from this address; retry in \(retryAfter) s")
            .response
        response.headers[.retryAfter] = String(retryAfter)
        return response
    }
}

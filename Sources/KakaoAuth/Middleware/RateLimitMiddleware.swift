import Hummingbird

/// Limits the routes an attacker would hammer: every route that calls Kakao or writes to the database.
/// It is attached to those routes where they are registered (``RouteGuards``), so it keys on the route the
/// router matched (`context.endpointPath`), never on the text of the path: `/auth//refresh/` is
/// `/auth/refresh`. Answers 429 `rate_limited` with `Retry-After`.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let limiter: RateLimiter
    let addresses: ClientAddressResolver

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let refusal = refusal(of: request, context: context) { return refusal }
        return try await next(request, context)
    }

    /// Counts the request against its client's budget for the matched route; the 429 answer when it is spent.
    func refusal(of request: Request, context: Context) -> Response? {
        guard let route = context.endpointPath, let client = addresses.clientAddress(of: request, context: context) else { return nil }
        // HEAD is GET without a body: one budget for both, or probing with HEAD would double every GET's.
        let method = request.method == .head ? HTTPRequest.Method.get : request.method
        guard case .limited(let retryAfter) = limiter.admit(route: method.rawValue + " " + route, client: client) else { return nil }
        var response = APIError(.rateLimited, "more than \(limiter.limitPerMinute) requests a minute from this address; retry in \(retryAfter) s")
            .response
        response.headers[.retryAfter] = String(retryAfter)
        return response
    }
}

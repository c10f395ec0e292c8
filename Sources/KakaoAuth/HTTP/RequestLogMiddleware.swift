import Hummingbird

/// One debug line per request: method, path, status and duration. Never the query string (a callback's
/// query carries the authorization code), headers (tokens, cookies) or bodies.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        context.logger.debug("request", metadata: [
            "method": "\(request.method.rawValue)",
            "path": "\(request.uri.path)",
            "status": "\(response.status.code)",
            "duration_ms": "\((ContinuousClock.now - started) / .milliseconds(1))",
        ])
        return response
    }
}

import Hummingbird

/// One log line per request: method, path (its first 256 bytes), status and duration. Never the query string (a callback's query
/// carries the authorization code), headers (tokens, cookies) or bodies.
package struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    package init() {}

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)",
                // Up to 32 KiB of the client's choosing otherwise.
                "path": "\(ClientText.capped(request.uri.path, bytes: 256))",
                "status": "\(response.status.code)",
                "duration_ms": "\((ContinuousClock.now - started) / .milliseconds(1))",
            ])
        return response
    }
}

import Hummingbird

/// Counts and times every answered request by route, method and status.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        // The route pattern, not the path, keeps the metric's cardinality bounded whatever paths clients invent.
        metrics.requestAnswered(
            route: context.endpointPath ?? "NotFound", method: request.method.rawValue, status: response.status.code,
            duration: ContinuousClock.now - started)
        return response
    }
}

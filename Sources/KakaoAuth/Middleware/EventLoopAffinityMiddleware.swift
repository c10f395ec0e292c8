import Hummingbird

/// Keeps each request on the event loop that read it: a handler resumed by the database writer or by a
/// Kakao answer continues on its connection's loop, so its answer is written without another hop.
struct EventLoopAffinityMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard #available(macOS 15, *), let executor = EventLoopExecutor.currentLoop else { return try await next(request, context) }
        return try await withTaskExecutorPreference(executor) { try await next(request, context) }
    }
}

import Hummingbird
import Logging

/// Catches whatever a handler throws and answers with its problem document; server-side failures are
/// logged by type only, since an error's description may quote a request.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = APIError(from: error)
            if problem.code.status.code >= 500 {
                context.logger.error(
                    "request failed",
                    metadata: [
                        "path": "\(ClientText.capped(request.uri.path, bytes: 256))", "code": "\(problem.code.rawValue)",
                        "error_type": "\(type(of: error))",
                    ])
            }
            return problem.response
        }
    }
}

import Hummingbird

/// Liveness, readiness and the API description (metrics have a listener of their own: ``MetricsController``).
struct OperationsController {
    typealias Context = AppRequestContext

    let store: any SessionStore

    func addRoutes(to router: Router<Context>) {
        addHealthRoute(to: router)
        router.get("readyz", use: readiness)
        router.get("openapi.yaml", use: openAPI)
    }

    /// `/healthz` alone, for the admin listener.
    func addHealthRoute(to router: Router<Context>) {
        router.get("healthz", use: health)
    }

    /// The process is up and serving HTTP.
    @Sendable func health(_ request: Request, context: Context) async throws -> Response {
        Response.json { $0.add("status", "ok") }
    }

    /// The database answers; 503 `service_unavailable` otherwise.
    @Sendable func readiness(_ request: Request, context: Context) async throws -> Response {
        try await store.checkReadiness()
        return Response.json { $0.add("status", "ready") }
    }

    /// `openapi.yaml` from the repository root, embedded at build time.
    @Sendable func openAPI(_ request: Request, context: Context) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_yaml)))
    }
}

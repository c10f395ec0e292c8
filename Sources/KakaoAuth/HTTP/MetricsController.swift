import Hummingbird

/// `GET /metrics` in Prometheus' text format, on the metrics listener only (`METRICS_HOST`, `METRICS_PORT`):
/// request counts and live sessions are business figures, never served on the public port.
struct MetricsController {
    let metrics: ServiceMetrics
    let liveSessions: LiveSessionGauge

    func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("metrics") { _, _ in
            await liveSessions.refreshIfDue()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
    }
}

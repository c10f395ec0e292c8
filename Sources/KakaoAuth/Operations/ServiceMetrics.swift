import CoreMetrics
import Prometheus
import Synchronization

/// The service's metrics, recorded through swift-metrics into a Prometheus registry of its own (no global
/// bootstrap, so every application, including each test's, counts only itself) and served at `/metrics` on the
/// metrics listener.
final class ServiceMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    /// Each request's counter and timer, made once per route, method and status: making them is a registry
    /// lookup under a lock with label sanitising, too much to repeat on every request.
    private let requestMetrics = Mutex<[RequestKey: (CoreMetrics.Counter, CoreMetrics.Timer)]>([:])

    private struct RequestKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .seconds(2.5), .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    /// One answered request: `kakao_auth_http_requests_total` and `kakao_auth_http_request_duration_seconds`
    /// by route (the router's pattern, never the raw path), method and status.
    func requestAnswered(route: String, method: String, status: Int, duration: Duration) {
        let key = RequestKey(route: route, method: method, status: status)
        let (counter, timer) = requestMetrics.withLock { metrics in
            if let existing = metrics[key] { return existing }
            let dimensions = [("route", route), ("method", method), ("status", String(status))]
            let made = (
                Counter(label: "kakao_auth_http_requests_total", dimensions: dimensions, factory: factory),
                Timer(label: "kakao_auth_http_request_duration_seconds", dimensions: dimensions, factory: factory)
            )
            metrics[key] = made
            return made
        }
        counter.increment()
        timer.record(duration: duration)
    }

    /// `kakao_auth_logins_total` by outcome: `new_user`, `existing_user`, or the error code of a failure.
    func login(outcome: String) {
        Counter(label: "kakao_auth_logins_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }

    /// `kakao_auth_kakao_request_duration_seconds` by Kakao endpoint and `kakao_auth_kakao_failures_total` by
    /// endpoint and reason.
    func kakaoCall(endpoint: String, duration: Duration, failure: String?) {
        Timer(label: "kakao_auth_kakao_request_duration_seconds", dimensions: [("endpoint", endpoint)], factory: factory).record(duration: duration)
        if let failure {
            Counter(label: "kakao_auth_kakao_failures_total", dimensions: [("endpoint", endpoint), ("reason", failure)], factory: factory).increment()
        }
    }

    /// `kakao_auth_refresh_reuse_detected_total`: stolen or replayed refresh tokens caught.
    func refreshReuseDetected() {
        Counter(label: "kakao_auth_refresh_reuse_detected_total", factory: factory).increment()
    }

    /// `kakao_auth_active_sessions`: live (unrevoked, unexpired) sessions, as ``LiveSessionGauge`` last counted them.
    func activeSessions(_ count: Int) {
        Gauge(label: "kakao_auth_active_sessions", factory: factory).record(count)
    }

    /// The Prometheus text exposition of everything recorded.
    func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}

import Logging
import Synchronization

/// `kakao_auth_active_sessions`, counted at most once every ``interval`` seconds however often it is scraped:
/// the count scans the sessions table (65 ms at 300,000 sessions), and a scrape, once public and unlimited,
/// made that scan anyone's to repeat.
final class LiveSessionGauge: Sendable {
    static let interval: Int64 = 30

    private let store: any SessionStore
    private let metrics: ServiceMetrics
    private let clock: UnixClock
    private let logger: Logger
    /// When the last count began; nil before the first.
    private let lastCount = Mutex<Int64?>(nil)

    init(store: any SessionStore, metrics: ServiceMetrics, clock: UnixClock, logger: Logger) {
        self.store = store
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
    }

    /// Counts again when the last count is ``interval`` seconds old (or the clock went back past it). Concurrent
    /// scrapes count once. A failed count keeps the previous value until the next is due: a scrape still
    /// answers with every other metric while the database is away.
    func refreshIfDue() async {
        let now = clock.now()
        let due = lastCount.withLock { last in
            guard last.map({ now - $0 >= Self.interval || now < $0 }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        do {
            metrics.activeSessions(try await store.activeSessionCount(now: now))
        } catch {
            logger.warning("could not count live sessions for the metrics", metadata: ["error": "\(error)"])
        }
    }
}

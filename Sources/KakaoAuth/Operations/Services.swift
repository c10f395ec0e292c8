import Logging
import ServiceLifecycle

/// Runs `action` once the service group shuts down gracefully (after SIGTERM, once the server has drained).
struct ShutdownHook: Service {
    let action: @Sendable () async throws -> Void

    func run() async throws {
        try? await gracefulShutdown()
        try await action()
    }
}

/// Purges what can never be used again and audit events past their retention every `interval`, in small
/// batches, and gives the space back (see ``SessionStore/purge(now:auditRetention:batchSize:)``), until shutdown.
struct PurgeService: Service {
    let store: any SessionStore
    let interval: Duration
    /// Seconds an audit event is kept.
    let auditRetention: Int64
    let clock: UnixClock
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                let report = try await store.purge(now: clock.now(), auditRetention: auditRetention, batchSize: PurgeReport.batchSize)
                if report.rowsDeleted > 0 || report.bytesReturned > 0 || report.erasuresFinished > 0 {
                    logger.info(
                        "purged",
                        metadata: [
                            "erasures_finished": "\(report.erasuresFinished)",
                            "sessions": "\(report.sessions)", "refresh_tokens": "\(report.refreshTokens)",
                            "used_credentials": "\(report.usedCredentials)",
                            "audit_events": "\(report.auditEvents)", "bytes_returned": "\(report.bytesReturned)",
                        ])
                }
                if report.erasuresFailed > 0 {
                    logger.warning(
                        "interrupted erasures could not be finished; the next purge tries again",
                        metadata: [
                            "erasures_failed": "\(report.erasuresFailed)"
                        ])
                }
                if report.auditEventsAhead > 0 {
                    logger.warning(
                        "audit events dated more than a day ahead: the clock stepped forward once; they are kept until their date",
                        metadata: [
                            "audit_events_ahead": "\(report.auditEventsAhead)"
                        ])
                }
            } catch {
                logger.error("purge failed", metadata: ["error_type": "\(type(of: error))"])
            }
        }
    }
}

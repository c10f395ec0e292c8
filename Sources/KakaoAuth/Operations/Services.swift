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

/// Purges expired sessions and refresh tokens every `interval`, in small batches (see
/// ``AppDatabase/purgeExpired(now:batchSize:)``), until shutdown.
struct PurgeService: Service {
    let database: AppDatabase
    let interval: Duration
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
                let deleted = try await database.purgeExpired(now: clock.now())
                if deleted > 0 { logger.info("purged expired sessions and refresh tokens", metadata: ["rows": "\(deleted)"]) }
            } catch {
                logger.error("purge failed", metadata: ["error_type": "\(type(of: error))"])
            }
        }
    }
}

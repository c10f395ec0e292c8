import Hummingbird
import Synchronization

/// A token bucket per client address: `limitPerMinute` requests at once, refilled evenly over a minute.
final class RateLimiter: Sendable {
    enum Decision: Equatable {
        case allowed
        /// Whole seconds until one more request would be allowed.
        case limited(retryAfter: Int)
    }

    private struct Bucket {
        var tokens: Double
        var updatedAt: ContinuousClock.Instant
    }

    /// Beyond this many tracked addresses, idle (full) buckets are dropped so memory stays bounded.
    private static let sweepThreshold = 10_000

    let limitPerMinute: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    init(limitPerMinute: Int) {
        self.limitPerMinute = limitPerMinute
    }

    func admit(_ key: String, now: ContinuousClock.Instant = .now) -> Decision {
        let capacity = Double(limitPerMinute)
        let refillPerSecond = capacity / 60
        return buckets.withLock { buckets in
            if buckets.count >= Self.sweepThreshold {
                buckets = buckets.filter { $0.value.tokens + (now - $0.value.updatedAt) / .seconds(1) * refillPerSecond < capacity }
            }
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updatedAt: now)
            bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updatedAt) / .seconds(1) * refillPerSecond)
            bucket.updatedAt = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else {
                return .limited(retryAfter: max(1, Int(((1 - bucket.tokens) / refillPerSecond).rounded(.up))))
            }
            bucket.tokens -= 1
            return .allowed
        }
    }
}

/// Limits the endpoints an attacker would hammer (login, refresh, the webhook) per client address,
/// answering 429 `rate_limited` with `Retry-After`.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let limiter: RateLimiter
    let limitedPaths: Set<String>
    let addresses: ClientAddressResolver

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard limitedPaths.contains(request.uri.path),
              let client = addresses.clientAddress(of: request, peer: context.remoteAddress?.ipAddress)
        else { return try await next(request, context) }
        switch limiter.admit(request.uri.path + " " + client) {
        case .allowed:
            return try await next(request, context)
        case .limited(let retryAfter):
            var response = APIError(.rateLimited, "more than \(limiter.limitPerMinute) requests a minute from this address; retry in \(retryAfter) s").response
            response.headers[.retryAfter] = String(retryAfter)
            return response
        }
    }
}

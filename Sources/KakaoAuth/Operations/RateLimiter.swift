import Hummingbird
import NIOCore
import Synchronization

/// A token bucket per route and client: `limitPerMinute` requests at once, refilled evenly over a minute.
///
/// Every request costs constant time, however many clients are tracked: a bucket that has refilled
/// completely is the same as no bucket, so it is forgotten; each request looks at the two buckets that have
/// waited longest for such a check (a "second chance" sweep: a bucket still in use goes to the back). Memory
/// is bounded by ``maximumTrackedClients``; past it the bucket that has waited longest is forgotten, which at
/// worst gives that client a fresh budget. IPv6 clients are keyed by their network (`RATE_LIMIT_IPV6_PREFIX`,
/// /64 by default): one host holds a whole /64, so keying by /128 would let it rotate addresses.
final class RateLimiter: Sendable {
    enum Decision: Equatable {
        case allowed
        /// Whole seconds until one more request would be allowed.
        case limited(retryAfter: Int)
    }

    /// About 100 bytes each (a 24-byte key in the table and in the sweep queue, a 24-byte bucket): 5 MB at most.
    static let maximumTrackedClients = 50_000
    /// Buckets looked at per request; more than one, so the sweep outpaces new clients.
    private static let sweepStepsPerRequest = 2

    /// A route and a client network in 24 bytes: no allocation per key.
    struct Key: Hashable {
        var route: UInt16
        var high: UInt64
        var low: UInt64
    }

    private struct Bucket {
        var tokens: Double
        var updatedAt: ContinuousClock.Instant
    }

    private struct State {
        var buckets: [Key: Bucket] = [:]
        /// Every tracked key once, the one that has waited longest for a sweep first.
        var sweepOrder = CircularBuffer<Key>()
        /// Route names (`POST /auth/refresh`) as small numbers, interned on first sight.
        var routeNumbers: [String: UInt16] = [:]
    }

    let limitPerMinute: Int
    let ipv6PrefixLength: Int
    private let maximumTrackedClients: Int
    private let state = Mutex(State())

    init(limitPerMinute: Int, ipv6PrefixLength: Int = 64, maximumTrackedClients: Int = RateLimiter.maximumTrackedClients) {
        self.limitPerMinute = limitPerMinute
        self.ipv6PrefixLength = ipv6PrefixLength
        self.maximumTrackedClients = maximumTrackedClients
    }

    /// How many buckets are tracked now (for tests and the memory bound).
    var trackedCount: Int { state.withLock { $0.buckets.count } }

    func admit(route: String, client: IPAddress, now: ContinuousClock.Instant = .now) -> Decision {
        let capacity = Double(limitPerMinute)
        let refillPerSecond = capacity / 60
        func refilled(_ bucket: Bucket) -> Double {
            min(capacity, bucket.tokens + (now - bucket.updatedAt) / .seconds(1) * refillPerSecond)
        }
        return state.withLock { state in
            let key = Key(route: Self.routeNumber(route, in: &state), client: client, ipv6PrefixLength: ipv6PrefixLength)
            for _ in 0..<Self.sweepStepsPerRequest {
                guard let oldest = state.sweepOrder.popFirst() else { break }
                if let bucket = state.buckets[oldest], refilled(bucket) < capacity {
                    state.sweepOrder.append(oldest)
                } else {
                    state.buckets[oldest] = nil
                }
            }
            var bucket: Bucket
            if let existing = state.buckets[key] {
                bucket = existing
                bucket.tokens = refilled(existing)
            } else {
                if state.buckets.count >= maximumTrackedClients, let oldest = state.sweepOrder.popFirst() {
                    state.buckets[oldest] = nil
                }
                bucket = Bucket(tokens: capacity, updatedAt: now)
                state.sweepOrder.append(key)
            }
            bucket.updatedAt = now
            defer { state.buckets[key] = bucket }
            guard bucket.tokens >= 1 else {
                return .limited(retryAfter: max(1, Int(((1 - bucket.tokens) / refillPerSecond).rounded(.up))))
            }
            bucket.tokens -= 1
            return .allowed
        }
    }

    private static func routeNumber(_ route: String, in state: inout State) -> UInt16 {
        if let number = state.routeNumbers[route] { return number }
        // Only routes the router matched reach the limiter, so this table is as small as the route list.
        let number = UInt16(truncatingIfNeeded: state.routeNumbers.count)
        state.routeNumbers[route] = number
        return number
    }
}

extension RateLimiter.Key {
    /// IPv4 clients by address (in their IPv4-mapped form, so they never meet an IPv6 key), IPv6 clients by
    /// their first `ipv6PrefixLength` bits.
    init(route: UInt16, client: IPAddress, ipv6PrefixLength: Int) {
        self.route = route
        if client.isIPv4 {
            high = 0
            low = 0xFFFF_0000_0000 | client.bytes.reduce(0) { $0 << 8 | UInt64($1) }
            return
        }
        let words = stride(from: 0, to: 16, by: 8).map { start in client.bytes[start..<start + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        high = words[0] & Self.mask(bits: min(64, ipv6PrefixLength))
        low = words[1] & Self.mask(bits: max(0, ipv6PrefixLength - 64))
    }

    /// The top `bits` bits of a 64-bit word.
    private static func mask(bits: Int) -> UInt64 {
        bits == 0 ? 0 : ~UInt64(0) << (64 - bits)
    }
}

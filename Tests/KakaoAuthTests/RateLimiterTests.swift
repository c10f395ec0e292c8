import Testing

@testable import KakaoAuth

/// The token buckets: refill, expiry in constant time per request, the memory bound, and client keys.
@Suite struct RateLimiterTests {
    let start = ContinuousClock.now

    func address(_ text: String) throws -> IPAddress {
        try #require(IPAddress(text))
    }

    @Test func refillsOverAMinute() throws {
        let limiter = RateLimiter(limitPerMinute: 60)
        let a = try address("192.0.2.1")
        let b = try address("192.0.2.2")
        for _ in 0..<60 { #expect(limiter.admit(route: "POST /r", client: a, now: start) == .allowed) }
        #expect(limiter.admit(route: "POST /r", client: a, now: start) == .limited(retryAfter: 1))
        #expect(limiter.admit(route: "POST /r", client: b, now: start) == .allowed)
        #expect(limiter.admit(route: "POST /other", client: a, now: start) == .allowed, "each route has its own budget")
        #expect(limiter.admit(route: "POST /r", client: a, now: start + .seconds(1)) == .allowed)
        #expect(limiter.admit(route: "POST /r", client: a, now: start + .seconds(1)) == .limited(retryAfter: 1))
    }

    @Test func bucketsThatRefilledAreForgottenAsRequestsArrive() throws {
        let limiter = RateLimiter(limitPerMinute: 5)
        for index in 0..<20_000 {
            _ = limiter.admit(route: "POST /r", client: try address("10.0.\(index / 256).\(index % 256)"), now: start)
        }
        #expect(limiter.trackedCount == 20_000)
        // A minute later every one of them has refilled. Each request sweeps two, so 10,000 requests of one
        // client forget all 20,000 and the table is back to that one client.
        let busy = try address("192.0.2.9")
        for second in 0..<10_000 {
            _ = limiter.admit(route: "POST /r", client: busy, now: start + .seconds(61) + .milliseconds(second))
        }
        #expect(limiter.trackedCount == 1)
    }

    @Test func aClientStillDrainingIsKeptBySweeps() throws {
        let limiter = RateLimiter(limitPerMinute: 2)
        let draining = try address("192.0.2.1")
        _ = limiter.admit(route: "POST /r", client: draining, now: start)
        _ = limiter.admit(route: "POST /r", client: draining, now: start)
        // Many sweeps pass over it while it is still empty: it must stay limited, not start afresh.
        for index in 0..<100 { _ = limiter.admit(route: "POST /r", client: try address("10.1.0.\(index)"), now: start + .seconds(1)) }
        #expect(limiter.admit(route: "POST /r", client: draining, now: start + .seconds(1)) != .allowed)
    }

    @Test func memoryIsBoundedUnderManyAddresses() throws {
        let limiter = RateLimiter(limitPerMinute: 5, maximumTrackedClients: 1_000)
        for index in 0..<50_000 {
            _ = limiter.admit(route: "POST /r", client: try address("10.\(index / 65_536).\(index / 256 % 256).\(index % 256)"), now: start)
        }
        #expect(limiter.trackedCount == 1_000)
    }

    @Test func ipv6ClientsAreKeyedByTheirNetwork() throws {
        let limiter = RateLimiter(limitPerMinute: 1)
        #expect(limiter.admit(route: "POST /r", client: try address("2001:db8:0:1::1"), now: start) == .allowed)
        // Another address of the same /64: the same host, the same bucket.
        #expect(limiter.admit(route: "POST /r", client: try address("2001:db8:0:1:ffff:ffff:ffff:ffff"), now: start) != .allowed)
        #expect(limiter.admit(route: "POST /r", client: try address("2001:db8:0:2::1"), now: start) == .allowed)

        let perAddress = RateLimiter(limitPerMinute: 1, ipv6PrefixLength: 128)
        #expect(perAddress.admit(route: "POST /r", client: try address("2001:db8::1"), now: start) == .allowed)
        #expect(perAddress.admit(route: "POST /r", client: try address("2001:db8::2"), now: start) == .allowed)
        #expect(perAddress.admit(route: "POST /r", client: try address("2001:db8::2"), now: start) != .allowed)

        let wide = RateLimiter(limitPerMinute: 1, ipv6PrefixLength: 48)
        #expect(wide.admit(route: "POST /r", client: try address("2001:db8:0:1::1"), now: start) == .allowed)
        #expect(wide.admit(route: "POST /r", client: try address("2001:db8:0:7::1"), now: start) != .allowed)
    }

    @Test func anIPv4MappedPeerIsItsIPv4Address() throws {
        let limiter = RateLimiter(limitPerMinute: 1)
        #expect(limiter.admit(route: "POST /r", client: try address("203.0.113.5"), now: start) == .allowed)
        #expect(limiter.admit(route: "POST /r", client: try address("::ffff:203.0.113.5"), now: start) != .allowed)
        // IPv4 keys never meet IPv6 ones, even under a prefix that would mask the mapped form.
        #expect(limiter.admit(route: "POST /r", client: try address("::"), now: start) == .allowed)
    }
}

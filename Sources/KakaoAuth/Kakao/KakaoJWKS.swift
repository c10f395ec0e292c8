/// Kakao's OpenID Connect signing keys (`{KAKAO_AUTH_BASE_URL}/.well-known/jwks.json`), cached in memory.
///
/// Fetched on the first id_token login (so the service starts without Kakao), kept for a day, and fetched
/// again sooner only when a token names a `kid` the set does not have (Kakao rotated its keys), at most
/// once per `KAKAO_JWKS_REFRESH_SECONDS` however many such tokens arrive: one fetch is in flight at a time,
/// requests that arrive meanwhile wait for it, and unknown kids after it are refused until the interval is
/// over. Kakao asks its users to cache the set and not to hammer the endpoint.
actor KakaoJWKS {
    static let maximumAge: Duration = .seconds(86_400)

    private let fetch: @Sendable () async throws -> JSONValue
    private let refetchInterval: Duration
    private var keys: [String: RSAPublicKey] = [:]
    private var fetchedAt: ContinuousClock.Instant?
    private var lastFetchStarted: ContinuousClock.Instant?
    private var inFlight: Task<[String: RSAPublicKey], any Error>?

    init(refetchInterval: Duration, fetch: @escaping @Sendable () async throws -> JSONValue) {
        self.refetchInterval = refetchInterval
        self.fetch = fetch
    }

    /// The key of `kid`, or nil when Kakao's set has no such key (after a fetch, or within the interval).
    func key(for kid: String, now: ContinuousClock.Instant = .now) async throws -> RSAPublicKey? {
        let isFresh = fetchedAt.map { now - $0 < Self.maximumAge } ?? false
        if isFresh {
            if let key = keys[kid] { return key }
            if inFlight == nil, let started = lastFetchStarted, now - started < refetchInterval { return nil }
        }
        let fetching = inFlight ?? startFetch(now: now)
        defer { if inFlight == fetching { inFlight = nil } }
        keys = try await fetching.value
        fetchedAt = now
        return keys[kid]
    }

    private func startFetch(now: ContinuousClock.Instant) -> Task<[String: RSAPublicKey], any Error> {
        lastFetchStarted = now
        let fetch = self.fetch
        let task = Task { try Self.usableKeys(in: try await fetch()) }
        inFlight = task
        return task
    }

    /// The RSA signing keys of a JWKS document: `kty` RSA, a `kid`, `alg` RS256 or absent, `use` sig or
    /// absent, and a modulus of 2048 to 8192 bits. Anything else in the set is skipped; a set with none of
    /// them is Kakao answering unusably.
    static func usableKeys(in document: JSONValue) throws(KakaoError) -> [String: RSAPublicKey] {
        guard case .array(let entries)? = document["keys"] else { throw .malformedAnswer("the JWKS has no keys array") }
        var keys: [String: RSAPublicKey] = [:]
        for entry in entries {
            guard entry["kty"]?.stringValue == "RSA", let kid = entry["kid"]?.stringValue, !kid.isEmpty,
                  entry["alg"].map({ $0.stringValue == "RS256" }) ?? true, entry["use"].map({ $0.stringValue == "sig" }) ?? true,
                  let modulus = entry["n"]?.stringValue.flatMap(Base64URL.decode), let exponent = entry["e"]?.stringValue.flatMap(Base64URL.decode),
                  let key = RSAPublicKey(modulus: modulus, exponent: exponent)
            else { continue }
            keys[kid] = key
        }
        guard !keys.isEmpty else { throw .malformedAnswer("the JWKS has no usable RSA signing key") }
        return keys
    }
}

import KakaoAuthTokens
import Synchronization

/// Kakao's OpenID Connect signing keys (`{KAKAO_AUTH_BASE_URL}/.well-known/jwks.json`), cached in memory.
///
/// Fetched on the first id_token login (so the service starts without Kakao), kept for a day, and fetched
/// again sooner only when a token names a `kid` the set does not have (Kakao rotated its keys), at most
/// once per `KAKAO_JWKS_REFRESH_SECONDS` however many such tokens arrive, and whether fetches succeed or fail: one fetch is in flight at a time,
/// requests that arrive meanwhile wait for it, and unknown kids after it are refused until the interval is
/// over. Kakao asks its users to cache the set and not to hammer the endpoint.
///
/// A lock rather than an actor: a login with a known kid reads the cached key without leaving its event
/// loop (measured with bench/run.py, an actor hop per login cost about a tenth of id_token login throughput).
final class KakaoJWKS: Sendable {
    /// Seconds the set is used before it is fetched again.
    static let maximumAge: Int64 = 86_400

    private struct State {
        var keys: [String: RSAPublicKey] = [:]
        /// Times on the service's clock (seconds since 1970), so that tests move it rather than wait.
        var fetchedAt: Int64?
        var lastFetchStarted: Int64?
        /// Why the last fetch failed, until one succeeds.
        var lastFailure: (any Error)?
        var inFlight: Task<[String: RSAPublicKey], any Error>?
    }

    private enum Lookup {
        case found(RSAPublicKey?)
        case wait(Task<[String: RSAPublicKey], any Error>)
    }

    private let fetch: @Sendable () async throws -> JSONValue
    /// Seconds.
    private let refetchInterval: Int64
    private let state = Mutex(State())

    init(refetchInterval: Int64, fetch: @escaping @Sendable () async throws -> JSONValue) {
        self.refetchInterval = refetchInterval
        self.fetch = fetch
    }

    /// The key of `kid`, or nil when Kakao's set has no such key (after a fetch, or within the interval).
    ///
    /// The interval also spaces out fetches after a failure, so that a Kakao outage is not met with a fetch
    /// per login; meanwhile the last good set keeps being used (past its day, if need be), and without one
    /// the failure is the answer (502/504).
    func key(for kid: String, now: Int64) async throws -> RSAPublicKey? {
        let lookup: Lookup = try state.withLock { state in
            let isFresh = state.fetchedAt.map { now - $0 < Self.maximumAge } ?? false
            if isFresh, let key = state.keys[kid] { return .found(key) }
            if let inFlight = state.inFlight { return .wait(inFlight) }
            if let started = state.lastFetchStarted, now - started < refetchInterval {
                if let key = state.keys[kid] { return .found(key) }
                if let failure = state.lastFailure { throw failure }
                return .found(nil)
            }
            state.lastFetchStarted = now
            let fetch = self.fetch
            let task = Task { try Self.usableKeys(in: try await fetch()) }
            state.inFlight = task
            return .wait(task)
        }
        let fetching: Task<[String: RSAPublicKey], any Error>
        switch lookup {
        case .found(let key): return key
        case .wait(let task): fetching = task
        }
        do {
            let keys = try await fetching.value
            return state.withLock { state in
                if state.inFlight == fetching {
                    state.keys = keys
                    state.fetchedAt = now
                    state.lastFailure = nil
                    state.inFlight = nil
                }
                return keys[kid]
            }
        } catch {
            let stale: RSAPublicKey? = state.withLock { state in
                if state.inFlight == fetching {
                    state.lastFailure = error
                    state.inFlight = nil
                }
                return state.keys[kid]
            }
            guard let stale else { throw error }
            return stale
        }
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

import Foundation
import KakaoAuthTokens

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Verifies kakao-auth's access tokens in a Swift service, as strictly as kakao-auth itself does (it is the
/// same codec): the header byte for byte one kakao-auth writes, so each `kid` is bound to its key's one
/// algorithm; strict base64url; the signature before the payload is read; exactly the claims, with
/// `iss`, `aud`, `iat` and `exp` checked (30 seconds of clock leeway), and `roles` and `app_metadata` within
/// the limits kakao-auth sets them in; 4 KiB at most.
///
/// Keys come from kakao-auth's JWKS (EdDSA or ES256: fetched on first use, and again for a `kid` it does not
/// know, at most once a minute) or from the shared HS256 secret.
public final class KakaoAuthVerifier: Sendable {
    /// What an access token says.
    public struct Claims: Sendable, Equatable {
        /// `sub`: kakao-auth's id of the user.
        public let userID: String
        /// `sid`: the session the token belongs to.
        public let sessionID: String
        /// `jti`.
        public let tokenID: String
        public let issuedAt: Date
        public let expiresAt: Date
        /// `roles`: what kakao-auth's operators let the user do, sorted; empty when they set none. As they were
        /// when the token was issued: a change reaches the user's next token, within `ACCESS_TOKEN_TTL`.
        public let roles: [String]
        /// `app_metadata`: the app's own facts about the user, as operators set them, in the JSON object's compact
        /// form; `{}` when the token carries none.
        public let appMetadata: Data

        public func hasRole(_ role: String) -> Bool {
            roles.contains(role)
        }

        /// ``appMetadata`` decoded as the app's own type.
        public func decodeAppMetadata<Metadata: Decodable>(_ type: Metadata.Type, using decoder: JSONDecoder = JSONDecoder()) throws -> Metadata {
            try decoder.decode(type, from: appMetadata)
        }
    }

    /// Why a token was refused; `description` is safe to log (it never contains the token).
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The key set could not be fetched (yet): no token can be judged, which is not the token's fault.
    public struct KeySetUnavailable: Error, Sendable, CustomStringConvertible {
        public let url: URL
        public var description: String { "the key set at \(url) could not be fetched" }
    }

    private let keys: VerificationKeys

    /// Verifies tokens signed with the shared secret (`JWT_SECRET`, HS256); `previousSecrets` are still accepted.
    public init(secret: String, previousSecrets: [String] = [], issuer: String = "kakao-auth", audience: String = "kakao-auth") throws {
        for candidate in [secret] + previousSecrets where candidate.utf8.count < 32 {
            throw Refusal(description: "a secret must be at least 32 bytes, as kakao-auth requires")
        }
        let codec = JWTCodec(secret: Array(secret.utf8), previousSecrets: previousSecrets.map { Array($0.utf8) }, issuer: issuer, audience: audience)
        keys = .fixed(codec)
    }

    /// Verifies tokens signed with the keys of kakao-auth's JWKS (`…/.well-known/jwks.json`).
    ///
    /// The key set is fetched without following redirects, read up to 64 KiB (a larger answer is dropped as it
    /// arrives), and each fetch has `fetchTimeout` seconds in all.
    public init(jwksURL: URL, issuer: String = "kakao-auth", audience: String = "kakao-auth", fetchTimeout: TimeInterval = 5) {
        keys = .keySet(KeySetCache(url: jwksURL, issuer: issuer, audience: audience, fetchTimeout: fetchTimeout))
    }

    /// The token's claims, or a ``Refusal``: not an access token of ours, signed by another key, expired, …
    public func verifyAccessToken(_ token: String, now: Date = Date()) async throws -> Claims {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let claims: TokenClaims
        do {
            switch keys {
            case .fixed(let codec):
                claims = try codec.verify(token, as: .access, now: seconds)
            case .keySet(let cache):
                claims = try await cache.verify(token, now: seconds)
            }
        } catch let error as TokenError {
            throw Refusal(description: error.reason.rawValue)
        }
        return Claims(
            userID: claims.subject, sessionID: claims.sessionID, tokenID: claims.tokenID,
            issuedAt: Date(timeIntervalSince1970: TimeInterval(claims.issuedAt)),
            expiresAt: Date(timeIntervalSince1970: TimeInterval(claims.expiresAt)), roles: claims.roles,
            appMetadata: Data((claims.appMetadata ?? "{}").utf8))
    }

    private enum VerificationKeys: Sendable {
        case fixed(JWTCodec)
        case keySet(KeySetCache)
    }
}

/// The JWKS, fetched when first needed and again when a token names a key it lacks, at most once a minute
/// (a stream of tokens with made-up `kid`s cannot make it hammer kakao-auth); a failed fetch is tried again
/// after 5 seconds. Requests that arrive during a fetch wait for it.
///
/// Only the key set is kept by the actor: tokens are verified outside it, on the caller's task, so that a
/// stream of bad signatures costs the cores it runs on and never queues every request behind one.
actor KeySetCache {
    static let refetchInterval: TimeInterval = 60
    static let retryInterval: TimeInterval = 5
    /// A key set is a few hundred bytes; anything far larger is not kakao-auth's.
    static let maximumDocumentSize = 65_536

    private let url: URL
    private let issuer: String
    private let audience: String
    private let fetchTimeout: TimeInterval
    private var codec: JWTCodec?
    private var fetching: Task<JWTCodec, any Error>?
    private var nextFetch = Date.distantPast

    init(url: URL, issuer: String, audience: String, fetchTimeout: TimeInterval) {
        self.url = url
        self.issuer = issuer
        self.audience = audience
        self.fetchTimeout = fetchTimeout
    }

    nonisolated func verify(_ token: String, now: Int64) async throws -> TokenClaims {
        if let codec = await current {
            do {
                return try codec.verify(token, as: .access, now: now)
            } catch  where error.reason == .unsupportedHeader {
                // Perhaps a key published since the last fetch: fetch again, if it is time.
            }
        }
        guard let codec = await refetched() else { throw KakaoAuthVerifier.KeySetUnavailable(url: url) }
        return try codec.verify(token, as: .access, now: now)
    }

    private var current: JWTCodec? { codec }

    /// The codec after a fetch, when one is due (or under way); the one held otherwise.
    private func refetched() async -> JWTCodec? {
        if fetching == nil, Date() >= nextFetch {
            nextFetch = Date().addingTimeInterval(Self.refetchInterval)
            let (url, timeout) = (url, fetchTimeout)
            fetching = Task { try await self.codec(of: JWKSDownload.fetch(url, maximumSize: Self.maximumDocumentSize, timeout: timeout)) }
        }
        if let fetching {
            do {
                codec = try await fetching.value
            } catch {
                nextFetch = Date().addingTimeInterval(Self.retryInterval)
            }
            self.fetching = nil
        }
        return codec
    }

    /// The codec of a fetched key set: every key kakao-auth could have published (others are skipped).
    private func codec(of body: Data) throws -> JWTCodec {
        guard let document = try? StrictJSONReader.parse(body, maximumDepth: 4), case .array(let entries)? = document["keys"] else {
            throw KakaoAuthVerifier.KeySetUnavailable(url: url)
        }
        let keys = entries.compactMap(AsymmetricKey.publicKey(jwk:))
        // A cache of its own: a token verified under a key the new set no longer has must be verified again.
        return JWTCodec(verificationKeys: keys, issuer: issuer, audience: audience, verifiedTokens: VerifiedTokenCache())
    }
}

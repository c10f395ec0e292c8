import KakaoAuthTokens
import NIOCore

/// Why a Security Event Token was refused, as RFC 8935 (push delivery) names it: the `err` of the 400 answer,
/// with a description for Kakao's console.
struct SecurityEventRefusal: Error, Equatable {
    enum Code: String, Sendable {
        /// Wrong media type, malformed, claims missing or wrong.
        case invalidRequest = "invalid_request"
        /// Not RS256, a `kid` Kakao does not publish, a signature that does not verify.
        case invalidKey = "invalid_key"
        case invalidIssuer = "invalid_issuer"
        case invalidAudience = "invalid_audience"
    }

    let code: Code
    let description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

/// Kakao's JWKS could not be fetched, or not in time, for a `kid` we do not hold: the SET may be good, so it is
/// answered 503 and Kakao sends it again later.
struct SecurityEventKeysUnavailable: Error {}

/// Verifies the Security Event Tokens (RFC 8417) that Kakao's account status webhook pushes: exactly RS256
/// under a key of Kakao's id_token JWKS, `typ` `secevent+jwt` (so an id_token is never one), our issuer and
/// client id, fresh, with a `jti`, a Kakao id as `sub` and at least one event. Nothing else in it is trusted.
struct KakaoSecurityEventVerifier: Sendable {
    struct Settings: Sendable {
        /// `KAKAO_OIDC_ISSUER`.
        var issuer: String
        /// `KAKAO_CLIENT_ID`: Kakao addresses SETs to the REST API key.
        var audience: String
        /// `KAKAO_SET_MAX_AGE`: seconds after `iat` a SET is still taken (and its `jti` remembered).
        var maximumAge: Int64
    }

    /// The body limit of the webhook: Kakao's SETs are under 1 KB.
    static let maximumSize = 16 * 1024
    /// How far in the future `iat` may be: clocks differ.
    static let issuedAtLeeway: Int64 = 60

    let settings: Settings
    let keys: KakaoJWKS
    /// How long a SET waits for Kakao's JWKS (fetched once for logins and SETs alike): less than Kakao's 3 s,
    /// and less than `KAKAO_TIMEOUT_SECONDS`, so a slow JWKS is answered 503 in time rather than not at all.
    let keyWait: TimeAmount

    /// The event the token carries, or a ``SecurityEventRefusal``, or ``SecurityEventKeysUnavailable``.
    func verify(_ token: String, now: Int64) async throws -> KakaoSecurityEvent {
        func malformed(_ description: String) -> SecurityEventRefusal { SecurityEventRefusal(.invalidRequest, "the SET " + description) }
        guard token.utf8.count <= Self.maximumSize else { throw malformed("is longer than \(Self.maximumSize) bytes") }
        let signed: KakaoSignedToken
        do {
            signed = try await KakaoSignedToken(
                token, keys: { try await key($0, now: now) },
                checkHeader: { header in
                    // RFC 8417 §2.3; media types compare case-insensitively, with or without `application/`.
                    guard let typ = header["typ"]?.stringValue?.lowercased(), typ == "secevent+jwt" || typ == "application/secevent+jwt" else {
                        throw malformed("typ is not secevent+jwt")
                    }
                })
        } catch let flaw as KakaoSignedToken.Flaw {
            switch flaw {
            case .malformed(let reason): throw malformed(reason)
            case .wrongAlgorithm: throw SecurityEventRefusal(.invalidKey, "the SET is not signed with RS256")
            case .unknownKey: throw SecurityEventRefusal(.invalidKey, "the SET's kid is not one of Kakao's keys")
            case .badSignature: throw SecurityEventRefusal(.invalidKey, "the SET's signature does not verify")
            }
        }

        guard let claims = try? StrictJSONReader.parse(signed.payload, maximumDepth: 8), case .object = claims else {
            throw malformed("payload is not a JSON object of at most 8 levels")
        }
        guard claims["iss"]?.stringValue == settings.issuer else {
            throw SecurityEventRefusal(.invalidIssuer, "the SET's iss is not \(settings.issuer)")
        }
        guard Self.audience(claims["aud"], contains: settings.audience) else {
            throw SecurityEventRefusal(.invalidAudience, "the SET's aud is not KAKAO_CLIENT_ID, nor an array that holds it")
        }
        // Written so that no claim value can overflow the arithmetic: `now` is a small number, claims are not.
        guard let issuedAt = claims["iat"]?.integerValue else { throw malformed("has no integer iat") }
        guard issuedAt <= now + Self.issuedAtLeeway else { throw malformed("was issued more than \(Self.issuedAtLeeway) s in the future") }
        guard issuedAt >= now - settings.maximumAge else { throw malformed("was issued more than \(settings.maximumAge) s ago (KAKAO_SET_MAX_AGE)") }
        if let expiry = claims["exp"] {
            guard let expiresAt = expiry.integerValue else { throw malformed("exp is not an integer") }
            guard expiresAt > now - JWTCodec.clockLeeway else { throw malformed("has expired") }
        }
        guard let jti = claims["jti"]?.stringValue, (1...256).contains(jti.unicodeScalars.count) else {
            throw malformed("has no jti of 1 to 256 characters")
        }
        guard let subject = claims["sub"]?.stringValue, let kakaoID = KakaoProfile.kakaoID(decimal: subject) else {
            throw malformed("sub is not a Kakao user id (decimal digits, at most 2^63-1)")
        }
        guard case .object(let members)? = claims["events"], !members.isEmpty else { throw malformed("events is not an object with an event") }
        var events: [KakaoAccountEvent] = []
        // In URI order: the audit detail then reads the same however the JSON was ordered.
        for (uri, event) in members.sorted(by: { $0.key < $1.key }) {
            guard case .object = event else { throw malformed("event \(ClientText.capped(uri, bytes: 128)) is not an object") }
            if let inner = event["subject"]?["sub"], inner.stringValue != subject {
                throw malformed("subject.sub of an event is not the SET's sub")
            }
            events.append(KakaoAccountEvent(uri: uri))
        }
        return KakaoSecurityEvent(jti: jti, kakaoID: kakaoID, issuedAt: issuedAt, events: events)
    }

    private func key(_ kid: String, now: Int64) async throws -> RSAPublicKey? {
        let keys = keys
        let lookup = Task { try await keys.key(for: kid, now: now) }
        do {
            return try await value(of: lookup, waitingAtMost: keyWait)
        } catch is DeadlineExceeded, is KakaoError {
            throw SecurityEventKeysUnavailable()
        }
    }

    /// RFC 7519 §4.1.3: a string, or an array of strings, one of them ours.
    private static func audience(_ claim: JSONValue?, contains audience: String) -> Bool {
        switch claim {
        case .string(let value)?: value == audience
        case .array(let values)?: values.contains { $0.stringValue == audience }
        default: false
        }
    }
}

import KakaoAuthTokens

/// Why an id_token or a Kakao access token from an app was refused: the detail of a 400 `invalid_grant`.
struct KakaoCredentialRefusal: Error, Equatable {
    let reason: String
}

/// Verifies the OpenID Connect ID token that Kakao's SDKs hand an app, as OpenID Connect Core 3.1.3.7
/// demands, without calling Kakao's token or user endpoints: exactly RS256 under a key of Kakao's JWKS,
/// our issuer, one of our app keys as audience, fresh, and bound to the app's nonce.
struct KakaoIDTokenVerifier: Sendable {
    /// `KAKAO_ID_TOKEN_NONCE`: how the nonce an app sends is bound to the token's `nonce` claim.
    enum NonceBinding: String, Sendable, CaseIterable {
        /// The claim equals the nonce sent (OpenID Connect's own rule). It proves that the token came from
        /// a login the app started only if the token itself never leaks: the claim is readable in it.
        case plain
        /// The claim is the lowercase hex SHA-256 of the nonce sent, and every token must have one: the
        /// app passes `sha256(raw)` to Kakao's login and sends `raw` here, which the token does not reveal,
        /// so a leaked token alone logs no one in.
        case sha256
    }

    struct Settings: Sendable {
        /// `KAKAO_OIDC_ISSUER`.
        var issuer: String
        /// `KAKAO_ID_TOKEN_AUDIENCES`: the app keys a token may be issued to (the SDKs use the native app key).
        var audiences: Set<String>
        /// `KAKAO_ID_TOKEN_MAX_AGE`: seconds after `iat` a token is still taken, so that one found in an old
        /// log cannot be replayed for the six hours Kakao's tokens live.
        var maximumAge: Int64
        var nonceBinding: NonceBinding = .plain
    }

    /// Kakao's tokens are about 1 KB; this leaves room for long profile claims.
    static let maximumSize = 8 * 1024

    let settings: Settings
    let keys: KakaoJWKS

    /// What a verified token says: the profile it vouches for, and when it stops verifying.
    struct Verified: Sendable {
        var profile: KakaoProfile
        /// When the token stops verifying: at `exp`, or `KAKAO_ID_TOKEN_MAX_AGE` after `iat` if sooner, plus
        /// the clock leeway. Never far off, whatever `exp` says.
        var acceptedUntil: Int64
    }

    /// The profile the token vouches for, or a ``KakaoCredentialRefusal``. Fetching the JWKS can also fail
    /// with a ``KakaoError`` (502/504 as for any Kakao call).
    func verify(_ token: String, nonce: String?, now: Int64) async throws -> Verified {
        func refuse(_ reason: String) -> KakaoCredentialRefusal { KakaoCredentialRefusal(reason: "the id_token \(reason)") }
        guard token.utf8.count <= Self.maximumSize else { throw refuse("is longer than \(Self.maximumSize) bytes") }
        let signed: KakaoSignedToken
        do {
            signed = try await KakaoSignedToken(
                token, keys: { try await keys.key(for: $0, now: now) },
                checkHeader: { header in
                    guard header["typ"].map({ $0.stringValue == "JWT" }) ?? true else { throw refuse("typ is not JWT") }
                })
        } catch let flaw as KakaoSignedToken.Flaw {
            switch flaw {
            case .malformed(let reason): throw refuse(reason)
            case .wrongAlgorithm: throw refuse("is not signed with RS256")
            case .unknownKey: throw refuse("kid is not one of Kakao's keys")
            case .badSignature: throw refuse("signature does not verify")
            }
        }

        guard let claims = try? StrictJSONReader.parse(signed.payload, maximumDepth: 2), case .object = claims else {
            throw refuse("payload is not a JSON object")
        }
        guard claims["iss"]?.stringValue == settings.issuer else { throw refuse("issuer is not \(settings.issuer)") }
        guard let audience = claims["aud"]?.stringValue, settings.audiences.contains(audience) else {
            throw refuse("audience is not one of KAKAO_ID_TOKEN_AUDIENCES")
        }
        guard let expiresAt = claims["exp"]?.integerValue, let issuedAt = claims["iat"]?.integerValue else {
            throw refuse("has no integer exp and iat")
        }
        // Written so that no claim value can overflow the arithmetic: `now` is a small number, claims are not.
        guard expiresAt > now - JWTCodec.clockLeeway else { throw refuse("has expired") }
        guard issuedAt <= now + JWTCodec.clockLeeway else { throw refuse("was issued in the future") }
        guard issuedAt >= now - settings.maximumAge else {
            throw refuse("was issued more than \(settings.maximumAge) s ago (KAKAO_ID_TOKEN_MAX_AGE)")
        }
        try checkNonce(sent: nonce, claimed: claims["nonce"], refuse: refuse)
        guard let subject = claims["sub"]?.stringValue, let kakaoID = KakaoProfile.kakaoID(decimal: subject) else {
            throw refuse("sub is not a Kakao user id (decimal digits, at most 2^63-1)")
        }
        var profileClaims: [String: String] = [:]
        for name in ["nickname", "picture", "email"] {
            guard let value = claims[name] else { continue }
            guard let text = value.stringValue else { throw refuse("\(name) is not a string") }
            // An empty claim says nothing: it neither clears nor replaces what we have.
            if !text.isEmpty { profileClaims[name] = text }
        }
        // Kakao puts `email` in the token only when the address is valid and verified.
        let profile = KakaoProfile(
            id: kakaoID, nickname: profileClaims["nickname"], email: profileClaims["email"], emailVerified: profileClaims["email"] != nil,
            profileImageURL: profileClaims["picture"], thumbnailImageURL: nil, keepsAbsentFields: true)
        // `iat` is within `maximumAge` of now, so this sum cannot overflow, and neither can the leeway's.
        return Verified(profile: profile, acceptedUntil: min(expiresAt, issuedAt + settings.maximumAge) + JWTCodec.clockLeeway)
    }

    private func checkNonce(sent: String?, claimed: JSONValue?, refuse: (String) -> KakaoCredentialRefusal) throws {
        switch (sent, claimed) {
        case (nil, nil) where settings.nonceBinding == .plain:
            return
        case (nil, nil):
            throw refuse("carries no nonce (KAKAO_ID_TOKEN_NONCE=sha256 requires one)")
        case (let sent?, let claimed?):
            guard let claimed = claimed.stringValue else { throw refuse("nonce is not a string") }
            let expected = settings.nonceBinding == .plain ? sent : OpenSSL.sha256(sent).lowercaseHex
            guard OpenSSL.constantTimeEqual(claimed, expected) else { throw refuse("nonce does not match") }
        case (nil, _?):
            throw refuse("carries a nonce: send the nonce the app passed to Kakao's login")
        case (_?, nil):
            throw refuse("carries no nonce, but one was sent")
        }
    }
}

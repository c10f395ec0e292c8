import Hummingbird
import KakaoAuthTokens

/// `POST /auth/introspect` (RFC 7662), for services that would rather ask than verify locally: it answers
/// `active: true` only for a valid access token whose session is still live, so it sees logouts and
/// revocations at once, with the token's claims.
struct IntrospectionController {
    typealias Context = AppRequestContext

    let accounts: Accounts
    let tokens: TokenIssuer
    let bodies: RequestBody
    /// When set, callers must present it as `Authorization: Bearer`.
    let callerToken: String?
    let clock: UnixClock

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("introspect", use: introspect)
    }

    @Sendable func introspect(_ request: Request, context: Context) async throws -> Response {
        if let callerToken {
            guard let presented = request.headers[.authorization].flatMap(BearerToken.parse),
                OpenSSL.constantTimeEqual(presented, callerToken)
            else { throw APIError(.invalidCredentials, "introspection needs Authorization: Bearer with INTROSPECTION_TOKEN") }
        }
        let token = try await presentedToken(in: request)
        let now = clock.now()
        guard let claims = try? tokens.verify(token, as: .access, now: now),
            let user = try await accounts.activeUser(id: claims.subject, sessionID: claims.sessionID, now: now)
        else { return Response.json { $0.add("active", false) } }
        return Response.json { json in
            json.add("active", true)
            json.add("sub", claims.subject)
            json.add("sid", claims.sessionID)
            json.add("exp", claims.expiresAt)
            json.add("iat", claims.issuedAt)
            json.add("iss", tokens.codec.issuer)
            json.add("aud", tokens.codec.audience)
            json.add("token_type", "Bearer")
            json.add("kakao_id", String(user.kakaoID))
            // The token's, as a verifying service would read them: not the stored ones, which /users/me shows.
            json.add("roles", strings: claims.roles)
            if let appMetadata = claims.appMetadata { json.add("app_metadata", json: appMetadata) }
        }
    }

    /// `token` from a form body (as RFC 7662 has it) or a JSON body.
    private func presentedToken(in request: Request) async throws -> String {
        let mediaType = request.headers[.contentType].flatMap(MediaType.init(from:))
        if let mediaType, mediaType.isType(.applicationUrlEncoded) {
            let body = try await bodies.collect(request)
            guard let fields = URLEncodedForm.decode(String(buffer: body)) else {
                throw APIError(.invalidRequest, "the form is malformed or repeats a field")
            }
            guard let token = fields["token"], !token.isEmpty else { throw APIError(.invalidRequest, "token is required") }
            return token
        }
        let fields = try await bodies.jsonObject(of: request, required: true)!.allowingOnly(["token", "token_type_hint"])
        _ = try fields.string("token_type_hint")
        return try fields.requiredString("token", maximumLength: RequestBody.maximumSize)
    }
}

import Hummingbird

/// `POST /auth/introspect` (RFC 7662), for services that would rather ask than verify locally: it answers
/// `active: true` only for a valid access token whose session is still live, so it sees logouts and
/// revocations at once.
struct IntrospectionController {
    typealias Context = AppRequestContext

    let database: AppDatabase
    let tokens: TokenIssuer
    let bodies: RequestBody
    /// When set, callers must present it as `Authorization: Bearer`.
    let callerToken: String?
    let clock: UnixClock

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("introspect", use: introspect)
    }

    struct ActiveToken: Encodable {
        let active = true
        var sub: String
        var sid: String
        var exp: Int64
        var iat: Int64
        var iss: String
        var aud: String
        let tokenType = "Bearer"
        var kakaoID: String

        enum CodingKeys: String, CodingKey {
            case active, sub, sid, exp, iat, iss, aud
            case tokenType = "token_type"
            case kakaoID = "kakao_id"
        }
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
              let user = try database.activeUser(id: claims.subject, sessionID: claims.sessionID, now: now)
        else { return try Response.json(["active": false]) }
        return try Response.json(ActiveToken(
            sub: claims.subject, sid: claims.sessionID, exp: claims.expiresAt, iat: claims.issuedAt,
            iss: tokens.codec.issuer, aud: tokens.codec.audience, kakaoID: String(user.kakaoID)))
    }

    /// `token` from a form body (as RFC 7662 has it) or a JSON body.
    private func presentedToken(in request: Request) async throws -> String {
        let mediaType = request.headers[.contentType].flatMap(MediaType.init(from:))
        if let mediaType, mediaType.isType(.applicationUrlEncoded) {
            let body = try await bodies.collect(request)
            guard let fields = URLEncodedForm.decode(String(buffer: body)) else { throw APIError(.invalidRequest, "the form is malformed or repeats a field") }
            guard let token = fields["token"], !token.isEmpty else { throw APIError(.invalidRequest, "token is required") }
            return token
        }
        let fields = try await bodies.jsonObject(of: request, required: true)!.allowingOnly(["token", "token_type_hint"])
        _ = try fields.string("token_type_hint")
        return try fields.requiredString("token", maximumLength: RequestBody.maximumSize)
    }
}

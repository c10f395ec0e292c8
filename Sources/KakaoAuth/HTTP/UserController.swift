import Hummingbird

/// `/users`: the signed-in user, and deleting their account.
struct UserController {
    typealias Context = AppRequestContext

    let accounts: Accounts
    let tokens: TokenIssuer
    let cookies: AuthCookies
    let kakao: KakaoClient
    let clock: UnixClock

    /// Both use the access cookie; deleting also calls Kakao and writes.
    func addRoutes(to router: Router<Context>, guards: RouteGuards) {
        guards.group(router, "users", checks: [.actsWithCookies]).get("me", use: me)
        guards.group(router, "users", checks: [.rateLimited, .actsWithCookies]).delete("me", use: deleteMe)
    }

    /// Unlike services that verify our tokens locally, this also consults the database, so it refuses a
    /// token whose session was revoked or whose user is gone even before the token expires.
    @Sendable func me(_ request: Request, context: Context) async throws -> Response {
        Response.json(UserResource(record: try await authenticate(request)).write)
    }

    /// Unlinks the user at Kakao with the admin key, then erases them with every session (see
    /// ``Accounts/erase(_:event:now:detail:)``). If Kakao fails, nothing is deleted.
    @Sendable func deleteMe(_ request: Request, context: Context) async throws -> Response {
        let user = try await authenticate(request)
        guard let adminKey = kakao.settings.adminKey else {
            throw APIError(.unlinkUnavailable, "deleting accounts needs KAKAO_ADMIN_KEY, to unlink the user at Kakao first")
        }
        try await kakao.unlink(kakaoID: user.kakaoID, adminKey: adminKey)
        try await accounts.erase(.id(user.id), event: .unlink, now: clock.now())
        var response = Response(status: .noContent)
        cookies.clear(on: &response)
        return response
    }

    /// The user of the presented access token's live session.
    private func authenticate(_ request: Request) async throws -> UserRecord {
        let token = try accessToken(in: request)
        let now = clock.now()
        let claims = try tokens.verify(token, as: .access, now: now)
        guard let user = try await accounts.activeUser(id: claims.subject, sessionID: claims.sessionID, now: now) else {
            throw APIError(.invalidToken, "the session of this token was revoked or has ended")
        }
        return user
    }

    /// The access token from `Authorization: Bearer`, which wins when present, or else from the access cookie.
    private func accessToken(in request: Request) throws(APIError) -> String {
        if let authorization = request.headers[.authorization] {
            guard let token = BearerToken.parse(authorization) else {
                throw APIError(.invalidToken, "the Authorization header must be \"Bearer <access token>\"")
            }
            return token
        }
        if let token = cookies.accessToken(in: request), !token.isEmpty {
            return token
        }
        throw APIError(.invalidToken, "no access token: send \"Authorization: Bearer <token>\" or the access cookie")
    }
}

/// `Authorization: Bearer <token>`, the scheme case-insensitive (RFC 9110).
enum BearerToken {
    static func parse(_ authorization: String) -> String? {
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }
}

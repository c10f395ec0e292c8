import Hummingbird

/// `/users`: the signed-in user.
struct UserController<Context: RequestContext> {
    let database: AppDatabase
    let tokens: TokenIssuer
    let cookies: AuthCookies
    let clock: UnixClock

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("me", use: me)
    }

    /// Unlike services that verify our tokens locally, this also consults the database, so it refuses a
    /// token whose session was revoked or whose user is gone even before the token expires.
    @Sendable func me(_ request: Request, context: Context) async throws -> Response {
        let now = clock.now()
        let claims = try tokens.verify(try accessToken(in: request), as: .access, now: now)
        guard let user = try await database.activeUser(id: claims.subject, sessionID: claims.sessionID, now: now) else {
            throw APIError(.invalidToken, "the session of this token was revoked or has ended")
        }
        return try Response.json(UserResource(record: user))
    }

    /// The access token from `Authorization: Bearer`, which wins when present, or else from the access cookie.
    private func accessToken(in request: Request) throws(APIError) -> String {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw APIError(.invalidToken, "the Authorization header must be \"Bearer <access token>\"")
            }
            return String(parts[1])
        }
        if let token = cookies.accessToken(in: request), !token.isEmpty {
            return token
        }
        throw APIError(.invalidToken, "no access token: send \"Authorization: Bearer <token>\" or the access cookie")
    }
}

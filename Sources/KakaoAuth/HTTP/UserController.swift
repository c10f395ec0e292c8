import Hummingbird
import KakaoAuthTokens

/// `/users`: the signed-in user. (Deleting the account takes the refresh token: `DELETE /auth/account`; an
/// access token, which every service that verifies our tokens receives, erases nothing.)
struct UserController {
    typealias Context = AppRequestContext

    let accounts: Accounts
    let tokens: TokenIssuer
    let cookies: AuthCookies
    let clock: UnixClock

    /// It uses the access cookie.
    func addRoutes(to router: Router<Context>, guards: RouteGuards) {
        guards.group(router, "users", checks: [.actsWithCookies]).get("me", use: me)
    }

    /// Unlike services that verify our tokens locally, this also consults the database, so it refuses a
    /// token whose session was revoked or whose user is gone even before the token expires.
    @Sendable func me(_ request: Request, context: Context) async throws -> Response {
        Response.json(UserResource(record: try await authenticate(request)).write)
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

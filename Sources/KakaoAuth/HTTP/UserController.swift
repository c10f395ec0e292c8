import Hummingbird
import KakaoAuthTokens

/// `/users`: the signed-in user and their own sessions. (Deleting the account takes the refresh token:
/// `DELETE /auth/account`; an access token, which every service that verifies our tokens receives, erases
/// nothing.)
struct UserController {
    typealias Context = AppRequestContext

    let accounts: Accounts
    let tokens: TokenIssuer
    let cookies: AuthCookies
    let origins: RequestOrigins
    let clock: UnixClock

    /// Every route may use the access cookie; the two that revoke write, so they are rate limited too.
    func addRoutes(to router: Router<Context>, guards: RouteGuards) {
        let users = guards.group(router, "users/me", checks: [.actsWithCookies])
        users.get(use: me)
        users.get("sessions", use: sessions)
        let revoking = guards.group(users, "sessions", checks: [.rateLimited])
        revoking.delete(use: revokeOtherSessions)
        revoking.delete(":id", use: revokeSession)
    }

    /// Unlike services that verify our tokens locally, this also consults the database, so it refuses a
    /// token whose session was revoked or whose user is gone even before the token expires.
    @Sendable func me(_ request: Request, context: Context) async throws -> Response {
        Response.json(UserResource(record: try await authenticate(request).user).write)
    }

    /// `GET /users/me/sessions`: the caller's live sessions, newest first, the asking one `current`.
    @Sendable func sessions(_ request: Request, context: Context) async throws -> Response {
        let caller = try await authenticate(request)
        let sessions = try await accounts.sessions(ofUser: caller.claims.subject, now: caller.now)
        return Response.json { json in
            json.add("sessions", array: sessions) { session, json in
                SessionResource(session: session, current: session.id == caller.claims.sessionID).write(to: &json)
            }
        }
    }

    /// `DELETE /users/me/sessions/{id}`: ends one of the caller's sessions (the lost phone's); 404 when it is
    /// not one of theirs, whether another user's or made up.
    @Sendable func revokeSession(_ request: Request, context: Context) async throws -> Response {
        let caller = try await authenticate(request)
        guard
            try await accounts.revokeOwnSession(
                try context.parameters.require("id"), userID: caller.claims.subject, origin: origins.origin(of: request, context: context),
                now: caller.now)
        else { throw APIError(.sessionNotFound, "this is not one of your live sessions") }
        return Response(status: .noContent)
    }

    /// `DELETE /users/me/sessions`: "log out my other devices", keeping the asking session.
    @Sendable func revokeOtherSessions(_ request: Request, context: Context) async throws -> Response {
        let caller = try await authenticate(request)
        let revoked = try await accounts.revokeOtherSessions(
            userID: caller.claims.subject, keeping: caller.claims.sessionID, origin: origins.origin(of: request, context: context),
            now: caller.now)
        return Response.json { $0.add("revoked", Int64(revoked)) }
    }

    /// The presented access token's claims and the user of its live session.
    private func authenticate(_ request: Request) async throws -> (claims: TokenClaims, user: UserRecord, now: Int64) {
        let token = try accessToken(in: request)
        let now = clock.now()
        let claims = try tokens.verify(token, as: .access, now: now)
        guard let user = try await accounts.activeUser(id: claims.subject, sessionID: claims.sessionID, now: now) else {
            throw APIError(.invalidToken, "the session of this token was revoked or has ended")
        }
        return (claims, user, now)
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

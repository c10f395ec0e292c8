import Hummingbird
import KakaoAuthTokens

/// `/admin/users`, on the admin listener only (`ADMIN_PORT`): operators find, inspect, disable, enable, log
/// out and erase accounts. Every route is behind ``AdminAuthentication``; every change goes through
/// ``Administration``, which audits it with the key's name.
struct AdminController {
    typealias Context = AppRequestContext

    let administration: Administration
    let kakao: KakaoClient
    let bodies: RequestBody
    let origins: RequestOrigins
    let clock: UnixClock

    func addRoutes(to router: Router<Context>, authentication: AdminAuthentication) {
        let users = router.group("admin/users").add(middleware: authentication)
        users.get(use: find)
        users.get(":id", use: show)
        users.delete(":id", use: erase)
        users.post(":id/disable", use: disable)
        users.post(":id/enable", use: enable)
        users.put(":id/roles", use: setRoles)
        users.put(":id/app_metadata", use: setAppMetadata)
        users.delete(":id/sessions", use: revokeSessions)
        users.delete(":id/sessions/:session_id", use: revokeSession)
        users.get(":id/events", use: events)
    }

    /// `GET /admin/users?q=&kakao_id=&status=&limit=&cursor=`: newest registration first, a page at a time.
    @Sendable func find(_ request: Request, context: Context) async throws -> Response {
        let query = try QueryParameters(request, allowing: ["q", "kakao_id", "status", "limit", "cursor"])
        var search = UserSearch(limit: try query.integer("limit", in: Administration.pageLimits) ?? Administration.defaultPageLimit)
        search.text = try query.text("q", maximumLength: 200)
        search.kakaoID = try query.integer("kakao_id", in: 1...Int.max).map(Int64.init)
        search.status = try query.choice("status", AccountStatus.self)
        if let cursor = try query.text("cursor", maximumLength: 128) {
            guard let after = UserCursor(encoded: cursor) else { throw APIError(.invalidRequest, "cursor is not a next_cursor of this API") }
            search.after = after
        }
        let page = try await administration.find(search, now: clock.now())
        return Response.json(AccountResource.page(page.accounts, next: page.next))
    }

    /// `GET /admin/users/{id}`: the account and its live sessions.
    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        try await answer(account: try context.parameters.require("id"))
    }

    /// `POST /admin/users/{id}/disable` with `{"reason": "..."}`.
    @Sendable func disable(_ request: Request, context: Context) async throws -> Response {
        let fields = try await bodies.jsonObject(of: request, required: true)!.allowingOnly(["reason"])
        let reason = try fields.requiredString("reason", maximumLength: 800)
        let userID = try context.parameters.require("id")
        _ = try await administration.disable(
            id: userID, reason: reason, by: try operatorOf(context), origin: origins.origin(of: request, context: context), now: clock.now())
        return try await answer(account: userID)
    }

    /// `POST /admin/users/{id}/enable`, with no body or `{}`.
    @Sendable func enable(_ request: Request, context: Context) async throws -> Response {
        _ = try await bodies.jsonObject(of: request, required: false)?.allowingOnly([])
        let userID = try context.parameters.require("id")
        _ = try await administration.enable(
            id: userID, by: try operatorOf(context), origin: origins.origin(of: request, context: context), now: clock.now())
        return try await answer(account: userID)
    }

    /// `PUT /admin/users/{id}/roles` with `{"roles": [...]}`: replaces them (`[]` clears them).
    @Sendable func setRoles(_ request: Request, context: Context) async throws -> Response {
        let fields = try await bodies.jsonObject(of: request, required: true)!.allowingOnly(["roles"])
        guard let names = try fields.strings("roles") else { throw APIError(.invalidRequest, "roles is required") }
        return try await change(.roles(try Roles(names)), request: request, context: context)
    }

    /// `PUT /admin/users/{id}/app_metadata` with the object itself: replaces it (`{}` clears it).
    @Sendable func setAppMetadata(_ request: Request, context: Context) async throws -> Response {
        // Deep enough for any object that fits the size limit, which AppMetadata checks.
        let fields = try await bodies.jsonObject(of: request, required: true, maximumDepth: AuthorizationClaims.maximumMetadataDepth)!
        return try await change(.appMetadata(try AppMetadata(fields.object)), request: request, context: context)
    }

    private func change(_ change: AccountClaimChange, request: Request, context: Context) async throws -> Response {
        let userID = try context.parameters.require("id")
        _ = try await administration.change(
            id: userID, change, by: try operatorOf(context), origin: origins.origin(of: request, context: context), now: clock.now())
        return try await answer(account: userID)
    }

    /// `DELETE /admin/users/{id}/sessions`: logs the user out everywhere.
    @Sendable func revokeSessions(_ request: Request, context: Context) async throws -> Response {
        let revoked = try await administration.revokeSessions(
            id: try context.parameters.require("id"), by: try operatorOf(context), origin: origins.origin(of: request, context: context),
            now: clock.now())
        return Response.json { $0.add("revoked", Int64(revoked)) }
    }

    /// `DELETE /admin/users/{id}/sessions/{session_id}`: 204, or 404 when it is not a live session of the user.
    @Sendable func revokeSession(_ request: Request, context: Context) async throws -> Response {
        try await administration.revokeSession(
            id: try context.parameters.require("id"), sessionID: try context.parameters.require("session_id"), by: try operatorOf(context),
            origin: origins.origin(of: request, context: context), now: clock.now())
        return Response(status: .noContent)
    }

    /// `DELETE /admin/users/{id}`: erased as the user's own deletion erases, unlinked at Kakao first when
    /// `KAKAO_ADMIN_KEY` is set.
    @Sendable func erase(_ request: Request, context: Context) async throws -> Response {
        var unlink: (@Sendable (Int64) async throws -> Void)?
        if let adminKey = kakao.settings.adminKey {
            unlink = { @Sendable [kakao] kakaoID in try await kakao.unlink(kakaoID: kakaoID, adminKey: adminKey) }
        }
        try await administration.erase(id: try context.parameters.require("id"), by: try operatorOf(context), now: clock.now(), unlink: unlink)
        return Response(status: .noContent)
    }

    /// `GET /admin/users/{id}/events?limit=`: the audit log, newest first.
    @Sendable func events(_ request: Request, context: Context) async throws -> Response {
        let query = try QueryParameters(request, allowing: ["limit"])
        let limit = try query.integer("limit", in: Administration.pageLimits) ?? Administration.defaultPageLimit
        let events = try await administration.events(id: try context.parameters.require("id"), limit: limit, now: clock.now())
        return Response.json { json in
            json.add("events", array: events) { event, json in AuditEventResource(event: event).write(to: &json) }
        }
    }

    private func answer(account userID: String) async throws -> Response {
        let found = try await administration.account(id: userID, now: clock.now())
        return Response.json(AccountResource(account: found.account, sessions: found.sessions).write)
    }

    /// The operator ``AdminAuthentication`` named; a route reached without it is a wiring fault, refused.
    private func operatorOf(_ context: Context) throws(APIError) -> AccountActor {
        guard let admin = context.admin else { throw APIError(.invalidCredentials, "the admin API needs Authorization: Bearer") }
        return admin
    }
}

/// What operators do to accounts, through the admin API or the command line alike: find, inspect, disable,
/// enable, log out and erase. Every change is audited with the operator's name (``AccountActor``). No HTTP
/// and no SQL: it reaches storage only through ``SessionStore``.
struct Administration: Sendable {
    let accounts: Accounts

    private var store: any SessionStore { accounts.store }

    /// The most a page holds, and how many when the caller does not say.
    static let pageLimits = 1...200
    static let defaultPageLimit = 50
    /// Ids are 22 characters; a longer one names nobody, and is not worth a query.
    static let maximumUserIDLength = 64

    /// A page of the users `search` matches, and the cursor of the next page (nil after the last).
    func find(_ search: UserSearch, now: Int64) async throws -> (accounts: [AccountView], next: UserCursor?) {
        var oneMore = search
        oneMore.limit = search.limit + 1
        let found = try await store.findUsers(oneMore, now: now)
        guard found.count > search.limit else { return (found, nil) }
        let page = Array(found.prefix(search.limit))
        return (page, page.last.map { UserCursor(after: $0.user) })
    }

    /// The account and its live sessions.
    func account(id userID: String, now: Int64) async throws -> (account: AccountView, sessions: [SessionView]) {
        let account = try await existing(userID, now: now)
        return (account, try await store.liveSessions(userID: userID, now: now))
    }

    /// Disables the account and revokes every session in one step: its refresh and access tokens stop working
    /// at once, and its logins are refused (``LoginRefusal/accountDisabled``). Disabling it again changes nothing.
    func disable(id userID: String, reason: String, by actor: AccountActor, origin: RequestOrigin, now: Int64) async throws -> AccountView {
        let disable = AccountDisable(at: now, reason: try Self.checkedReason(reason), by: actor)
        guard let account = try await store.disable(userID: userID, disable, origin: origin, now: now) else { throw AdministrationError.userNotFound }
        return account
    }

    /// Lets the account log in again; the sessions the disable revoked stay revoked.
    func enable(id userID: String, by actor: AccountActor, origin: RequestOrigin, now: Int64) async throws -> AccountView {
        guard let account = try await store.enable(userID: userID, by: actor, onlyIfDisabledBy: nil, origin: origin, now: now) else {
            throw AdministrationError.userNotFound
        }
        return account
    }

    /// Replaces the user's roles or app metadata (already checked against their limits by the types). The
    /// user's next access token carries the change, at the latest after `ACCESS_TOKEN_TTL` (their next refresh).
    func change(id userID: String, _ change: AccountClaimChange, by actor: AccountActor, origin: RequestOrigin, now: Int64) async throws
        -> AccountView
    {
        guard userID.utf8.count <= Self.maximumUserIDLength,
            let account = try await store.change(userID: userID, change, by: actor, origin: origin, now: now)
        else { throw AdministrationError.userNotFound }
        return account
    }

    /// Logs the user out everywhere; returns how many sessions were live.
    func revokeSessions(id userID: String, by actor: AccountActor, origin: RequestOrigin, now: Int64) async throws -> Int {
        _ = try await existing(userID, now: now)
        return try await store.revokeSessions(
            userID: userID, keeping: nil, openedAtOrBefore: nil, reason: "admin", detail: actor.auditName, origin: origin, now: now)
    }

    /// Logs out one live session of the user.
    func revokeSession(id userID: String, sessionID: String, by actor: AccountActor, origin: RequestOrigin, now: Int64) async throws {
        _ = try await existing(userID, now: now)
        guard
            try await store.revokeSession(userID: userID, sessionID: sessionID, reason: "admin", detail: actor.auditName, origin: origin, now: now)
        else { throw AdministrationError.sessionNotFound }
    }

    /// Erases the account as its user's own deletion does (``Accounts/eraseUnlinking(_:event:detail:now:unlink:)``):
    /// unlinked at Kakao first when `unlink` is given (`KAKAO_ADMIN_KEY` is set), and nothing erased if Kakao
    /// refuses.
    func erase(id userID: String, by actor: AccountActor, now: Int64, unlink: (@Sendable (_ kakaoID: Int64) async throws -> Void)?) async throws {
        let account = try await existing(userID, now: now)
        let detail = "\(actor.auditName), " + (unlink == nil ? "not unlinked at Kakao (KAKAO_ADMIN_KEY is unset)" : "unlinked at Kakao")
        try await accounts.eraseUnlinking(account.user, event: .accountErased, detail: detail, now: now, unlink: unlink ?? { _ in })
    }

    /// The account's audit events, newest first.
    func events(id userID: String, limit: Int, now: Int64) async throws -> [AuditEvent] {
        _ = try await existing(userID, now: now)
        return try await store.events(userID: userID, limit: limit)
    }

    private func existing(_ userID: String, now: Int64) async throws -> AccountView {
        guard userID.utf8.count <= Self.maximumUserIDLength, let account = try await store.account(id: userID, now: now) else {
            throw AdministrationError.userNotFound
        }
        return account
    }

    /// 1 to 200 characters (Unicode scalars, as JSON Schema counts them), none a control character: it is shown
    /// to operators and written to the audit log.
    static func checkedReason(_ reason: String) throws(AdministrationError) -> String {
        let scalars = reason.unicodeScalars
        guard (1...200).contains(scalars.count), !scalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else {
            throw AdministrationError.invalidReason
        }
        return reason
    }
}

/// An administrative action refused, in the domain's terms (ErrorMapping says it in HTTP's).
enum AdministrationError: Error, Equatable {
    case userNotFound
    /// Not a live session of that user (another user's is the same as a made-up one).
    case sessionNotFound
    case invalidReason
}

import AsyncHTTPClient
import Logging

/// What `kakao-auth users` does, for operators without the admin port: the admin API's actions through the
/// same ``Administration``, on the store the settings name, audited as the operator `cli`, each answered with
/// the admin API's JSON. Erasing unlinks the user at Kakao first when `KAKAO_ADMIN_KEY` is set.
public struct AccountCommands: Sendable {
    private let store: any SessionStore
    private let administration: Administration
    private let unlink: (@Sendable (Int64) async throws -> Void)?
    private let clock: UnixClock

    /// Opens (and migrates) the store; `kakao` is where erasures are unlinked (``Configuration/unlinking(environment:)``).
    public init(_ settings: DatabaseSettings, kakao: KakaoUnlinking?, logger: Logger, clock: UnixClock = .system) async throws {
        store = try await openStore(settings, logger: logger)
        // The command line opens no sessions and rotates no token: the policy is never consulted.
        administration = Administration(
            accounts: Accounts(store: store, policy: SessionPolicy(sessionLifetime: 0, refreshTokenLifetime: 0, reuseInterval: 0)))
        if let kakao {
            let client = KakaoClient(httpClient: .shared, settings: kakao.settings, metrics: ServiceMetrics())
            unlink = { @Sendable kakaoID in try await client.unlink(kakaoID: kakaoID, adminKey: kakao.adminKey) }
        } else {
            unlink = nil
        }
        self.clock = clock
    }

    /// `users find`: a page of `GET /admin/users`.
    public func find(text: String?, kakaoID: Int64?, status: String?, limit: Int, cursor: String?) async throws(AccountCommandError) -> String {
        try await answering {
            guard Administration.pageLimits.contains(limit) else { throw APIError(.invalidRequest, "--limit must be from 1 to 200") }
            var search = UserSearch(text: text, kakaoID: kakaoID, limit: limit)
            if let status {
                guard let status = AccountStatus(rawValue: status) else { throw APIError(.invalidRequest, "--status must be active or disabled") }
                search.status = status
            }
            if let cursor {
                guard let after = UserCursor(encoded: cursor) else { throw APIError(.invalidRequest, "--cursor is not a next_cursor") }
                search.after = after
            }
            let page = try await administration.find(search, now: clock.now())
            return JSONObjectWriter.object(AccountResource.page(page.accounts, next: page.next))
        }
    }

    /// `users show`: `GET /admin/users/{id}`.
    public func show(userID: String) async throws(AccountCommandError) -> String {
        try await answering { try await account(userID) }
    }

    /// `users disable`: `POST /admin/users/{id}/disable`.
    public func disable(userID: String, reason: String) async throws(AccountCommandError) -> String {
        try await answering {
            _ = try await administration.disable(id: userID, reason: reason, by: .commandLine, origin: .commandLine, now: clock.now())
            return try await account(userID)
        }
    }

    /// `users enable`: `POST /admin/users/{id}/enable`.
    public func enable(userID: String) async throws(AccountCommandError) -> String {
        try await answering {
            _ = try await administration.enable(id: userID, by: .commandLine, origin: .commandLine, now: clock.now())
            return try await account(userID)
        }
    }

    /// `users set-roles`: `PUT /admin/users/{id}/roles`.
    public func setRoles(userID: String, roles: [String]) async throws(AccountCommandError) -> String {
        try await changing(userID) { () throws(AccountClaimsError) in .roles(try Roles(roles)) }
    }

    /// `users set-app-metadata`: `PUT /admin/users/{id}/app_metadata` with `json`.
    public func setAppMetadata(userID: String, json: String) async throws(AccountCommandError) -> String {
        try await changing(userID) { () throws(AccountClaimsError) in .appMetadata(try AppMetadata(json: json.utf8)) }
    }

    private func changing(_ userID: String, _ change: () throws(AccountClaimsError) -> AccountClaimChange) async throws(AccountCommandError)
        -> String
    {
        try await answering {
            _ = try await administration.change(id: userID, try change(), by: .commandLine, origin: .commandLine, now: clock.now())
            return try await account(userID)
        }
    }

    /// `users revoke-sessions`: `DELETE /admin/users/{id}/sessions`, or one session's `DELETE`.
    public func revokeSessions(userID: String, sessionID: String?) async throws(AccountCommandError) -> String {
        try await answering {
            guard let sessionID else {
                let revoked = try await administration.revokeSessions(id: userID, by: .commandLine, origin: .commandLine, now: clock.now())
                return JSONObjectWriter.object { $0.add("revoked", Int64(revoked)) }
            }
            try await administration.revokeSession(id: userID, sessionID: sessionID, by: .commandLine, origin: .commandLine, now: clock.now())
            return JSONObjectWriter.object { $0.add("revoked", 1) }
        }
    }

    /// `users erase`: `DELETE /admin/users/{id}`; whether Kakao was told.
    public func erase(userID: String) async throws(AccountCommandError) -> String {
        try await answering {
            try await administration.erase(id: userID, by: .commandLine, now: clock.now(), unlink: unlink)
            return JSONObjectWriter.object { json in
                json.add("erased", userID)
                json.add("unlinked_at_kakao", unlink != nil)
            }
        }
    }

    /// Closes every connection.
    public func close() async throws {
        try await store.close()
    }

    private func account(_ userID: String) async throws -> String {
        let found = try await administration.account(id: userID, now: clock.now())
        return JSONObjectWriter.object(AccountResource(account: found.account, sessions: found.sessions).write)
    }

    /// Every failure as the admin API would answer it: its problem code and detail.
    private func answering(_ work: () async throws -> String) async throws(AccountCommandError) -> String {
        do {
            return try await work()
        } catch {
            let problem = APIError(from: error)
            throw AccountCommandError(code: problem.code.rawValue, detail: problem.detail)
        }
    }
}

/// A `kakao-auth users` command refused, in the admin API's terms (`user_not_found`, ...).
public struct AccountCommandError: Error, CustomStringConvertible {
    public let code: String
    public let detail: String

    public var description: String { "\(code): \(detail)" }
}

/// Where and with which admin key the command line unlinks erased users at Kakao.
public struct KakaoUnlinking: Sendable {
    let settings: KakaoClient.Settings
    let adminKey: String
}

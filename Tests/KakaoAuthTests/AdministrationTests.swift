import Testing

@testable import KakaoAuth

/// Operators' actions (``Administration``) and users' own sessions (``Accounts``), on each store.
@Suite struct AdministrationTests {
    static let policy = AccountsTests.policy
    static let origin = AccountsTests.origin
    static let start = AccountsTests.start
    static let operatorOrigin = RequestOrigin(clientIP: "198.51.100.9", userAgent: "curl/8")

    @Test(arguments: TestStore.available)
    func disablingStopsEveryLoginAndSessionAtOnceAndEnablingLetsTheUserBackIn(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: Self.policy)
            let administration = Administration(accounts: accounts)
            let phone = try await accounts.logIn(AccountsTests.profile(11), origin: Self.origin, now: Self.start)
            let laptop = try await accounts.logIn(AccountsTests.profile(11), origin: Self.origin, now: Self.start + 1)
            let userID = phone.user.id

            let disabled = try await administration.disable(
                id: userID, reason: "abuse report #12", by: .admin(name: "ops"), origin: Self.operatorOrigin, now: Self.start + 2)
            #expect(disabled.status == .disabled && disabled.liveSessions == 0)
            #expect(disabled.disable == AccountDisable(at: Self.start + 2, reason: "abuse report #12", by: .admin(name: "ops")))
            for grant in [phone.grant, laptop.grant] {
                #expect(try await accounts.activeUser(id: userID, sessionID: grant.sessionID, now: Self.start + 3) == nil)
                #expect(try await accounts.refresh(AccountsTests.presented(grant), origin: Self.origin, now: Self.start + 3) == .invalid)
            }
            await #expect(throws: LoginRefusal.accountDisabled) {
                _ = try await accounts.logIn(AccountsTests.profile(11, nickname: "changed"), origin: Self.origin, now: Self.start + 4)
            }
            // Disabling again changes nothing: the first disable's time, reason and operator stay.
            let again = try await administration.disable(
                id: userID, reason: "again", by: .admin(name: "other"), origin: Self.operatorOrigin, now: Self.start + 5)
            #expect(again.disable == disabled.disable)
            #expect(try await store.account(id: userID, now: Self.start + 5)?.user.nickname == "라이언", "a refused login changes no profile")

            let enabled = try await administration.enable(id: userID, by: .commandLine, origin: .erased, now: Self.start + 6)
            #expect(enabled.status == .active && enabled.disable == nil)
            #expect(try await accounts.activeUser(id: userID, sessionID: phone.grant.sessionID, now: Self.start + 7) == nil, "sessions stay revoked")
            let back = try await accounts.logIn(AccountsTests.profile(11), origin: Self.origin, now: Self.start + 7)
            #expect(back.user.id == userID)

            let events = try await store.events(userID: userID, limit: 20)
            #expect(events.map(\.kind).prefix(4) == [.login, .accountEnabled, .loginRefusedDisabled, .accountDisabled])
            #expect(events.first { $0.kind == .accountDisabled }?.detail == "admin=ops, 2 sessions revoked")
            #expect(events.first { $0.kind == .accountDisabled }?.clientIP == Self.operatorOrigin.clientIP)
            #expect(events.first { $0.kind == .accountEnabled }?.detail == "admin=cli")
            #expect(events.first { $0.kind == .loginRefusedDisabled }?.clientIP == Self.origin.clientIP)

            await #expect(throws: AdministrationError.userNotFound) {
                _ = try await administration.disable(id: "nobody", reason: "x", by: .commandLine, origin: .erased, now: Self.start)
            }
            await #expect(throws: AdministrationError.invalidReason) {
                _ = try await administration.disable(id: userID, reason: "", by: .commandLine, origin: .erased, now: Self.start)
            }
            await #expect(throws: AdministrationError.invalidReason) {
                _ = try await administration.disable(
                    id: userID, reason: String(repeating: "가", count: 201), by: .commandLine, origin: .erased, now: Self.start)
            }
        }
    }

    /// Roles and app metadata: default roles at registration only, an operator's change stored and audited, and
    /// read afresh by the next login and refresh (the grants carry what is stored then), never by a known user's login.
    @Test(arguments: TestStore.available)
    func claimsSetByAnOperatorReachTheNextGrant(store kind: TestStore) async throws {
        try await kind.with { store in
            var accounts = Accounts(store: store, policy: Self.policy)
            accounts.defaultRoles = try Roles(["member", "beta"])
            let administration = Administration(accounts: accounts)
            let first = try await accounts.logIn(AccountsTests.profile(21), origin: Self.origin, now: Self.start)
            #expect(first.user.claims == AccountClaims(roles: try Roles(["beta", "member"]), appMetadata: .empty))
            #expect(first.grant.claims == first.user.claims)
            let userID = first.user.id

            let roles = try Roles(["admin", "reports:read"])
            let metadata = try AppMetadata(json: Array(#"{"plan":"pro","이름":{"성":"김"}}"#.utf8))
            _ = try await administration.change(id: userID, .roles(roles), by: .admin(name: "ops"), origin: Self.operatorOrigin, now: Self.start + 1)
            let changed = try await administration.change(id: userID, .appMetadata(metadata), by: .commandLine, origin: .erased, now: Self.start + 2)
            #expect(changed.user.claims == AccountClaims(roles: roles, appMetadata: metadata))

            let refreshed = try await accounts.refresh(AccountsTests.presented(first.grant), origin: Self.origin, now: Self.start + 3)
            guard case .granted(let grant) = refreshed else {
                Issue.record("the refresh was refused: \(refreshed)")
                return
            }
            #expect(grant.claims == changed.user.claims)
            // Within the reuse interval, the replaced token's grant reads them too.
            let again = try await accounts.refresh(AccountsTests.presented(first.grant), origin: Self.origin, now: Self.start + 4)
            guard case .granted(let reissued) = again else {
                Issue.record("the reuse interval was not honoured: \(again)")
                return
            }
            #expect(reissued.claims == changed.user.claims)

            // Default roles are a new user's: a known user's login keeps what the operator set.
            let login = try await accounts.logIn(AccountsTests.profile(21, nickname: "changed"), origin: Self.origin, now: Self.start + 5)
            #expect(login.grant.claims == changed.user.claims)
            #expect(try await accounts.activeUser(id: userID, sessionID: login.grant.sessionID, now: Self.start + 5)?.claims == changed.user.claims)

            let cleared = try await administration.change(id: userID, .roles(.none), by: .commandLine, origin: .erased, now: Self.start + 6)
            #expect(cleared.user.claims.roles == .none)

            let events = try await store.events(userID: userID, limit: 20).filter { $0.kind == .rolesChanged || $0.kind == .appMetadataChanged }
            #expect(events.map(\.detail) == ["admin=cli, roles=[]", "admin=cli, 37 bytes", "admin=ops, roles=[admin,reports:read]"])
            #expect(events.last?.clientIP == Self.operatorOrigin.clientIP)

            await #expect(throws: AdministrationError.userNotFound) {
                _ = try await administration.change(id: "nobody", .roles(roles), by: .commandLine, origin: .erased, now: Self.start)
            }
        }
    }

    @Test(arguments: TestStore.available)
    func followingCursorsVisitsEveryUserOnceWhileOthersRegister(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: Self.policy)
            let administration = Administration(accounts: accounts)
            var registered: [String] = []
            // Several users a second, so that the order within one second (by id) is exercised too.
            for index in 0..<23 {
                let user = try await accounts.logIn(
                    AccountsTests.profile(100 + Int64(index)), origin: Self.origin, now: Self.start + Int64(index / 3)
                ).user
                registered.append(user.id)
            }
            var seen: [String] = []
            var cursor: UserCursor?
            var newcomer: Int64 = 500
            repeat {
                let page = try await administration.find(UserSearch(limit: 5, after: cursor), now: Self.start + 100)
                seen += page.accounts.map(\.user.id)
                cursor = page.next.flatMap { UserCursor(encoded: $0.encoded) }
                newcomer += 1
                _ = try await accounts.logIn(AccountsTests.profile(newcomer), origin: Self.origin, now: Self.start + 100)
            } while cursor != nil
            #expect(seen.count == Set(seen).count, "no user twice")
            #expect(Set(registered).isSubset(of: Set(seen)), "every user registered before the listing began")
            var times: [Int64] = []
            for id in seen { times.append(try #require(try await store.account(id: id, now: Self.start)).user.createdAt) }
            #expect(times == times.sorted(by: >), "newest registration first")
        }
    }

    @Test(arguments: TestStore.available)
    func searchMatchesNicknameOrEmailIgnoringASCIICaseAndFiltersByKakaoIDAndStatus(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: Self.policy)
            let administration = Administration(accounts: accounts)
            let ryan = try await accounts.logIn(
                KakaoProfile(
                    id: 201, nickname: "Ryan Kim", email: "ryan@Example.com", emailVerified: true, profileImageURL: nil, thumbnailImageURL: nil),
                origin: Self.origin, now: Self.start)
            let apeach = try await accounts.logIn(AccountsTests.profile(202, nickname: "어피치 ÀPEACH"), origin: Self.origin, now: Self.start + 1)
            func found(_ search: UserSearch) async throws -> [String] {
                try await administration.find(search, now: Self.start + 2).accounts.map(\.user.id)
            }
            #expect(try await found(UserSearch(text: "rYAN", limit: 50)) == [ryan.user.id])
            #expect(try await found(UserSearch(text: "EXAMPLE.C", limit: 50)) == [ryan.user.id], "email too")
            #expect(try await found(UserSearch(text: "어피치 àpeach", limit: 50)).isEmpty, "only ASCII letters fold")
            #expect(try await found(UserSearch(text: "ÀPEach", limit: 50)) == [apeach.user.id])
            #expect(try await found(UserSearch(text: "%", limit: 50)).isEmpty, "no wildcards")
            #expect(try await found(UserSearch(kakaoID: 202, limit: 50)) == [apeach.user.id])
            _ = try await administration.disable(id: apeach.user.id, reason: "spam", by: .commandLine, origin: .erased, now: Self.start + 2)
            #expect(try await found(UserSearch(status: .disabled, limit: 50)) == [apeach.user.id])
            #expect(try await found(UserSearch(status: .active, limit: 50)) == [ryan.user.id])
            let listed = try await administration.find(UserSearch(limit: 50), now: Self.start + 2).accounts
            #expect(listed.map(\.liveSessions) == [0, 1])
        }
    }

    @Test(arguments: TestStore.available)
    func usersSeeAndEndTheirOwnSessionsAndNoOneElses(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: Self.policy)
            let first = try await accounts.logIn(AccountsTests.profile(301), origin: Self.origin, now: Self.start)
            let second = try await accounts.logIn(
                AccountsTests.profile(301), origin: RequestOrigin(clientIP: "192.0.2.1", userAgent: "Phone/2"), now: Self.start + 10)
            let third = try await accounts.logIn(AccountsTests.profile(301), origin: Self.origin, now: Self.start + 20)
            let stranger = try await accounts.logIn(AccountsTests.profile(302), origin: Self.origin, now: Self.start)
            let userID = first.user.id
            guard case .granted = try await accounts.refresh(AccountsTests.presented(first.grant), origin: Self.origin, now: Self.start + 30) else {
                Issue.record("the refresh must be granted")
                return
            }
            let sessions = try await accounts.sessions(ofUser: userID, now: Self.start + 31)
            #expect(sessions.map(\.id) == [third.grant.sessionID, second.grant.sessionID, first.grant.sessionID], "newest first")
            #expect(sessions[1].userAgent == "Phone/2" && sessions[1].clientIP == "192.0.2.1" && sessions[1].lastUsedAt == Self.start + 10)
            #expect(sessions[2].lastUsedAt == Self.start + 30, "last used at its rotation")
            #expect(sessions[2].expiresAt == first.grant.sessionExpiresAt)

            #expect(try await !accounts.revokeOwnSession(stranger.grant.sessionID, userID: userID, origin: Self.origin, now: Self.start + 32))
            #expect(try await accounts.activeUser(id: stranger.user.id, sessionID: stranger.grant.sessionID, now: Self.start + 32) != nil)
            #expect(try await accounts.revokeOwnSession(second.grant.sessionID, userID: userID, origin: Self.origin, now: Self.start + 32))
            #expect(try await !accounts.revokeOwnSession(second.grant.sessionID, userID: userID, origin: Self.origin, now: Self.start + 33), "once")
            #expect(
                try await accounts.revokeOtherSessions(userID: userID, keeping: third.grant.sessionID, origin: Self.origin, now: Self.start + 34) == 1
            )
            #expect(try await accounts.sessions(ofUser: userID, now: Self.start + 35).map(\.id) == [third.grant.sessionID])
            #expect(
                try await accounts.revokeOtherSessions(userID: userID, keeping: third.grant.sessionID, origin: Self.origin, now: Self.start + 36) == 0
            )
            let kinds = try await store.events(userID: userID, limit: 3).map(\.kind)
            #expect(kinds == [.sessionsRevoked, .sessionRevoked, .refresh])
        }
    }

    @Test(arguments: TestStore.available)
    func operatorsLogOutAndEraseAccountsAudited(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: Self.policy)
            let administration = Administration(accounts: accounts)
            let one = try await accounts.logIn(AccountsTests.profile(401), origin: Self.origin, now: Self.start)
            let two = try await accounts.logIn(AccountsTests.profile(401), origin: Self.origin, now: Self.start + 1)
            let userID = one.user.id
            try await administration.revokeSession(
                id: userID, sessionID: one.grant.sessionID, by: .admin(name: "ops"), origin: .erased, now: Self.start + 2)
            await #expect(throws: AdministrationError.sessionNotFound) {
                try await administration.revokeSession(
                    id: userID, sessionID: one.grant.sessionID, by: .admin(name: "ops"), origin: .erased, now: Self.start + 2)
            }
            #expect(try await administration.account(id: userID, now: Self.start + 2).sessions.map(\.id) == [two.grant.sessionID])
            #expect(try await administration.revokeSessions(id: userID, by: .admin(name: "ops"), origin: .erased, now: Self.start + 3) == 1)
            #expect(
                try await administration.events(id: userID, limit: 2, now: Self.start + 3).map(\.detail) == ["admin=ops, 1 sessions", "admin=ops"])

            try await administration.erase(id: userID, by: .admin(name: "ops"), now: Self.start + 4, unlink: nil)
            #expect(try await store.account(id: userID, now: Self.start + 4) == nil)
            let erased = try await store.events(userID: userID, limit: 1).first
            #expect(erased?.kind == .accountErased && erased?.detail == "admin=ops, not unlinked at Kakao (KAKAO_ADMIN_KEY is unset)")
            await #expect(throws: AdministrationError.userNotFound) { _ = try await administration.account(id: userID, now: Self.start + 5) }
        }
    }
}

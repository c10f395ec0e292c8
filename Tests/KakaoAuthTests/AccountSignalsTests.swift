import Testing

@testable import KakaoAuth

/// Kakao's account status signals (``AccountSignals``) applied on each store: what each event does, that a
/// repeat does nothing, and the rules between Kakao's disable and an operator's.
@Suite struct AccountSignalsTests {
    static let origin = AccountsTests.origin
    static let start = AccountsTests.start
    static let kakaoOrigin = RequestOrigin(clientIP: "211.249.220.1", userAgent: "Kakao-SSF")

    static func signal(_ name: String, kakaoID: Int64, jti: String, issuedAt: Int64) throws -> KakaoSecurityEvent {
        KakaoSecurityEvent(
            jti: jti, kakaoID: kakaoID, issuedAt: issuedAt, events: [KakaoAccountEvent(uri: try #require(KakaoAccountEvent.uri(of: name)))])
    }

    static func signals(_ store: any SessionStore, fetchProfile: (@Sendable (Int64) async throws -> KakaoProfile)? = nil) -> AccountSignals {
        AccountSignals(
            administration: Administration(accounts: Accounts(store: store, policy: AccountsTests.policy)), fetchProfile: fetchProfile,
            maximumAge: 259_200)
    }

    @Test func onlyTheURIsOfKakaoAPIAreActedOn() {
        #expect(KakaoAccountEvent(uri: "https://schemas.openid.net/secevent/caep/event-type/credential-change").action == .revokeSessions)
        #expect(KakaoAccountEvent(uri: "https://schemas.openid.net/secevent/risc/event-type/account-disabled").action == .disable)
        // The same last segment under another prefix, or the short name alone, is another event: recorded under its URI.
        let foreign = KakaoAccountEvent(uri: "https://evil.example/risc/event-type/account-disabled")
        #expect(foreign.action == .record && foreign.name == "https://evil.example/risc/event-type/account-disabled")
        #expect(KakaoAccountEvent(uri: "account-purged").action == .record)
        #expect(KakaoAccountEvent(uri: "https://schemas.openid.net/secevent/risc/event-type/account-purged").action == .erase)
        #expect(KakaoAccountEvent(uri: "https://schemas.openid.net/secevent/oauth/event-type/user-linked").action == .record)
        #expect(KakaoAccountEvent(uri: String(repeating: "가", count: 200)).name.utf8.count <= 128)
    }

    @Test(arguments: TestStore.available)
    func aCredentialChangeEndsTheSessionsOpenedBeforeItOnceAndLeavesLaterOnes(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: AccountsTests.policy)
            let before = try await accounts.logIn(AccountsTests.profile(31), origin: Self.origin, now: Self.start)
            let atIssue = try await accounts.logIn(AccountsTests.profile(31), origin: Self.origin, now: Self.start + 5)
            let after = try await accounts.logIn(AccountsTests.profile(31), origin: Self.origin, now: Self.start + 6)
            let signals = Self.signals(store)
            let signal = try Self.signal("credential-change", kakaoID: 31, jti: "jti-1", issuedAt: Self.start + 5)

            #expect(try await signals.apply(signal, origin: Self.kakaoOrigin, now: Self.start + 8) == .applied)
            let userID = before.user.id
            #expect(try await accounts.activeUser(id: userID, sessionID: before.grant.sessionID, now: Self.start + 9) == nil)
            #expect(try await accounts.activeUser(id: userID, sessionID: atIssue.grant.sessionID, now: Self.start + 9) == nil, "at iat is before")
            #expect(try await accounts.activeUser(id: userID, sessionID: after.grant.sessionID, now: Self.start + 9) != nil)
            let events = try await store.events(userID: userID, limit: 10)
            #expect(events.first?.kind == .kakaoSignal && events.first?.detail == "credential-change: 2 sessions revoked")
            #expect(events.first?.clientIP == Self.kakaoOrigin.clientIP)
            #expect(events.contains { $0.kind == .sessionsRevoked && $0.detail == "kakao credential-change, 2 sessions" })

            // The same jti again, even later and with every session live again: nothing happens.
            let later = try await accounts.logIn(AccountsTests.profile(31), origin: Self.origin, now: Self.start + 1)
            #expect(try await signals.apply(signal, origin: Self.kakaoOrigin, now: Self.start + 20) == .repeated)
            #expect(try await accounts.activeUser(id: userID, sessionID: later.grant.sessionID, now: Self.start + 21) != nil)
            #expect(try await store.events(userID: userID, limit: 20).filter { $0.kind == .kakaoSignal }.count == 1)

            // A user we do not know: applied (remembered), nothing recorded.
            let stranger = try Self.signal("sessions-revoked", kakaoID: 999, jti: "jti-2", issuedAt: Self.start + 5)
            #expect(try await signals.apply(stranger, origin: Self.kakaoOrigin, now: Self.start + 8) == .applied)
            #expect(try await signals.apply(stranger, origin: Self.kakaoOrigin, now: Self.start + 9) == .repeated)
        }
    }

    @Test(arguments: TestStore.available)
    func kakaoLiftsOnlyItsOwnDisableAndAnOperatorsDisableTakesKakaosPlace(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: AccountsTests.policy)
            let administration = Administration(accounts: accounts)
            let login = try await accounts.logIn(AccountsTests.profile(41), origin: Self.origin, now: Self.start)
            let userID = login.user.id
            let signals = Self.signals(store)
            func apply(_ name: String, _ jti: String, at now: Int64) async throws {
                _ = try await signals.apply(try Self.signal(name, kakaoID: 41, jti: jti, issuedAt: Self.start), origin: Self.kakaoOrigin, now: now)
            }

            try await apply("account-disabled", "d1", at: Self.start + 1)
            let disabled = try #require(try await store.account(id: userID, now: Self.start + 1))
            #expect(
                disabled.disable == AccountDisable(at: Self.start + 1, reason: "Kakao: account-disabled", by: .kakao) && disabled.liveSessions == 0)
            #expect(try await accounts.activeUser(id: userID, sessionID: login.grant.sessionID, now: Self.start + 2) == nil)
            await #expect(throws: LoginRefusal.accountDisabled) {
                _ = try await accounts.logIn(AccountsTests.profile(41), origin: Self.origin, now: Self.start + 2)
            }
            try await apply("account-enabled", "e1", at: Self.start + 2)
            #expect(try await store.account(id: userID, now: Self.start + 2)?.status == .active)

            // An operator's disable stays through Kakao's enable.
            _ = try await administration.disable(id: userID, reason: "fraud", by: .admin(name: "ops"), origin: .erased, now: Self.start + 3)
            try await apply("account-enabled", "e2", at: Self.start + 4)
            #expect(try await store.account(id: userID, now: Self.start + 4)?.disable?.by == .admin(name: "ops"))
            let kept = try await store.events(userID: userID, limit: 1).first
            #expect(kept?.kind == .kakaoSignal && kept?.detail == "account-enabled: kept disabled (admin:ops)")

            // Kakao disables, then an operator decides the same: the operator's disable is the one that counts.
            _ = try await administration.enable(id: userID, by: .admin(name: "ops"), origin: .erased, now: Self.start + 5)
            try await apply("account-disabled", "d2", at: Self.start + 5)
            _ = try await administration.disable(id: userID, reason: "confirmed", by: .admin(name: "ops"), origin: .erased, now: Self.start + 6)
            try await apply("account-enabled", "e3", at: Self.start + 7)
            let account = try #require(try await store.account(id: userID, now: Self.start + 7))
            #expect(account.disable == AccountDisable(at: Self.start + 6, reason: "confirmed", by: .admin(name: "ops")))
        }
    }

    @Test(arguments: TestStore.available)
    func aPurgedAccountIsErasedAndAProfileChangeIsFetchedWithTheAdminKey(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: AccountsTests.policy)
            let purged = try await accounts.logIn(AccountsTests.profile(51), origin: Self.origin, now: Self.start)
            _ = try await Self.signals(store).apply(
                try Self.signal("account-purged", kakaoID: 51, jti: "p1", issuedAt: Self.start), origin: Self.kakaoOrigin, now: Self.start + 1)
            #expect(try await store.account(id: purged.user.id, now: Self.start + 1) == nil)
            let erasure = try await store.events(userID: purged.user.id, limit: 5)
            #expect(erasure.first?.kind == .kakaoSignal && erasure.first?.detail == "account-purged: erased")
            #expect(erasure.dropFirst().allSatisfy { $0.detail == nil && $0.clientIP == nil }, "the erasure strips the earlier events")

            let changed = try await accounts.logIn(AccountsTests.profile(52), origin: Self.origin, now: Self.start)
            let unconfigured = Self.signals(store)
            _ = try await unconfigured.apply(
                try Self.signal("user-profile-changed", kakaoID: 52, jti: "u1", issuedAt: Self.start), origin: Self.kakaoOrigin, now: Self.start + 1)
            #expect(try await store.account(id: changed.user.id, now: Self.start + 1)?.user.nickname == "라이언")
            #expect(
                try await store.events(userID: changed.user.id, limit: 1).first?.detail
                    == "user-profile-changed: recorded only (KAKAO_ADMIN_KEY is unset)")

            let withKey = Self.signals(store) { kakaoID in
                KakaoProfile(
                    id: kakaoID, nickname: "새 이름", email: "new@kakao.test", emailVerified: true, profileImageURL: nil, thumbnailImageURL: nil)
            }
            _ = try await withKey.apply(
                try Self.signal("user-profile-changed", kakaoID: 52, jti: "u2", issuedAt: Self.start), origin: Self.kakaoOrigin, now: Self.start + 2)
            let user = try #require(try await store.account(id: changed.user.id, now: Self.start + 2)?.user)
            #expect(user.nickname == "새 이름" && user.email == "new@kakao.test" && user.emailVerified && user.updatedAt == Self.start + 2)
            #expect(try await accounts.activeUser(id: user.id, sessionID: changed.grant.sessionID, now: Self.start + 3) != nil, "no session ends")

            // Kakao answering for someone else is not stored.
            let confused = Self.signals(store) { _ in AccountsTests.profile(53, nickname: "someone else") }
            await #expect(throws: KakaoError.self) {
                _ = try await confused.apply(
                    try Self.signal("user-profile-changed", kakaoID: 52, jti: "u3", issuedAt: Self.start), origin: Self.kakaoOrigin,
                    now: Self.start + 3)
            }
            #expect(try await store.account(id: changed.user.id, now: Self.start + 3)?.user.nickname == "새 이름")
        }
    }
}

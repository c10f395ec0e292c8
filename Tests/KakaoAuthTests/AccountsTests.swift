import Foundation
import Synchronization
import Testing

@testable import KakaoAuth

/// The domain's rules (``Accounts``) on each store: the same expectations for SQLite and PostgreSQL.
@Suite struct AccountsTests {
    /// Outcomes collected from concurrent tasks.
    final class Outcomes: Sendable {
        private let outcomes = Mutex<[RefreshOutcome]>([])
        func append(_ outcome: RefreshOutcome) { outcomes.withLock { $0.append(outcome) } }
        var all: [RefreshOutcome] { outcomes.withLock { $0 } }
    }

    static let policy = SessionPolicy(sessionLifetime: 3_600, refreshTokenLifetime: 600, reuseInterval: 10)
    static let origin = RequestOrigin(clientIP: "203.0.113.7", userAgent: "AccountsTests/1")
    static let start: Int64 = 1_800_000_000

    static func profile(_ id: Int64, nickname: String = "라이언") -> KakaoProfile {
        KakaoProfile(id: id, nickname: nickname, email: nil, emailVerified: false, profileImageURL: nil, thumbnailImageURL: nil)
    }

    static func presented(_ grant: SessionGrant) -> PresentedRefreshToken {
        PresentedRefreshToken(jti: grant.refreshToken.jti, sessionID: grant.sessionID, userID: grant.userID)
    }

    @Test(arguments: TestStore.available)
    func rotationHonoursTheReuseIntervalThenRevokesOnReuse(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: Self.policy)
            let first = try await accounts.logIn(Self.profile(1), origin: Self.origin, now: Self.start)
            #expect(first.isNewUser)
            guard case .granted(let second) = try await accounts.refresh(Self.presented(first.grant), origin: Self.origin, now: Self.start + 1) else {
                Issue.record("the current token must rotate")
                return
            }
            #expect(second.refreshToken.parentJTI == first.grant.refreshToken.jti && second.refreshToken.expiresAt == Self.start + 601)
            // The replaced token within the interval: the current one, not another successor.
            // Whole seconds: rotated at +1, an interval of 10 honours it until +10, and not at +11.
            #expect(try await accounts.refresh(Self.presented(first.grant), origin: Self.origin, now: Self.start + 10) == .granted(second))
            // After it: reuse, and the session is revoked for every token of it.
            #expect(try await accounts.refresh(Self.presented(first.grant), origin: Self.origin, now: Self.start + 11) == .reuseDetected)
            #expect(try await accounts.refresh(Self.presented(second), origin: Self.origin, now: Self.start + 13) == .invalid)
            #expect(try await accounts.activeUser(id: first.user.id, sessionID: first.grant.sessionID, now: Self.start + 13) == nil)
            let kinds = try await store.events(userID: first.user.id, limit: 10).map(\.kind)
            #expect(kinds == [.refreshReuseDetected, .refreshWithinReuseInterval, .refresh, .login, .registration])
            let honoured = try await store.events(userID: first.user.id, limit: 10).first { $0.kind == .refreshWithinReuseInterval }
            #expect(honoured?.sessionID == first.grant.sessionID && honoured?.clientIP == Self.origin.clientIP, "recorded with its origin")
        }
    }

    @Test(arguments: TestStore.available)
    func noRefreshTokenOutlivesItsSession(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: Self.policy)
            var grant = try await accounts.logIn(Self.profile(2), origin: Self.origin, now: Self.start).grant
            for minute in 1...5 {
                guard
                    case .granted(let next) = try await accounts.refresh(
                        Self.presented(grant), origin: Self.origin, now: Self.start + Int64(minute) * 590)
                else {
                    Issue.record("rotation \(minute) failed")
                    return
                }
                #expect(next.refreshToken.expiresAt <= Self.start + 3_600)
                grant = next
            }
            #expect(
                try await accounts.refresh(Self.presented(grant), origin: Self.origin, now: Self.start + 3_600) == .invalid, "the session is over")
        }
    }

    @Test(arguments: TestStore.available)
    func oneTokenPresentedManyTimesAtOnceHasOneSuccessor(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: Self.policy)
            let grant = try await accounts.logIn(Self.profile(3), origin: Self.origin, now: Self.start).grant
            let outcomes = try await withThrowingTaskGroup(of: RefreshOutcome.self) { group in
                for _ in 0..<16 { group.addTask { try await accounts.refresh(Self.presented(grant), origin: Self.origin, now: Self.start + 1) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let successors = Set(
                outcomes.compactMap { outcome -> String? in
                    if case .granted(let next) = outcome { return next.refreshToken.jti }
                    return nil
                })
            // One successor; every other answer is that successor again (the reuse interval), never a refusal.
            #expect(successors.count == 1 && outcomes.count == 16, "\(outcomes)")
            #expect(outcomes.allSatisfy { if case .granted = $0 { true } else { false } }, "\(outcomes)")
            #expect(try await store.events(userID: grant.userID, limit: 50).filter { $0.kind == .refresh }.count == 1)
        }
    }

    /// Refreshes of one token held back by another transaction's lock on their session, then let go together:
    /// each must judge the session as it is when it writes, not as it was when it read (one successor, and
    /// every other answer the successor, as the reuse interval says).
    @Test(.enabled(if: TestStore.postgresURL != nil))
    func refreshesThatWaitedForTheSessionLockSeeTheSessionAsItIsNow() async throws {
        try await TestStore.withPostgresDatabase { settings in
            let store = try await PostgresStore.connect(settings, logger: TestStore.logger)
            let accounts = Accounts(store: store, policy: Self.policy)
            let grant = try await accounts.logIn(Self.profile(11), origin: Self.origin, now: Self.start).grant
            let outcomes = Outcomes()
            // Held until every refresh waits on it, so none of them can read before the others have begun.
            try await TestStore.whileLocked(
                settings, "SELECT 1 FROM sessions WHERE id = '\(grant.sessionID)' FOR UPDATE", holdFor: .milliseconds(500)
            ) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<6 {
                        group.addTask { outcomes.append(try await accounts.refresh(Self.presented(grant), origin: Self.origin, now: Self.start + 1)) }
                    }
                    try await group.waitForAll()
                }
            }
            let all = outcomes.all
            let successors = Set(
                all.compactMap { outcome -> String? in
                    if case .granted(let next) = outcome { return next.refreshToken.jti }
                    return nil
                })
            #expect(all.count == 6 && successors.count == 1, "\(all)")
            #expect(all.allSatisfy { if case .granted = $0 { true } else { false } }, "each waiter gets the successor: \(all)")
            try await store.close()
        }
    }

    /// Logging out everywhere locks the presented session, then the user's others: a transaction that holds
    /// one of those and then wants the presented one closes a cycle, which PostgreSQL breaks by failing the
    /// transaction that waited first (the logout). The store runs it again instead of answering 503.
    @Test(.enabled(if: TestStore.postgresURL != nil))
    func aLogoutEverywhereThatPostgresEndsToBreakADeadlockIsRunAgain() async throws {
        try await TestStore.withPostgresDatabase { settings in
            let store = try await PostgresStore.connect(settings, logger: TestStore.logger)
            let accounts = Accounts(store: store, policy: Self.policy)
            let phone = try await accounts.logIn(Self.profile(12), origin: Self.origin, now: Self.start).grant
            let laptop = try await accounts.logIn(Self.profile(12), origin: Self.origin, now: Self.start).grant
            let deadlocks = "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
            let deadlocksBefore = try await TestStore.integer(settings, deadlocks)
            try await TestStore.whileLocked(
                settings, "SELECT 1 FROM sessions WHERE id = '\(laptop.sessionID)' FOR UPDATE", holdFor: .milliseconds(500),
                then: {
                    // Once the logout holds the phone's session and waits for the laptop's: the other half of the cycle.
                    try await Task.sleep(for: .milliseconds(300))
                    return "UPDATE sessions SET expires_at = expires_at WHERE id = '\(phone.sessionID)'"
                }
            ) {
                let outcome = try await accounts.logOut(Self.presented(phone), allSessions: true, origin: Self.origin, now: Self.start + 1)
                #expect(outcome == .ended)
            }
            #expect(try await store.activeSessionCount(now: Self.start + 1) == 0)
            // The test proves the retry only if PostgreSQL did break a deadlock (its statistics arrive within
            // about a second of the transaction's end).
            var deadlocksAfter = deadlocksBefore
            for _ in 0..<30 where deadlocksAfter == deadlocksBefore {
                try await Task.sleep(for: .milliseconds(100))
                deadlocksAfter = try await TestStore.integer(settings, deadlocks)
            }
            #expect(deadlocksAfter == deadlocksBefore + 1, "a deadlock formed and was broken")
            try await store.close()
        }
    }

    /// `VACUUM (FULL)` or a migration locks a table past `lock_timeout`: each connection that first prepared a
    /// statement during the lock failed, and postgres-nio kept that failure for the connection, so logins
    /// answered 503 long after the lock was gone. Every login after the release must succeed, as must readiness.
    @Test(.enabled(if: TestStore.postgresURL != nil))
    func loginsRecoverOnceATableLockLongerThanTheLockTimeoutIsGone() async throws {
        try await TestStore.withPostgresDatabase { settings in
            var impatient = settings
            // lock_timeout and statement_timeout follow it; 3 s rather than 1 leaves a loaded machine room to
            // connect (with 2 s, readiness once timed out after the release while the rest of the suite ran).
            impatient.operationTimeout = .seconds(3)
            let store = try await PostgresStore.connect(impatient, logger: TestStore.logger)
            let accounts = Accounts(store: store, policy: Self.policy)
            let logins = { @Sendable (ids: Range<Int64>) async -> Int in
                await withTaskGroup(of: Bool.self) { group in
                    for id in ids {
                        group.addTask { (try? await accounts.logIn(Self.profile(id), origin: Self.origin, now: Self.start)) != nil }
                    }
                    return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
            }
            var succeededDuringTheLock = -1
            try await TestStore.whileLocked(settings, "LOCK TABLE auth_events IN ACCESS EXCLUSIVE MODE", holdFor: .seconds(6)) {
                // As many at once as the pool holds, so that each of its connections prepares during the lock.
                succeededDuringTheLock = await logins(100..<108)
            }
            #expect(succeededDuringTheLock == 0, "the lock outlasted lock_timeout, so every login waiting on it failed")
            // Recovered within seconds, not never: on a machine busy with the rest of the suite, the first
            // readiness check after the release once took longer than the 3 s limit.
            var ready = false
            for _ in 0..<10 where !ready {
                ready = (try? await store.checkReadiness()) != nil
                if !ready { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(ready, "readiness recovered after the release")
            for round in Int64(0)..<5 {
                let from = 200 + 8 * round
                #expect(await logins(from..<from + 8) == 8, "round \(round) after the release")
            }
            try await store.close()
        }
    }

    /// Kakao agreed to the unlink, and the erasure did not follow (here the database went away; a process
    /// killed is the same): Kakao sends no webhook for an unlink we made, so the purge must finish it, and only
    /// once no unlink can still be in flight.
    @Test(arguments: TestStore.available)
    func anErasureInterruptedAfterKakaosUnlinkIsFinishedByThePurge(store kind: TestStore) async throws {
        try await kind.withReopenable { open in
            let store = try await open()
            let accounts = Accounts(store: store, policy: Self.policy)
            let grant = try await accounts.logIn(Self.profile(31), origin: Self.origin, now: Self.start).grant
            await #expect(throws: (any Error).self) {
                _ = try await accounts.eraseAccount(of: Self.presented(grant), origin: Self.origin, now: Self.start + 1) { _ in
                    try await store.close()
                }
            }
            let reopened = try await open()
            let isActive = { @Sendable (now: Int64) in try await reopened.activeUser(id: grant.userID, sessionID: grant.sessionID, now: now) != nil }
            #expect(try await isActive(Self.start + 2), "the erasure did not happen")
            let early = try await reopened.purge(now: Self.start + Accounts.erasureGrace, auditRetention: 365 * 86_400, batchSize: 10)
            #expect(early.erasuresFinished == 0, "an unlink may still be in flight")
            #expect(try await isActive(Self.start + 2))
            let report = try await reopened.purge(now: Self.start + 1 + Accounts.erasureGrace, auditRetention: 365 * 86_400, batchSize: 10)
            #expect(report.erasuresFinished == 1, "\(report)")
            #expect(try await isActive(Self.start + 2) == false)
            let events = try await reopened.events(userID: grant.userID, limit: 10)
            #expect(events.first?.kind == .unlink && events.first?.detail == "finished by the purge", "\(events)")
            try await reopened.close()
        }
    }

    /// A user whose erasure was interrupted after Kakao's unlink logs in again before the purge: they came
    /// back, so the purge leaves the account (and the new session) alone.
    @Test(arguments: TestStore.available)
    func aLoginWithdrawsAnInterruptedErasure(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: Self.policy)
            let before = try await accounts.logIn(Self.profile(33), origin: Self.origin, now: Self.start)
            try await store.requestErasure(userID: before.user.id, requestedAt: Self.start + 1)
            let again = try await accounts.logIn(Self.profile(33), origin: Self.origin, now: Self.start + 2)
            #expect(again.user.id == before.user.id)
            let report = try await store.purge(now: Self.start + 2 * Accounts.erasureGrace, auditRetention: 365 * 86_400, batchSize: 10)
            #expect(report.erasuresFinished == 0)
            #expect(try await store.activeUser(id: again.user.id, sessionID: again.grant.sessionID, now: Self.start + 3) != nil)
        }
    }

    /// Kakao refused the unlink: the account, its sessions and its data stay, and no purge erases it later.
    @Test(arguments: TestStore.available)
    func anErasureKakaoRefusedChangesNothingLater(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: Self.policy)
            let grant = try await accounts.logIn(Self.profile(32), origin: Self.origin, now: Self.start).grant
            await #expect(throws: KakaoError.self) {
                _ = try await accounts.eraseAccount(of: Self.presented(grant), origin: Self.origin, now: Self.start + 1) { _ in
                    throw KakaoError.unreachable
                }
            }
            let report = try await store.purge(now: Self.start + 5 * Accounts.erasureGrace, auditRetention: 365 * 86_400, batchSize: 10)
            #expect(report.erasuresFinished == 0)
            #expect(try await store.activeUser(id: grant.userID, sessionID: grant.sessionID, now: Self.start + 2) != nil)
        }
    }

    @Test(arguments: TestStore.available)
    func racingFirstLoginsOfOneKakaoUserMakeOneUser(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: Self.policy)
            let logins = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        let login = try await accounts.logIn(Self.profile(9_007_199_254_740_993), origin: Self.origin, now: Self.start)
                        return (login.user.id, login.isNewUser)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(logins.map(\.0)).count == 1)
            #expect(logins.filter(\.1).count == 1, "exactly one of them registered the user")
        }
    }

    @Test(arguments: TestStore.available)
    func logoutEndsOneOrEverySessionAndAnOldTokenRevokesOnlyItsOwn(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: Self.policy)
            let phone = try await accounts.logIn(Self.profile(4), origin: Self.origin, now: Self.start).grant
            let laptop = try await accounts.logIn(Self.profile(4), origin: Self.origin, now: Self.start).grant
            let tablet = try await accounts.logIn(Self.profile(4), origin: Self.origin, now: Self.start).grant
            guard case .granted = try await accounts.refresh(Self.presented(phone), origin: Self.origin, now: Self.start + 1) else {
                Issue.record("rotation failed")
                return
            }
            // The phone's replaced token long after: reuse, which revokes the phone's session only.
            #expect(try await accounts.logOut(Self.presented(phone), allSessions: true, origin: Self.origin, now: Self.start + 100) == .reuseDetected)
            #expect(try await accounts.activeUser(id: laptop.userID, sessionID: laptop.sessionID, now: Self.start + 100) != nil)
            #expect(try await accounts.logOut(Self.presented(laptop), allSessions: false, origin: Self.origin, now: Self.start + 101) == .ended)
            #expect(try await accounts.activeUser(id: tablet.userID, sessionID: tablet.sessionID, now: Self.start + 101) != nil)
            #expect(try await accounts.logOut(Self.presented(tablet), allSessions: true, origin: Self.origin, now: Self.start + 102) == .ended)
            #expect(try await store.activeSessionCount(now: Self.start + 102) == 0)
            let logoutAll = try await store.events(userID: tablet.userID, limit: 1).first
            #expect(logoutAll?.kind == .logoutAll && logoutAll?.detail == "1 sessions")
        }
    }

    /// `/v2/user/me` tells the whole profile, so what it leaves out is cleared; an id_token tells part of it,
    /// so what it leaves out is kept (each store has a statement for each).
    @Test(arguments: TestStore.available)
    func aPartialProfileKeepsWhatItDoesNotTellAndAFullOneReplacesIt(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: Self.policy)
            let full = KakaoProfile(
                id: 13, nickname: "어피치", email: "apeach@example.test", emailVerified: true, profileImageURL: "https://img.example/a.png",
                thumbnailImageURL: nil)
            let registered = try await accounts.logIn(full, origin: Self.origin, now: Self.start).user
            let partial = KakaoProfile(
                id: 13, nickname: "어피치2", email: nil, emailVerified: false, profileImageURL: nil, thumbnailImageURL: nil, keepsAbsentFields: true)
            let kept = try await accounts.logIn(partial, origin: Self.origin, now: Self.start + 1).user
            #expect(kept.id == registered.id && kept.nickname == "어피치2")
            #expect(kept.email == "apeach@example.test" && kept.emailVerified && kept.profileImageURL == "https://img.example/a.png")
            let cleared = try await accounts.logIn(Self.profile(13, nickname: "어피치3"), origin: Self.origin, now: Self.start + 2).user
            #expect(cleared.email == nil && !cleared.emailVerified && cleared.profileImageURL == nil && cleared.updatedAt == Self.start + 2)
        }
    }

    @Test(arguments: TestStore.available)
    func erasingAnAccountKeepsOnlyKindTimeAndIDs(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: Self.policy)
            let login = try await accounts.logIn(Self.profile(5), origin: Self.origin, now: Self.start)
            #expect(
                try await accounts.erase(.kakaoID(5), event: .webhookUnlink, now: Self.start + 5, detail: "referrer_type=UNLINK_FROM_APPS")?.id
                    == login.user.id)
            #expect(try await accounts.erase(.kakaoID(5), event: .webhookUnlink, now: Self.start + 6) == nil, "already gone")
            #expect(try await accounts.activeUser(id: login.user.id, sessionID: login.grant.sessionID, now: Self.start + 6) == nil)
            let events = try await store.events(userID: login.user.id, limit: 10)
            #expect(events.map(\.kind) == [.webhookUnlink, .login, .registration])
            #expect(events.allSatisfy { $0.clientIP == nil && $0.userAgent == nil })
            #expect(events.map(\.detail) == ["referrer_type=UNLINK_FROM_APPS", nil, nil])
            // A new login of that Kakao user is a new account.
            #expect(try await accounts.logIn(Self.profile(5), origin: Self.origin, now: Self.start + 7).isNewUser)
        }
    }

    @Test(arguments: TestStore.available)
    func purgeDeletesWhatIsOverAndAuditEventsPastTheRetention(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: Self.policy)
            let old = try await accounts.logIn(Self.profile(6), origin: Self.origin, now: Self.start)
            _ = try await accounts.refresh(Self.presented(old.grant), origin: Self.origin, now: Self.start + 1)
            let later = Self.start + 400 * 86_400
            _ = try await accounts.logIn(Self.profile(6), origin: Self.origin, now: later)
            let report = try await store.purge(now: later, auditRetention: 365 * 86_400, batchSize: 1)
            #expect(report.sessions == 1 && report.auditEvents == 3, "\(report)")
            #expect(try await store.events(userID: old.user.id, limit: 10).map(\.kind) == [.login])
            #expect(try await store.consumeSingleUse("state-1", expiresAt: later + 600))
            #expect(try await store.consumeSingleUse("state-1", expiresAt: later + 600) == false)
            #expect(try await store.purge(now: later + 601, auditRetention: 365 * 86_400, batchSize: 10).usedCredentials == 1)
        }
    }

    /// A clock that once stepped forward wrote events dated years ahead: they wait for their date, and the
    /// retention goes on for every event written after them.
    @Test(arguments: TestStore.available)
    func anEventDatedAheadDoesNotStopTheRetention(store kind: TestStore) async throws {
        try await kind.with { store in
            let accounts = Accounts(store: store, policy: Self.policy)
            let first = try await accounts.logIn(Self.profile(7), origin: Self.origin, now: Self.start)
            let ahead = try await accounts.logIn(Self.profile(8), origin: Self.origin, now: Self.start + 5_000 * 86_400)
            let after = try await accounts.logIn(Self.profile(9), origin: Self.origin, now: Self.start + 1)
            let report = try await store.purge(now: Self.start + 400 * 86_400, auditRetention: 365 * 86_400, batchSize: 1)
            #expect(report.auditEvents == 4 && report.auditEventsAhead == 2, "\(report)")
            #expect(try await store.events(userID: first.user.id, limit: 10).isEmpty)
            #expect(try await store.events(userID: after.user.id, limit: 10).isEmpty, "the events after the one ahead are purged too")
            #expect(try await store.events(userID: ahead.user.id, limit: 10).count == 2, "kept until their date")
        }
    }
}

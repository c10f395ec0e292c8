import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// What is kept and for how long: audit events end with their retention, an erased account leaves no
/// personal data in the database files, and the file shrinks once a purge has deleted rows.
@Suite struct DataRetentionTests {
    static let day: Int64 = 86_400
    static let year = 365 * day

    func loginBody(_ service: TestService, _ code: String, userAgent: String = "Test/1.0") async throws -> JSONValue {
        let answer = try await service.post(
            "/auth/kakao", json: "{\"code\":\(code.jsonQuoted),\"token_delivery\":\"body\"}", headers: [.userAgent: userAgent])
        #expect(answer.status == .ok)
        return try answer.json
    }

    @Test func auditEventsOlderThanTheRetentionArePurgedAndNewerOnesStay() async throws {
        let kakao = FakeKakao()
        for code in ["first", "second"] { kakao.addCode(code, profile: "{\"id\":21}") }
        let time = ManualClock()
        try await TestService.run(kakao: kakao, clock: time.clock) { service in
            let userID = try #require(try await loginBody(service, "first")["user"]?["id"]?.stringValue)  // registration, login
            time.advance(by: 200 * Self.day)
            let second = try await loginBody(service, "second")
            #expect(try await service.refresh(token: #require(second["refresh_token"]?.stringValue)).status == .ok)  // login, refresh
            time.advance(by: 200 * Self.day)

            let database = try SQLiteStore(path: service.databasePath)
            let purged = try await database.purge(now: time.clock.now(), auditRetention: Self.year, batchSize: 1)
            #expect(purged.auditEvents == 2, "the two events of 400 days ago")
            #expect(try await database.events(userID: userID, limit: 10).map(\.kind) == [.refresh, .login])

            // An event exactly as old as the retention stays; a second later it goes.
            time.advance(by: 165 * Self.day)
            #expect(try await database.purge(now: time.clock.now(), auditRetention: Self.year).auditEvents == 0)
            time.advance(by: 1)
            #expect(try await database.purge(now: time.clock.now(), auditRetention: Self.year).auditEvents == 2)
            #expect(try service.count("auth_events") == 0)
        }
    }

    @Test func deletingAnAccountErasesWhatNamesThePersonFromTheFiles() async throws {
        let nickname = "지워질-닉네임-Q7"
        let email = "erase-me-q7@example.test"
        let userAgent = "Erasable-Agent/7.7 (Q7)"
        let kakao = FakeKakao()
        kakao.addCode("erase", profile: FakeKakao.profile(id: "777000777", nickname: nickname, email: email))
        try await TestService.run(kakao: kakao, environment: ["KAKAO_ADMIN_KEY": FakeKakao.adminKey]) { service in
            let body = try await loginBody(service, "erase", userAgent: userAgent)
            let userID = try #require(body["user"]?["id"]?.stringValue)
            var refreshToken = try #require(body["refresh_token"]?.stringValue)
            for _ in 0..<2 {
                let rotated = try await service.post(
                    "/auth/refresh", json: "{\"refresh_token\":\(refreshToken.jsonQuoted)}", headers: [.userAgent: userAgent])
                refreshToken = try #require(try rotated.json["refresh_token"]?.stringValue)
            }
            let files = [service.databasePath, service.databasePath + "-wal"]
            #expect(try Self.contents(of: files).range(of: Data(userAgent.utf8)) != nil, "the test must see the data before it is erased")

            let deleted = try await service.client.execute(
                uri: "/auth/account", method: .delete, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{\"refresh_token\":\(refreshToken.jsonQuoted)}"))
            #expect(deleted.status == .noContent)
            // The request's origin is kept apart from the user, for security review (the retention applies).
            #expect(try service.count("auth_events", where: "kind = 'account_erasure_requested' AND user_id IS NULL") == 1)
            try await DatabaseQueue(path: service.databasePath).write { db in
                try db.execute(sql: "DELETE FROM auth_events WHERE kind = 'account_erasure_requested'")
            }

            let events = try await SQLiteStore(path: service.databasePath).events(userID: userID, limit: 10)
            #expect(events.map(\.kind) == [.unlink, .refresh, .refresh, .login, .registration])
            #expect(events.allSatisfy { $0.clientIP == nil && $0.userAgent == nil && $0.detail == nil })
            #expect(events.filter { $0.sessionID != nil }.count == 3, "the opaque session ids stay")
            #expect(try service.count("users") == 0 && service.count("sessions") == 0 && service.count("refresh_tokens") == 0)

            // While the service runs: the log is truncated soon after the erasure, and nothing is left anywhere.
            let deadline = ContinuousClock.now + .seconds(10)
            while (try? FileManager.default.attributesOfItem(atPath: files[1])[.size] as? Int) != 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            let remaining = try Self.contents(of: files)
            for personal in [nickname, email, userAgent] {
                #expect(remaining.range(of: Data(personal.utf8)) == nil, "\(personal) is still in the database files")
            }
        }
    }

    @Test func aFileGrownByThousandsOfLoginsShrinksAfterThePurge() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kakao-auth-vacuum-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try SQLiteStore(path: path)
        let accounts = Accounts(
            store: database, policy: SessionPolicy(sessionLifetime: 30 * Self.day, refreshTokenLifetime: 14 * Self.day, reuseInterval: 10))
        // A browser's user agent, as most audit events carry one.
        let origin = RequestOrigin(clientIP: "203.0.113.9", userAgent: String(repeating: "Mozilla/5.0 (Macintosh) ", count: 6))
        let logins = 5_000
        try await withThrowingTaskGroup(of: Void.self) { group in
            for number in 1...logins {
                group.addTask {
                    let profile = KakaoProfile(
                        id: Int64(number), nickname: "user \(number)", email: nil, emailVerified: false, profileImageURL: nil, thumbnailImageURL: nil)
                    _ = try await accounts.logIn(profile, origin: origin, now: 1_000)
                }
            }
            try await group.waitForAll()
        }
        let grown = try await DatabaseQueue(path: path).read { db in
            try Int64.fetchOne(db, sql: "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size")!
        }

        // Two years on: every session is over and every audit event past a year's retention; the users stay.
        let report = try await database.purge(now: 1_000 + 2 * Self.year, auditRetention: Self.year)
        #expect(report.sessions == logins && report.auditEvents == 2 * logins)
        let onDisk = try [path, path + "-wal"].reduce(Int64(0)) { total, file in
            total + ((try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0)
        }
        // The bound: only the users stay, measured at an eighth of what the logins wrote (4.6 MB, then 0.57 MB).
        #expect(onDisk < grown * 40 / 100, "grown to \(grown) bytes, \(onDisk) bytes after the purge")
        #expect(report.bytesReturned == grown - onDisk, "the report says what the file gave back")
        try database.close()
    }

    /// A reader that holds the write-ahead log (a running `.backup`) makes the truncation after an erasure fail:
    /// it is tried again until it succeeds, so the erased rows leave the `-wal` file soon after the reader does.
    @Test func theLogIsEmptiedAfterAnErasureOnceAReaderThatHeldItLetsGo() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kakao-auth-wal-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try SQLiteStore(path: path)
        let accounts = Accounts(store: database, policy: SessionPolicy(sessionLifetime: Self.day, refreshTokenLifetime: Self.day, reuseInterval: 10))
        let nickname = "백업-중에-지워질-Q9"
        let profile = KakaoProfile(id: 909, nickname: nickname, email: nil, emailVerified: false, profileImageURL: nil, thumbnailImageURL: nil)
        _ = try await accounts.logIn(profile, origin: RequestOrigin(clientIP: nil, userAgent: nil), now: 1_000)
        let walSize = { (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0 }

        // A read transaction on a connection of its own, as `.backup` holds one.
        var holding = GRDB.Configuration()
        holding.allowsUnsafeTransactions = true
        let backup = try DatabaseQueue(path: path, configuration: holding)
        try backup.inDatabase { db in try db.execute(sql: "BEGIN; SELECT COUNT(*) FROM users") }
        #expect(try await database.eraseUser(.kakaoID(909), event: .unlink, detail: nil, now: 1_001) != nil)
        try await Task.sleep(for: LogTruncation.delay * 2.5)
        #expect(walSize() > 0, "the reader holds the log, so the first attempts must fail")
        try backup.inDatabase { db in try db.execute(sql: "COMMIT") }
        try backup.close()

        let deadline = ContinuousClock.now + .seconds(15)
        while walSize() != 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(walSize() == 0, "tried again once the reader let go")
        #expect(try Self.contents(of: [path, path + "-wal"]).range(of: Data(nickname.utf8)) == nil)
        try database.close()
    }

    static func contents(of files: [String]) throws -> Data {
        try files.filter { FileManager.default.fileExists(atPath: $0) }.reduce(into: Data()) {
            $0.append(try Data(contentsOf: URL(fileURLWithPath: $1)))
        }
    }
}

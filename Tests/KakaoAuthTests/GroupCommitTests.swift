import Foundation
import GRDB
import Testing

@testable import KakaoAuth

@Suite struct GroupCommitTests {
    struct Refused: Error, Equatable {
        let number: Int
    }

    /// Many concurrent writers: each is answered with its own result, a refused write leaves nothing behind,
    /// and every acknowledged write is in the file (read back through a new connection).
    @Test func answersEachWriteAndRollsBackOnlyTheRefusedOnes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("group-commit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("test.sqlite").path
        let pool = try DatabasePool(path: path)
        try await pool.write { db in try db.execute(sql: "CREATE TABLE items (number INTEGER PRIMARY KEY)") }
        let commit = GroupCommit(writer: pool)

        let outcomes = await withTaskGroup(of: (Int, Result<Int, Refused>).self) { group in
            for number in 0..<200 {
                group.addTask {
                    do {
                        let answer = try await commit.write { db in
                            try db.execute(sql: "INSERT INTO items (number) VALUES (?)", arguments: [number])
                            if number % 5 == 0 { throw Refused(number: number) }
                            return number * 2
                        }
                        return (number, .success(answer))
                    } catch {
                        return (number, .failure(error as! Refused))
                    }
                }
            }
            return await group.reduce(into: [Int: Result<Int, Refused>]()) { $0[$1.0] = $1.1 }
        }
        for number in 0..<200 {
            #expect(outcomes[number] == (number % 5 == 0 ? .failure(Refused(number: number)) : .success(number * 2)))
        }
        try pool.close()
        let stored = try await DatabaseQueue(path: path).read { db in try Int.fetchAll(db, sql: "SELECT number FROM items ORDER BY number") }
        #expect(stored == (0..<200).filter { $0 % 5 != 0 })
    }
}

import Foundation
import Testing

@testable import KakaoAuth

@Suite struct RandomIDTests {
    static let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    @Test func timeOrderedIDsSortByTimeByteWise() {
        // Around every place where the standard base64url alphabet is out of ASCII order, and today.
        let now: UInt64 = 1_795_000_000_000
        for millisecond in [0, 25, 26, 51, 52, 61, 62, 63, 64, 4095, 4096, now, now + 63, now + 4095] as [UInt64] {
            let (earlier, later) = (RandomID.makeTimeOrdered(atMillisecond: millisecond), RandomID.makeTimeOrdered(atMillisecond: millisecond + 1))
            // SQLite's BINARY collation compares bytes, as this does.
            #expect(earlier.utf8.prefix(7).lexicographicallyPrecedes(later.utf8.prefix(7)), "\(millisecond)")
        }
    }

    @Test func timeOrderedIDsAreBase64URLWithARandomPart() {
        let ids = (0..<500).map { _ in RandomID.makeTimeOrdered(atMillisecond: 1_795_000_000_000) }
        #expect(ids.allSatisfy { $0.utf8.count == 22 && $0.utf8.allSatisfy(Self.alphabet.contains) })
        #expect(Set(ids.map { $0.prefix(7) }).count == 1)
        #expect(Set(ids.map { $0.suffix(15) }).count == 500)
    }

    @Test func timeOrderedIDsNeverBeginWithADashUntil2109() {
        // A leading "-" would read as an option wherever an id is passed on a command line.
        for millisecond: UInt64 in [1_795_000_000_000, 2_500_000_000_000, 4_398_046_511_103] {
            #expect(RandomID.makeTimeOrdered(atMillisecond: millisecond).first != "-")
        }
        #expect(RandomID.makeTimeOrdered().first != "-")
    }
}

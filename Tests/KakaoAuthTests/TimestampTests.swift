import Foundation
import Testing

@testable import KakaoAuth

@Suite struct TimestampTests {
    @Test(arguments: [Int64(0), 1, 59, 86_399, 86_400, 951_782_400, 1_709_164_800, 1_795_309_497, 4_102_444_799, 253_402_300_799])
    func formatsLikeFoundation(seconds: Int64) {
        #expect(Timestamp.rfc3339(seconds) == Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601))
    }

    @Test func formatsEveryDayOfSeveralYearsLikeFoundation() {
        for seconds in stride(from: Int64(946_684_800), to: 1_104_537_600, by: 86_400 + 3_661) {
            #expect(Timestamp.rfc3339(seconds) == Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601))
        }
    }
}

import Foundation

/// The service's notion of now, in whole seconds since 1970; tests substitute their own.
public struct UnixClock: Sendable {
    public let now: @Sendable () -> Int64

    public init(now: @escaping @Sendable () -> Int64) {
        self.now = now
    }

    public static let system = UnixClock { Int64(Date().timeIntervalSince1970) }
}

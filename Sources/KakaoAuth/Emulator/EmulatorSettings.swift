import NIOCore

/// How `kakao-auth emulator` behaves: the app it pretends to be registered for, and the faults it injects.
public struct EmulatorSettings: Sendable {
    /// A deliberate misbehaviour of one endpoint, for fault drills.
    public struct Fault: Sendable {
        /// Wait this long before answering.
        public var delay: TimeAmount
        /// Answer with this status and a Kakao-shaped error body instead of the real answer.
        public var status: Int?

        public init(delay: TimeAmount = .zero, status: Int? = nil) {
            self.delay = delay
            self.status = status
        }
    }

    public var clientID: String
    /// When set, the token endpoint requires it as `client_secret` (KOE010 otherwise).
    public var clientSecret: String?
    /// `KakaoAK {adminKey}` authorises the admin calls (user lookup, logout and unlink by user id).
    public var adminKey: String
    /// The registered redirect URIs; authorize refuses others (KOE006). Empty accepts any http(s) URI.
    public var redirectURIs: [String]
    public var host: String
    public var port: Int
    public var tokenFault: Fault?
    public var userFault: Fault?
    /// Benchmarks only: the token endpoint accepts any code without the consent step. `user-<n>` logs in
    /// user n; any other code a user of its own (the same code, the same user).
    public var acceptAnyCode: Bool

    public init(
        clientID: String = "emulator-client-id", clientSecret: String? = nil, adminKey: String = "emulator-admin-key",
        redirectURIs: [String] = [], host: String = "127.0.0.1", port: Int = 8081, tokenFault: Fault? = nil, userFault: Fault? = nil,
        acceptAnyCode: Bool = false
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.adminKey = adminKey
        self.redirectURIs = redirectURIs
        self.host = host
        self.port = port
        self.tokenFault = tokenFault
        self.userFault = userFault
        self.acceptAnyCode = acceptAnyCode
    }
}

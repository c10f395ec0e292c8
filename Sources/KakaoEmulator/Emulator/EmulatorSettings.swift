import KakaoAuth
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
    /// The `iss` of its id_tokens and of its discovery document: its own base URL (`KAKAO_OIDC_ISSUER`).
    public var issuer: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }
    public var tokenFault: Fault?
    public var userFault: Fault?
    /// Faults of `/.well-known/jwks.json`, for drills of the service's id_token path.
    public var jwksFault: Fault?
    /// The numeric app id `access_token_info` reports for every token it issued (`KAKAO_APP_ID`).
    public var appID: String
    /// The native app key the SDK-login endpoint puts in its id_tokens' `aud`, as Kakao's SDKs do.
    public var nativeAppKey: String
    /// Benchmarks only: the token endpoint accepts any code without the consent step. `user-<n>` logs in
    /// user n; any other code a user of its own (the same code, the same user).
    public var acceptAnyCode: Bool

    public init(
        clientID: String = "emulator-client-id", clientSecret: String? = nil, adminKey: String = "emulator-admin-key-0123456789abcdef",
        redirectURIs: [String] = [], host: String = "127.0.0.1", port: Int = 8081, tokenFault: Fault? = nil, userFault: Fault? = nil,
        jwksFault: Fault? = nil, appID: String = "1", nativeAppKey: String = "emulator-native-app-key", acceptAnyCode: Bool = false
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.adminKey = adminKey
        self.redirectURIs = redirectURIs
        self.host = host
        self.port = port
        self.tokenFault = tokenFault
        self.userFault = userFault
        self.jwksFault = jwksFault
        self.appID = appID
        self.nativeAppKey = nativeAppKey
        self.acceptAnyCode = acceptAnyCode
    }
}

import Hummingbird
import HummingbirdTesting
import Logging

@testable import KakaoAuth
@testable import KakaoEmulator

/// The emulator on a loopback port, registered for the same client as ``FakeKakao``.
enum TestEmulator {
    static func settings(redirectURIs: [String] = [], tokenFault: EmulatorSettings.Fault? = nil, userFault: EmulatorSettings.Fault? = nil)
        -> EmulatorSettings
    {
        EmulatorSettings(
            clientID: FakeKakao.clientID, clientSecret: FakeKakao.clientSecret, adminKey: FakeKakao.adminKey,
            redirectURIs: redirectURIs, tokenFault: tokenFault, userFault: userFault)
    }

    static func run(
        _ settings: EmulatorSettings = settings(), clock: UnixClock = .system,
        _ body: @Sendable (_ baseURL: String, _ client: LoopbackClient) async throws -> Void
    ) async throws {
        var logger = Logger(label: "kakao-emulator-test")
        logger.logLevel = .warning
        try await buildEmulator(settings: settings, logger: logger, clock: clock).test(.ahc(.http)) { harness in
            try await LoopbackClient.with(harness) { client in try await body(client.baseURL, client) }
        }
    }
}

extension LoopbackClient {
    /// Approves the consent form for an authorize request (its query fields) as the given test user and
    /// returns the emulator's redirect.
    func consent(
        _ authorize: [String: String], kakaoID: String = "", nickname: String = "라이언", email: String? = "ryan@kakao.test",
        decision: String = "approve"
    ) async throws -> HTTPAnswer {
        var fields = authorize.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        fields += [("decision", decision), ("kakao_id", kakaoID), ("nickname", nickname), ("email", email ?? ""), ("email_verified", "on")]
        if email != nil { fields.append(("share_email", "on")) }
        return try await postForm("/oauth/authorize", fields)
    }
}

import Foundation
import Hummingbird
import KakaoAuth
import KakaoAuthTokens
import Logging
import ServiceLifecycle

/// `kakao-auth demo`: the emulator and the service side by side, configured for each other, with the demo
/// page at the service's root. Zero configuration: an ephemeral JWT secret, plain-http cookies (the only
/// place `COOKIE_SECURE=false` is chosen for you), and SQLite in the given file.
public struct Demo: Sendable {
    public static let clientID = "demo-client-id"
    public static let clientSecret = "demo-client-secret"

    public let url: String
    public let emulatorURL: String
    let configuration: Configuration
    let emulatorSettings: EmulatorSettings
    let page: DemoPage

    public init(port: Int, emulatorPort: Int, databasePath: String) throws {
        url = "http://localhost:\(port)"
        emulatorURL = "http://localhost:\(emulatorPort)"
        let pageURI = url + "/"
        let callbackURI = url + ServerFlowPaths.callback
        emulatorSettings = EmulatorSettings(
            clientID: Self.clientID, clientSecret: Self.clientSecret, adminKey: RandomID.make() + RandomID.make(),
            redirectURIs: [pageURI, callbackURI], port: emulatorPort)
        configuration = try Configuration(environment: [
            "KAKAO_CLIENT_ID": Self.clientID,
            "KAKAO_CLIENT_SECRET": Self.clientSecret,
            "KAKAO_REDIRECT_URIS": "\(pageURI),\(callbackURI)",
            "KAKAO_AUTH_BASE_URL": emulatorURL,
            "KAKAO_API_BASE_URL": emulatorURL,
            "JWT_SECRET": Base64URL.encode(OpenSSL.randomBytes(count: 48)),
            "DATABASE_PATH": databasePath,
            "PORT": String(port),
            "PUBLIC_URL": url,
            "COOKIE_SECURE": "false",
            // Apps on Kakao's SDKs: id_tokens from the emulator, for the web key or its native app key, and
            // access tokens of the emulator's app.
            "KAKAO_OIDC_ISSUER": emulatorSettings.issuer,
            "KAKAO_ID_TOKEN_AUDIENCES": "\(Self.clientID),\(emulatorSettings.nativeAppKey)",
            "KAKAO_APP_ID": emulatorSettings.appID,
        ])
        page = DemoPage(emulatorURL: emulatorURL, clientID: Self.clientID, redirectURI: pageURI)
    }

    /// Runs both until SIGINT or SIGTERM.
    public func run(logger: Logger) async throws {
        let service = try await buildApplication(configuration: configuration, logger: logger, additionalRoutes: page)
        let emulator = buildEmulator(settings: emulatorSettings, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [emulator, service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

import Hummingbird
import KakaoAuth
import KakaoAuthTokens

/// The demo's single page (`demo.html`, plain HTML and JavaScript, compiled into the binary): a Kakao login
/// button that goes through the emulator, the callback that posts the code to `/auth/kakao`, and the
/// signed-in user with refresh and logout buttons.
public struct DemoPage: AdditionalRoutes {
    let html: String
    /// The emulator's origin, which the page's script may call (its SDK stand-in).
    let emulatorOrigin: String

    /// - Parameters:
    ///   - emulatorURL: the emulator's base URL: the login button goes to its `/oauth/authorize`, the app
    ///     button calls its `/emulator/sdk-login`, the Kakao-password button its `/emulator/account-event`
    ///   - clientID: the app key the emulator expects
    ///   - redirectURI: this page's own URL, registered with the emulator
    public init(emulatorURL: String, clientID: String, redirectURI: String) {
        emulatorOrigin = emulatorURL
        let config =
            "{\"authorizeURL\":\((emulatorURL + "/oauth/authorize").jsonQuoted),\"sdkLoginURL\":\((emulatorURL + "/emulator/sdk-login").jsonQuoted),"
            + "\"accountEventURL\":\((emulatorURL + "/emulator/account-event").jsonQuoted),"
            + "\"clientID\":\(clientID.jsonQuoted),\"redirectURI\":\(redirectURI.jsonQuoted)}"
        // Inside <script>, "<" must not appear raw: "</script>" in a value would end the element.
        let safeConfig = config.replacingOccurrences(of: "<", with: "\\u003c")
        html = String(decoding: PackageResources.demo_html, as: UTF8.self).replacingOccurrences(of: "{{CONFIG_JSON}}", with: safeConfig)
    }

    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        let html = html
        let emulatorOrigin = emulatorOrigin
        router.get("/") { _, _ in
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8",
                    .contentSecurityPolicy:
                        "default-src 'self'; connect-src 'self' \(emulatorOrigin); script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' https: data:; form-action 'none'; frame-ancestors 'none'",
                ],
                body: .init(byteBuffer: ByteBuffer(string: html)))
        }
    }
}

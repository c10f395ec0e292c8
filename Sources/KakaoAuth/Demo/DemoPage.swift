import Hummingbird

/// The demo's single page (`demo.html`, plain HTML and JavaScript, compiled into the binary): a Kakao login
/// button that goes through the emulator, the callback that posts the code to `/auth/kakao`, and the
/// signed-in user with refresh and logout buttons.
public struct DemoPage: Sendable {
    let html: String

    /// - Parameters:
    ///   - authorizeURL: where the login button sends the browser (the emulator's `/oauth/authorize`)
    ///   - clientID: the app key the emulator expects
    ///   - redirectURI: this page's own URL, registered with the emulator
    public init(authorizeURL: String, clientID: String, redirectURI: String) {
        let config = "{\"authorizeURL\":\(authorizeURL.jsonQuoted),\"clientID\":\(clientID.jsonQuoted),\"redirectURI\":\(redirectURI.jsonQuoted)}"
        // Inside <script>, "<" must not appear raw: "</script>" in a value would end the element.
        let safeConfig = config.replacingOccurrences(of: "<", with: "\\u003c")
        html = String(decoding: PackageResources.demo_html, as: UTF8.self).replacingOccurrences(of: "{{CONFIG_JSON}}", with: safeConfig)
    }

    func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/") { _, _ in
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8",
                    .contentSecurityPolicy: "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' https: data:; form-action 'none'; frame-ancestors 'none'",
                ],
                body: .init(byteBuffer: ByteBuffer(string: html)))
        }
    }
}

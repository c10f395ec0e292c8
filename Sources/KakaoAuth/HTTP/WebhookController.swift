import Hummingbird
import KakaoAuthTokens

/// Kakao's unlink webhook (`GET` with a query or `POST` with a form): the user left our app at Kakao
/// (account deleted, unlinked from Kakao's side, …), so we erase them and every session. Kakao suspends a
/// webhook that fails for a month, so every authenticated call is answered 200 at once, even for a user we
/// never knew.
struct WebhookController {
    typealias Context = AppRequestContext
    static let path = "/webhooks/kakao/unlink"

    let accounts: Accounts
    let bodies: RequestBody
    /// Kakao signs webhook calls with `Authorization: KakaoAK {primary admin key}`.
    let adminKey: String
    /// When set, the call's `app_id` must be this.
    let appID: String?
    /// Counts the calls that fail authentication (see ``unlink(_:context:)``).
    let rateLimit: RateLimitMiddleware?
    let clock: UnixClock

    func addRoutes(to router: Router<Context>) {
        router.get(RouterPath(Self.path), use: unlink)
        router.post(RouterPath(Self.path), use: unlink)
    }

    /// Only Kakao, holding the admin key, gets to write here, so the rate limit counts the calls that fail
    /// authentication (someone guessing the key) and never Kakao's own: a burst of real unlinks (an admin
    /// unlinking many users) answered 429 would count as failures, and Kakao suspends failing webhooks.
    @Sendable func unlink(_ request: Request, context: Context) async throws -> Response {
        guard let authorization = request.headers[.authorization], authorization.hasPrefix("KakaoAK "),
            OpenSSL.constantTimeEqual(authorization.dropFirst("KakaoAK ".count), adminKey)
        else {
            if let refusal = rateLimit?.refusal(of: request, context: context) { return refusal }
            throw APIError(.invalidCredentials, "the webhook must carry Authorization: KakaoAK with the app's primary admin key")
        }

        let text: String
        if request.method == .post {
            text = String(buffer: try await bodies.collect(request))
        } else {
            text = request.uri.query ?? ""
        }
        guard let parameters = URLEncodedForm.decode(text) else { throw APIError(.invalidRequest, "the parameters are malformed or repeated") }
        if let appID, parameters["app_id"].map(appID.isExactly) != true {
            throw APIError(.invalidCredentials, "app_id is not this app's (KAKAO_APP_ID)")
        }
        // Exactly openapi.yaml's pattern: 1 to 19 digits, no leading zero, no sign.
        guard let userID = parameters["user_id"], KakaoProfile.isDecimalID(userID) else {
            throw APIError(.invalidRequest, "user_id must be a Kakao user id: 1 to 19 digits without a leading zero")
        }
        // Beyond 64 bits no Kakao user exists; such a call is answered like any other unknown user's.
        guard let kakaoID = Int64(userID) else { return Response.json { $0.add("status", "ok") } }
        let referrer = parameters["referrer_type"].map { ClientText.capped($0, bytes: 64) } ?? "unknown"
        try await accounts.erase(.kakaoID(kakaoID), event: .webhookUnlink, now: clock.now(), detail: "referrer_type=\(referrer)")
        return Response.json { $0.add("status", "ok") }
    }
}

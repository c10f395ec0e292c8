import Hummingbird
import NIOCore

/// Kakao's account status webhook (OpenID Shared Signals): one Security Event Token a request, pushed as
/// RFC 8935 says. On whenever the service runs: a SET needs no secret of ours, Kakao's signature is its
/// authentication. 202 for every SET that verifies, whatever it says; 400 with RFC 8935's `{"err",
/// "description"}` for one that does not; 503 only when Kakao's JWKS cannot be had for its `kid`, so that
/// Kakao sends it again.
struct AccountStatusWebhookController {
    typealias Context = AppRequestContext
    static let path = "/webhooks/kakao/account-status"
    static let mediaType = MediaType(type: .application, subType: "secevent+jwt")

    let verifier: KakaoSecurityEventVerifier
    let signals: AccountSignals
    let bodies: RequestBody
    let origins: RequestOrigins
    /// Counts the SETs that fail verification, never Kakao's valid ones (see ``WebhookController``).
    let rateLimit: RateLimitMiddleware?
    let clock: UnixClock

    func addRoutes(to router: Router<Context>) {
        router.post(RouterPath(Self.path), use: receive)
    }

    @Sendable func receive(_ request: Request, context: Context) async throws -> Response {
        do {
            let now = clock.now()
            let event = try await verifier.verify(try await token(of: request), now: now)
            _ = try await signals.apply(event, origin: origins.origin(of: request, context: context), now: now)
            return Response(status: .accepted)
        } catch let refusal as SecurityEventRefusal {
            if let limited = rateLimit?.refusal(of: request, context: context) { return limited }
            return refusal.response
        }
    }

    /// The body, only once its media type is right, and at most ``KakaoSecurityEventVerifier/maximumSize`` bytes.
    private func token(of request: Request) async throws -> String {
        guard let mediaType = request.headers[.contentType].flatMap(MediaType.init(from:)), mediaType.isType(Self.mediaType) else {
            throw SecurityEventRefusal(.invalidRequest, "send the SET as application/secevent+jwt")
        }
        do {
            return String(buffer: try await bodies.collect(request, upTo: KakaoSecurityEventVerifier.maximumSize))
        } catch is NIOTooManyBytesError {
            throw SecurityEventRefusal(.invalidRequest, "the SET is longer than \(KakaoSecurityEventVerifier.maximumSize) bytes")
        }
    }
}

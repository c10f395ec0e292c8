import AsyncHTTPClient
import KakaoAuthTokens
import NIOCore
import NIOHTTP1

/// Every call the service makes to Kakao: a code login's two (exchange the code, read the user), an
/// access-token login's (`access_token_info`, then the user), Kakao's OIDC key set for id_tokens, and the
/// unlink of an erased account.
///
/// Every call is bounded as a whole (connect, headers and body) by `timeout`, and every answer by
/// ``maximumAnswerSize``, so a slow or hostile peer costs a login at most that much time and memory.
struct KakaoClient: Sendable {
    struct Settings: Sendable {
        var clientID: String
        var clientSecret: String?
        var authBaseURL: String
        var apiBaseURL: String
        /// The primary admin key: authorises unlinking users (`KakaoAK`) and authenticates Kakao's webhooks.
        var adminKey: String?
        /// The whole-call limit: connect, send, and read the complete answer.
        var timeout: TimeAmount
    }

    static let maximumAnswerSize = 1 << 20

    let httpClient: HTTPClient
    let settings: Settings
    let metrics: ServiceMetrics

    /// `POST {auth}/oauth/token` with `grant_type=authorization_code`; returns Kakao's access token.
    func exchangeCode(_ code: String, redirectURI: String, codeVerifier: String?) async throws(KakaoError) -> String {
        var form = [
            ("grant_type", "authorization_code"), ("client_id", settings.clientID),
            ("redirect_uri", redirectURI), ("code", code),
        ]
        if let secret = settings.clientSecret { form.append(("client_secret", secret)) }
        if let codeVerifier { form.append(("code_verifier", codeVerifier)) }

        var request = HTTPClientRequest(url: settings.authBaseURL + "/oauth/token")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded;charset=utf-8")
        request.body = .bytes(ByteBuffer(string: URLEncodedForm.encode(form)))

        let (status, answer) = try await send(request, endpoint: "token")
        guard status == 200 else {
            let errorCode = answer?["error_code"]?.stringValue
            if answer?["error"]?.stringValue == "invalid_grant" || errorCode == "KOE320" || errorCode == "KOE303" {
                throw .invalidGrant(errorCode: errorCode)
            }
            throw Self.failure(status: status, errorCode: errorCode)
        }
        guard let accessToken = answer?["access_token"]?.stringValue, !accessToken.isEmpty else {
            throw .malformedAnswer("the token answer has no access_token")
        }
        return accessToken
    }

    /// `GET {api}/v2/user/me` with Kakao's access token.
    func fetchProfile(accessToken: String) async throws(KakaoError) -> KakaoProfile {
        var request = HTTPClientRequest(url: settings.apiBaseURL + "/v2/user/me?secure_resource=true")
        request.headers.add(name: "Authorization", value: "Bearer " + accessToken)
        return try await profile(request)
    }

    /// `GET {api}/v2/user/me` for one user, with the admin key (`KakaoAK`, `target_id_type=user_id`).
    func fetchProfile(kakaoID: Int64, adminKey: String) async throws(KakaoError) -> KakaoProfile {
        var request = HTTPClientRequest(
            url: settings.apiBaseURL + "/v2/user/me?secure_resource=true&target_id_type=user_id&target_id=\(kakaoID)")
        request.headers.add(name: "Authorization", value: "KakaoAK " + adminKey)
        return try await profile(request)
    }

    private func profile(_ request: HTTPClientRequest) async throws(KakaoError) -> KakaoProfile {
        let (status, answer) = try await send(request, endpoint: "user_me")
        guard status == 200 else {
            throw Self.failure(status: status, errorCode: answer?["code"].flatMap { $0.integerValue.map(String.init) })
        }
        guard let answer else { throw .malformedAnswer("the user answer is not JSON") }
        return try KakaoProfile(json: answer)
    }

    /// `GET {auth}/.well-known/jwks.json`: Kakao's OpenID Connect signing keys (see ``KakaoJWKS``).
    func fetchJWKS() async throws(KakaoError) -> JSONValue {
        let (status, answer) = try await send(HTTPClientRequest(url: settings.authBaseURL + "/.well-known/jwks.json"), endpoint: "jwks")
        guard status == 200 else { throw Self.failure(status: status, errorCode: nil) }
        guard let answer else { throw .malformedAnswer("the JWKS is not JSON") }
        return answer
    }

    /// What Kakao says of an access token an app sent: whose it is and which app it was issued to
    /// (`GET {api}/v1/user/access_token_info`). A token Kakao does not know (-401) or cannot read (-2) is
    /// ``KakaoError/invalidToken(errorCode:)``.
    func accessTokenInfo(_ accessToken: String) async throws(KakaoError) -> (kakaoID: Int64, appID: String) {
        var request = HTTPClientRequest(url: settings.apiBaseURL + "/v1/user/access_token_info")
        request.headers.add(name: "Authorization", value: "Bearer " + accessToken)
        let (status, answer) = try await send(request, endpoint: "access_token_info")
        guard status == 200 else {
            let code = answer?["code"]?.integerValue
            if status < 500, code == -401 || code == -2 { throw .invalidToken(errorCode: code.map(String.init)) }
            throw Self.failure(status: status, errorCode: code.map(String.init))
        }
        guard let kakaoID = answer?["id"]?.integerValue, kakaoID > 0, let appID = answer?["app_id"]?.integerValue else {
            throw .malformedAnswer("the token info has no positive integer id and app_id")
        }
        return (kakaoID, String(appID))
    }

    /// `POST {api}/v1/user/unlink` with the admin key: disconnects the user from our app at Kakao. A user
    /// Kakao no longer knows (-101) counts as unlinked.
    func unlink(kakaoID: Int64, adminKey: String) async throws(KakaoError) {
        var request = HTTPClientRequest(url: settings.apiBaseURL + "/v1/user/unlink")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "KakaoAK " + adminKey)
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded;charset=utf-8")
        request.body = .bytes(ByteBuffer(string: URLEncodedForm.encode([("target_id_type", "user_id"), ("target_id", String(kakaoID))])))
        let (status, answer) = try await send(request, endpoint: "unlink")
        let code = answer?["code"]?.integerValue
        guard status == 200 || code == -101 else { throw Self.failure(status: status, errorCode: code.map(String.init)) }
    }

    private static func failure(status: Int, errorCode: String?) -> KakaoError {
        status >= 500 ? .unavailable(status: status) : .rejected(status: status, errorCode: errorCode)
    }

    /// Sends the request and reads the whole answer within the deadline. The body is nil when it is not
    /// JSON; a success status with such a body is the caller's `malformedAnswer`.
    private func send(_ request: HTTPClientRequest, endpoint: String) async throws(KakaoError) -> (status: Int, answer: JSONValue?) {
        let started = ContinuousClock.now
        do {
            let (status, answer) = try await exchange(request)
            metrics.kakaoCall(
                endpoint: endpoint, duration: ContinuousClock.now - started, failure: (200..<300).contains(status) ? nil : "status_\(status)")
            return (status, answer)
        } catch {
            metrics.kakaoCall(endpoint: endpoint, duration: ContinuousClock.now - started, failure: error.metricReason)
            throw error
        }
    }

    private func exchange(_ request: HTTPClientRequest) async throws(KakaoError) -> (status: Int, answer: JSONValue?) {
        let client = httpClient
        let result: (Int, ByteBuffer)
        do {
            result = try await withDeadline(settings.timeout) {
                let response = try await client.execute(request, timeout: settings.timeout)
                let body = try await response.body.collect(upTo: Self.maximumAnswerSize)
                return (Int(response.status.code), body)
            }
        } catch is DeadlineExceeded {
            throw .timedOut
        } catch let error as HTTPClientError where [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) {
            throw .timedOut
        } catch is NIOTooManyBytesError {
            throw .malformedAnswer("the answer is larger than \(Self.maximumAnswerSize) bytes")
        } catch {
            throw .unreachable
        }
        let (status, body) = result
        let answer = try? StrictJSONReader.parse(body.readableBytesView)
        if (200..<300).contains(status), answer == nil { throw .malformedAnswer("the answer is not JSON") }
        return (status, answer)
    }
}

extension KakaoError {
    fileprivate var metricReason: String {
        switch self {
        case .invalidGrant: "invalid_grant"
        case .invalidToken: "invalid_token"
        case .rejected(let status, _): "status_\(status)"
        case .unavailable(let status): "status_\(status)"
        case .malformedAnswer: "malformed_answer"
        case .unreachable: "unreachable"
        case .timedOut: "timeout"
        }
    }
}

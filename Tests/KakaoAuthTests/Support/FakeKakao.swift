import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// A stand-in for kauth.kakao.com and kapi.kakao.com: a real HTTP server on 127.0.0.1 that checks the
/// client credentials like Kakao, and whose answers each test scripts per authorization code.
final class FakeKakao: Sendable {
    static let clientID = "test-client-id"
    static let clientSecret = "test-client-secret"
    static let adminKey = "test-admin-key-0123456789abcdef012345"

    /// One scripted answer of an endpoint.
    struct Answer: Sendable {
        var status: Int = 200
        var body: String
        var contentType = "application/json;charset=UTF-8"
        var delay: Duration = .zero
    }

    /// What Kakao does for one authorization code: the token exchange, then the user lookup; and, for the
    /// access token `kakao-access-<code>` an app sends, `access_token_info` (by default: this app).
    struct Script: Sendable {
        var token: Answer?
        var user: Answer
        var tokenInfo: Answer? = nil
    }

    static let appID = "4242"

    private struct State {
        var scripts: [String: Script] = [:]
        var usedCodes: Set<String> = []
        var tokenRequests: [[String: String]] = []
        var userRequests = 0
        var unlinkAnswer = Answer(body: "")
        var unlinkedIDs: [String] = []
        var jwks = Answer(body: "{\"keys\":[]}")
        var jwksRequests = 0
        var tokenInfoRequests = 0
    }

    private let state = Mutex(State())

    /// Registers a code whose user lookup answers `profile` (raw JSON, so tests can send any id).
    func addCode(_ code: String, profile: String) {
        addCode(code, script: Script(user: Answer(body: profile)))
    }

    func addCode(_ code: String, script: Script) {
        state.withLock { $0.scripts[code] = script }
    }

    /// The form fields of every token request received so far.
    var tokenRequests: [[String: String]] { state.withLock { $0.tokenRequests } }
    var userRequests: Int { state.withLock { $0.userRequests } }
    /// The Kakao ids unlinked with the admin key so far.
    var unlinkedIDs: [String] { state.withLock { $0.unlinkedIDs } }

    /// What `/.well-known/jwks.json` answers from now on, and how often it was asked.
    func setJWKS(_ answer: Answer) {
        state.withLock { $0.jwks = answer }
    }

    var jwksRequests: Int { state.withLock { $0.jwksRequests } }
    var tokenInfoRequests: Int { state.withLock { $0.tokenInfoRequests } }

    /// What `/v1/user/unlink` answers from now on (by default 200 with the id).
    func setUnlinkAnswer(_ answer: Answer) {
        state.withLock { $0.unlinkAnswer = answer }
    }

    /// A `/v2/user/me` answer with the given id (as raw JSON text) and whatever profile fields are given.
    static func profile(
        id: String, nickname: String? = nil, email: String? = nil, emailValid: Bool = true, emailVerified: Bool = true, image: String? = nil
    ) -> String {
        var profile: [String] = []
        if let nickname { profile.append("\"nickname\":\(nickname.jsonQuoted)") }
        if let image {
            profile.append("\"profile_image_url\":\(image.jsonQuoted),\"thumbnail_image_url\":\((image + "?thumb").jsonQuoted)")
        }
        var account = ["\"profile\":{\(profile.joined(separator: ","))}"]
        if let email {
            account.append("\"email\":\(email.jsonQuoted),\"is_email_valid\":\(emailValid),\"is_email_verified\":\(emailVerified)")
        }
        return "{\"id\":\(id),\"connected_at\":\"2026-11-22T00:00:00Z\",\"kakao_account\":{\(account.joined(separator: ","))}}"
    }

    /// Runs the fake on a loopback port for the duration of `body`.
    func run<Value: Sendable>(_ body: @Sendable (_ baseURL: String) async throws -> Value) async throws -> Value {
        let router = Router()
        router.post("oauth/token") { request, _ in try await self.token(request) }
        router.get("v2/user/me") { request, _ in try await self.user(request) }
        router.post("v1/user/unlink") { request, _ in try await self.unlink(request) }
        router.get(".well-known/jwks.json") { _, _ in
            try await self.respond(
                self.state.withLock { state in
                    state.jwksRequests += 1
                    return state.jwks
                })
        }
        router.get("v1/user/access_token_info") { request, _ in try await self.tokenInfo(request) }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.ahc(.http)) { client in
            try await body("http://localhost:\(client.port!)")
        }
    }

    private static func kakaoError(_ status: Int, _ error: String, _ code: String) -> Answer {
        Answer(status: status, body: "{\"error\":\"\(error)\",\"error_description\":\"fake\",\"error_code\":\"\(code)\"}")
    }

    private func token(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 16)
        var fields: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        let answer: Answer = state.withLock { state in
            state.tokenRequests.append(fields)
            guard fields["grant_type"] == "authorization_code" else { return Self.kakaoError(400, "unsupported_grant_type", "KOE003") }
            guard fields["client_id"] == Self.clientID else { return Self.kakaoError(401, "invalid_client", "KOE101") }
            guard fields["client_secret"] == Self.clientSecret else { return Self.kakaoError(401, "invalid_client", "KOE010") }
            guard let code = fields["code"], let script = state.scripts[code], state.usedCodes.insert(code).inserted else {
                return Self.kakaoError(400, "invalid_grant", "KOE320")
            }
            return script.token
                ?? Answer(
                    body:
                        "{\"token_type\":\"bearer\",\"access_token\":\"kakao-access-\(code)\",\"expires_in\":21599,\"refresh_token\":\"kakao-refresh-\(code)\",\"refresh_token_expires_in\":5183999}"
                )
        }
        return try await respond(answer)
    }

    /// The script of the code whose access token (`kakao-access-<code>`) the request carries as Bearer.
    private static func script(of request: Request, in state: State) -> Script? {
        let prefix = "Bearer kakao-access-"
        guard let authorization = request.headers[.authorization], authorization.hasPrefix(prefix) else { return nil }
        return state.scripts[String(authorization.dropFirst(prefix.count))]
    }

    private static let unknownToken = Answer(status: 401, body: "{\"msg\":\"this access token does not exist\",\"code\":-401}")

    private func user(_ request: Request) async throws -> Response {
        let answer: Answer = state.withLock { state in
            state.userRequests += 1
            return Self.script(of: request, in: state)?.user ?? Self.unknownToken
        }
        return try await respond(answer)
    }

    private func tokenInfo(_ request: Request) async throws -> Response {
        let answer: Answer = state.withLock { state in
            state.tokenInfoRequests += 1
            guard let script = Self.script(of: request, in: state) else { return Self.unknownToken }
            if let tokenInfo = script.tokenInfo { return tokenInfo }
            let id = (try? StrictJSONReader.parse(Array(script.user.body.utf8)))?["id"]?.integerValue ?? 0
            return Answer(body: "{\"id\":\(id),\"expires_in\":7199,\"app_id\":\(Self.appID)}")
        }
        return try await respond(answer)
    }

    private func unlink(_ request: Request) async throws -> Response {
        let form = URLEncodedForm.decode(String(buffer: try await request.body.collect(upTo: 1 << 16))) ?? [:]
        let answer: Answer = state.withLock { state in
            guard request.headers[.authorization] == "KakaoAK \(Self.adminKey)" else {
                return Answer(status: 401, body: "{\"msg\":\"wrong admin key\",\"code\":-401}")
            }
            guard form["target_id_type"] == "user_id", let id = form["target_id"] else {
                return Answer(status: 400, body: "{\"msg\":\"target_id required\",\"code\":-2}")
            }
            guard state.unlinkAnswer.body.isEmpty else { return state.unlinkAnswer }
            state.unlinkedIDs.append(id)
            return Answer(body: "{\"id\":\(id)}")
        }
        return try await respond(answer)
    }

    private func respond(_ answer: Answer) async throws -> Response {
        try await Task.sleep(for: answer.delay)
        return Response(
            status: .init(code: answer.status), headers: [.contentType: answer.contentType],
            body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }
}

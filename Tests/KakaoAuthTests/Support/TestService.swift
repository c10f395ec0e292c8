import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let seconds: Mutex<Int64>

    init(_ start: Int64 = Int64(Date().timeIntervalSince1970)) {
        seconds = Mutex(start)
    }

    var clock: UnixClock { UnixClock { self.seconds.withLock { $0 } } }

    func advance(by delta: Int64) {
        seconds.withLock { $0 += delta }
    }
}

/// Runs the real application, built by `buildApplication` exactly as `kakao-auth serve` builds it, on a
/// loopback port, with a fresh SQLite file and a ``FakeKakao`` as its Kakao.
struct TestService {
    static let redirectURI = "https://app.example/callback"
    static let otherRedirectURI = "https://app.example/other"
    static let jwtSecret = "test-secret-test-secret-test-secret-0123456789"

    let client: LoopbackClient
    let databasePath: String

    static func environment(kakaoBaseURL: String, databasePath: String) -> [String: String] {
        [
            "KAKAO_CLIENT_ID": FakeKakao.clientID,
            "KAKAO_CLIENT_SECRET": FakeKakao.clientSecret,
            "KAKAO_REDIRECT_URIS": "\(redirectURI), \(otherRedirectURI)",
            "KAKAO_AUTH_BASE_URL": kakaoBaseURL,
            "KAKAO_API_BASE_URL": kakaoBaseURL,
            "JWT_SECRET": jwtSecret,
            "DATABASE_PATH": databasePath,
            // Many logins from one address in a few seconds; the rate limit has tests of its own.
            "RATE_LIMIT_PER_MINUTE": "0",
        ]
    }

    static func run(
        kakao: FakeKakao = FakeKakao(),
        environment overrides: [String: String] = [:],
        clock: UnixClock = .system,
        _ body: @Sendable (TestService) async throws -> Void
    ) async throws {
        try await kakao.run { baseURL in
            try await run(kakaoBaseURL: baseURL, environment: overrides, clock: clock, body)
        }
    }

    /// The service against any Kakao at `kakaoBaseURL` (the fake, or the emulator).
    static func run(
        kakaoBaseURL: String,
        environment overrides: [String: String] = [:],
        clock: UnixClock = .system,
        additionalRoutes: (any AdditionalRoutes)? = nil,
        _ body: @Sendable (TestService) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kakao-auth-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let databasePath = directory.appendingPathComponent("test.sqlite").path

        let environment = Self.environment(kakaoBaseURL: kakaoBaseURL, databasePath: databasePath).merging(overrides) { $1 }
        let configuration = try Configuration(environment: environment)
        var logger = Logger(label: "kakao-auth-test")
        logger.logLevel = .warning
        let app = try await buildApplication(configuration: configuration, logger: logger, clock: clock, additionalRoutes: additionalRoutes)
        try await app.test(.ahc(.http)) { harness in
            try await LoopbackClient.with(harness) { client in
                try await body(TestService(client: client, databasePath: databasePath))
            }
        }
    }

    /// The routes `buildRouter` registers for this environment (method and path), as the router lists them.
    static func routes(environment overrides: [String: String]) throws -> [(method: HTTPRequest.Method, path: String)] {
        let databasePath = FileManager.default.temporaryDirectory.appendingPathComponent("kakao-auth-routes-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: databasePath) }
        let configuration = try Configuration(
            environment: Self.environment(kakaoBaseURL: "http://127.0.0.1:9", databasePath: databasePath).merging(overrides) { $1 })
        let database = try SQLiteStore(path: databasePath)
        defer { try? database.close() }
        let metrics = ServiceMetrics()
        let router = buildRouter(
            configuration: configuration, store: database,
            kakao: KakaoClient(httpClient: .shared, settings: configuration.kakao, metrics: metrics), metrics: metrics, clock: .system,
            additionalRoutes: nil)
        return router.routes.map { ($0.method, $0.path.description) }
    }

    /// The routes `buildAdminRouter` registers (the environment must configure the admin listener).
    static func adminRoutes(environment overrides: [String: String]) throws -> [(method: HTTPRequest.Method, path: String)] {
        let databasePath = FileManager.default.temporaryDirectory.appendingPathComponent("kakao-auth-routes-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: databasePath) }
        let configuration = try Configuration(
            environment: Self.environment(kakaoBaseURL: "http://127.0.0.1:9", databasePath: databasePath).merging(overrides) { $1 })
        let admin = try #require(configuration.admin)
        let database = try SQLiteStore(path: databasePath)
        defer { try? database.close() }
        let metrics = ServiceMetrics()
        let router = buildAdminRouter(
            configuration: configuration, admin: admin, store: database,
            kakao: KakaoClient(httpClient: .shared, settings: configuration.kakao, metrics: metrics), metrics: metrics, clock: .system,
            metricsRoutes: nil)
        return router.routes.map { ($0.method, $0.path.description) }
    }

    /// Counts rows straight from the SQLite file, as another process would see them.
    func count(_ table: String, where condition: String = "1") throws -> Int {
        let queue = try DatabaseQueue(path: databasePath)
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE \(condition)")! }
    }

    // MARK: Requests

    func post(_ path: String, json: String? = nil, headers: HTTPFields = [:]) async throws -> HTTPAnswer {
        var headers = headers
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: path, method: .post, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    func get(_ path: String, headers: HTTPFields = [:]) async throws -> HTTPAnswer {
        try await client.execute(uri: path, method: .get, headers: headers)
    }

    func options(_ path: String, headers: HTTPFields) async throws -> HTTPAnswer {
        try await client.execute(uri: path, method: .options, headers: headers)
    }

    func login(code: String, delivery: String = "cookie", extra: String = "") async throws -> HTTPAnswer {
        try await post("/auth/kakao", json: "{\"code\":\(code.jsonQuoted),\"token_delivery\":\"\(delivery)\"\(extra)}")
    }

    func me(bearer token: String) async throws -> HTTPAnswer {
        try await get("/users/me", headers: [.authorization: "Bearer \(token)"])
    }

    func refresh(token: String) async throws -> HTTPAnswer {
        try await post("/auth/refresh", json: "{\"refresh_token\":\(token.jsonQuoted)}")
    }
}

extension HTTPAnswer {
    var json: JSONValue {
        get throws { try StrictJSONReader.parse(body.readableBytesView) }
    }

    /// The problem document's `code`, or nil when the answer is not a problem.
    var problemCode: String? {
        guard headers[.contentType] == "application/problem+json" else { return nil }
        return (try? json)?["code"]?.stringValue
    }

    /// Set-Cookie headers by cookie name: the value and the attributes as written.
    var setCookies: [String: (value: String, attributes: [String])] {
        var cookies: [String: (value: String, attributes: [String])] = [:]
        for header in headers[values: .setCookie] {
            let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let pair = parts[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            cookies[String(pair[0])] = (String(pair[1]), Array(parts.dropFirst()))
        }
        return cookies
    }

    /// The `Location` header split into its URL and decoded query fields.
    var redirect: (url: String, query: [String: String])? {
        guard let location = headers[.location] else { return nil }
        let parts = location.split(separator: "?", maxSplits: 1)
        return (String(parts[0]), parts.count > 1 ? URLEncodedForm.decode(String(parts[1])) ?? [:] : [:])
    }

    /// A `Cookie` request header carrying every cookie this answer set to a non-empty value.
    var cookieHeader: HTTPFields {
        let pairs = setCookies.filter { !$0.value.value.isEmpty }.map { "\($0.key)=\($0.value.value)" }
        return [.cookie: pairs.sorted().joined(separator: "; ")]
    }
}

extension JSONValue {
    var arrayValue: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// The element at `index` of an array, or nil.
    subscript(index: Int) -> JSONValue? {
        guard let elements = arrayValue, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}

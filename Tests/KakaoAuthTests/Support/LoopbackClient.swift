import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import NIOPosix

@testable import KakaoAuth

/// An HTTP answer as a test sees it.
struct HTTPAnswer: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: ByteBuffer
}

/// Real HTTP to a server on a loopback port, through AsyncHTTPClient with its own connection pool (so
/// requests run concurrently) and without following redirects (so tests see every 302).
struct LoopbackClient: Sendable {
    let port: Int
    private let http: HTTPClient

    /// A client for the server a HummingbirdTesting harness started, for the duration of `body`.
    static func with<Value: Sendable>(_ harness: any TestClientProtocol, _ body: (LoopbackClient) async throws -> Value) async throws -> Value {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let client = LoopbackClient(port: harness.port!, http: http)
        do {
            let value = try await body(client)
            try await http.shutdown()
            return value
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    var baseURL: String { "http://localhost:\(port)" }

    /// The same client, for another listener of the server (the metrics one).
    func on(port other: Int) -> LoopbackClient {
        LoopbackClient(port: other, http: http)
    }

    /// A loopback port that nothing listens on now (bound, then released), for a listener a test configures.
    /// Drawn below Linux's ephemeral range (32768-60999): a port the kernel handed out for `bind(0)` could be
    /// handed out again, to the next connection any other test opens, before the service binds it, and the
    /// service's listener would then fail to start mid-test (seen as `remoteConnectionClosed`).
    static func freePort() async throws -> Int {
        while true {
            let port = Int.random(in: 20_000..<32_768)
            guard let channel = try? await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: port).get()
            else { continue }
            try await channel.close()
            return port
        }
    }

    func execute(uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: baseURL + uri)
        request.method = HTTPMethod(rawValue: method.rawValue)
        request.headers = HTTPHeaders(headers.map { ($0.name.rawName, $0.value) })
        request.body = body.map { .bytes($0) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let fields = HTTPFields(response.headers.map { HTTPField(name: HTTPField.Name($0.name)!, value: $0.value) })
        return HTTPAnswer(status: .init(code: Int(response.status.code)), headers: fields, body: try await response.body.collect(upTo: 16 << 20))
    }

    func postForm(_ path: String, _ fields: [(String, String)], headers: HTTPFields = [:]) async throws -> HTTPAnswer {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: URLEncodedForm.encode(fields)))
    }
}

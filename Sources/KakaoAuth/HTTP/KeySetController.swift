import Hummingbird
import KakaoAuthTokens

/// `GET /.well-known/jwks.json`: the public keys that verify our tokens (RFC 7517), for any JWT library.
/// The document only changes with a restart, so it is built once, with its ETag.
struct KeySetController {
    typealias Context = AppRequestContext

    private let document: ByteBuffer
    private let entityTag: String

    init(keys: [AsymmetricKey]) {
        let text = "{\"keys\":[" + keys.map(\.publicJWK).joined(separator: ",") + "]}"
        document = ByteBuffer(string: text)
        entityTag = "\"" + Base64URL.encode(OpenSSL.sha256(text).prefix(16)) + "\""
    }

    func addRoutes(to router: Router<Context>) {
        let document = document
        let entityTag = entityTag
        router.get(".well-known/jwks.json") { request, _ -> Response in
            // Five minutes: a verifier's cache picks up a next key well within the runbook's wait.
            var headers: HTTPFields = [.cacheControl: "public, max-age=300", .eTag: entityTag]
            if request.headers[.ifNoneMatch].map({ Self.matches($0, entityTag) }) == true {
                return Response(status: .notModified, headers: headers)
            }
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: document))
        }
    }

    /// `If-None-Match`: `*`, or a list of tags, weak or strong (a weak comparison, as RFC 9110 asks for GET).
    private static func matches(_ header: String, _ entityTag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == entityTag || tag == "W/" + entityTag
        }
    }
}

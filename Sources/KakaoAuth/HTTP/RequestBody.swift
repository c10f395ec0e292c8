import Hummingbird
import KakaoAuthTokens
import NIOCore

/// Reads request bodies the strict way: at most 64 KiB, `application/json` only, strict JSON, one object.
///
/// Insisting on the JSON media type is also a CSRF defence: a cross-site form or `text/plain` POST cannot
/// carry it without a CORS preflight.
struct RequestBody: Sendable {
    static let maximumSize = 64 * 1024

    /// How long a client may take to send its body (`HTTP_READ_TIMEOUT_SECONDS`).
    let timeout: TimeAmount

    /// The whole body, at most `limit` bytes (``maximumSize`` unless a route takes less), read within
    /// ``timeout`` so that a client trickling its body cannot hold a request open for long.
    func collect(_ request: Request, upTo limit: Int = Self.maximumSize) async throws -> ByteBuffer {
        let body = request.body
        do {
            return try await withDeadline(timeout) { try await body.collect(upTo: limit) }
        } catch is DeadlineExceeded {
            throw APIError(.requestTimeout, "the request body did not arrive within \(timeout.nanoseconds / 1_000_000_000) s")
        }
    }

    /// The body's JSON object, or nil when the body is empty and `required` is false. Nested at most
    /// `maximumDepth` levels: more than any endpoint's own fields need, unless it takes arbitrary JSON.
    func jsonObject(
        of request: Request, required: Bool, maximumDepth: Int = StrictJSONReader.defaultMaximumDepth
    ) async throws -> JSONFields? {
        let buffer = try await collect(request)
        guard buffer.readableBytes > 0 else {
            if required { throw APIError(.invalidRequest, "a JSON body is required") }
            return nil
        }
        let mediaType = request.headers[.contentType].flatMap(MediaType.init(from:))
        guard let mediaType, mediaType.isType(.applicationJson) else {
            throw APIError(.unsupportedMediaType, "send the body as application/json")
        }
        do {
            return try JSONFields(StrictJSONReader.parse(buffer.readableBytesView, maximumDepth: maximumDepth))
        } catch let error as JSONSyntaxError {
            throw APIError(.invalidRequest, "the body is not valid JSON: \(error)")
        }
    }
}

/// The members of a request's JSON object, read with typed accessors that explain what is wrong.
struct JSONFields {
    private let members: [String: JSONValue]

    /// The object itself, for an endpoint that takes arbitrary JSON.
    var object: JSONValue { .object(members) }

    init(_ json: JSONValue) throws(APIError) {
        guard case .object(let members) = json else { throw APIError(.invalidRequest, "the body must be a JSON object") }
        self.members = members
    }

    /// Refuses members the endpoint does not know, so that a misspelt field is an error, not a silent default.
    func allowingOnly(_ names: Set<String>) throws(APIError) -> JSONFields {
        if let unknown = members.keys.sorted().first(where: { !names.contains($0) }) {
            throw APIError(.invalidRequest, "unknown field \"\(unknown)\"")
        }
        return self
    }

    func contains(_ name: String) -> Bool {
        members[name] != nil
    }

    /// A non-empty string of at most `maximumLength` bytes, or nil when absent.
    func string(_ name: String, maximumLength: Int = 2048) throws(APIError) -> String? {
        guard let value = members[name] else { return nil }
        guard let text = value.stringValue else { throw APIError(.invalidRequest, "\(name) must be a string, not \(value.typeName)") }
        guard !text.isEmpty else { throw APIError(.invalidRequest, "\(name) must not be empty") }
        guard !ClientText.containsNUL(text) else { throw APIError(.invalidRequest, "\(name) must not contain NUL (U+0000)") }
        guard text.utf8.count <= maximumLength else { throw APIError(.invalidRequest, "\(name) is longer than \(maximumLength) bytes") }
        return text
    }

    /// Like ``string(_:maximumLength:)``, for values that are tokens by nature (Kakao's authorization code, an
    /// OIDC nonce): visible ASCII only (U+0021 to U+007E), so that the cap in bytes and openapi.yaml's
    /// `maxLength` in characters are the same number.
    func visibleASCII(_ name: String, maximumLength: Int) throws(APIError) -> String? {
        guard let text = try string(name, maximumLength: maximumLength) else { return nil }
        guard text.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw APIError(.invalidRequest, "\(name) must be visible ASCII (no spaces or control characters)")
        }
        return text
    }

    func requiredString(_ name: String, maximumLength: Int = 2048) throws(APIError) -> String {
        guard let text = try string(name, maximumLength: maximumLength) else { throw APIError(.invalidRequest, "\(name) is required") }
        return text
    }

    /// An array of strings, or nil when absent; each element checked as the domain checks it.
    func strings(_ name: String) throws(APIError) -> [String]? {
        guard let value = members[name] else { return nil }
        guard case .array(let elements) = value else { throw APIError(.invalidRequest, "\(name) must be an array, not \(value.typeName)") }
        return try elements.map { element throws(APIError) in
            guard let text = element.stringValue else {
                throw APIError(.invalidRequest, "\(name) must hold strings, not \(element.typeName)")
            }
            return text
        }
    }

    func bool(_ name: String) throws(APIError) -> Bool? {
        guard let value = members[name] else { return nil }
        guard let flag = value.boolValue else { throw APIError(.invalidRequest, "\(name) must be a boolean, not \(value.typeName)") }
        return flag
    }
}

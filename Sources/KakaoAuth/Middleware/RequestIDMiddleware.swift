import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    static var requestID: Self { Self("X-Request-Id")! }
}

/// Gives every request an id (the caller's `X-Request-Id` when it is a sane token, a fresh one otherwise),
/// puts it on every log line of the request and returns it in the response.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestID = request.headers[.requestID].flatMap(Self.accepted) ?? RandomID.make()
        var context = context
        context.logger[metadataKey: "request_id"] = .string(requestID)
        // One id per request: this one replaces Hummingbird's own, which `RequestContext.id` force-unwraps (so
        // it must stay set; JSON log lines leave it out, as `request_id` says it).
        context.logger[metadataKey: "hb.request.id"] = .string(requestID)
        var response = try await next(request, context)
        response.headers[.requestID] = requestID
        return response
    }

    /// At most 128 characters of letters, digits and `-._:`: anything else could forge log lines.
    static func accepted(_ value: String) -> String? {
        guard (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"):
                    true
                default: false
                }
            })
        else { return nil }
        return value
    }
}

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
        guard (1...128).contains(value.utf8.count), value.utf8.allSatisfy({ byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"): true
            default: false
            }
        }) else { return nil }
        return value
    }
}

/// One log line per request: method, path (its first 256 bytes), status and duration. Never the query string (a callback's query
/// carries the authorization code), headers (tokens, cookies) or bodies.
package struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    package init() {}

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        context.logger.info("request", metadata: [
            "method": "\(request.method.rawValue)",
            // Up to 32 KiB of the client's choosing otherwise.
            "path": "\(ClientText.capped(request.uri.path, bytes: 256))",
            "status": "\(response.status.code)",
            "duration_ms": "\((ContinuousClock.now - started) / .milliseconds(1))",
        ])
        return response
    }
}

/// Counts and times every answered request by route, method and status.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        // The route pattern, not the path, keeps the metric's cardinality bounded whatever paths clients invent.
        metrics.requestAnswered(
            route: context.endpointPath ?? "NotFound", method: request.method.rawValue, status: response.status.code,
            duration: ContinuousClock.now - started)
        return response
    }
}

import HTTPTypes
import Hummingbird

extension Router<AppRequestContext> {
    /// The methods a client may try that no route of a path serves; each gets the 405 HTTP requires. (A
    /// method no HTTP specification defines stays a 404.)
    static let methodsAnsweredWith405: [HTTPRequest.Method] = [
        .get, .head, .post, .put, .patch, .delete, .options, .trace, HTTPRequest.Method("QUERY")!,
    ]

    /// For every path with a route, the standard methods it does not serve answer 405 `method_not_allowed`
    /// with `Allow` (RFC 9110 15.5.6), not 404: the resource exists. Call it after every route is added.
    /// A CORS preflight (`OPTIONS` with `Access-Control-Request-Method`) is still answered by the CORS
    /// middleware, which runs first.
    func answerUnservedMethodsWith405() {
        let served = Dictionary(grouping: routes, by: { $0.path.description })
        for (_, routes) in served {
            var methods = Set(routes.map(\.method))
            // The router answers HEAD wherever it answers GET (`autoGenerateHeadEndpoints`), as HTTP expects.
            if methods.contains(.get) { methods.insert(.head) }
            let allow = methods.map(\.rawValue).sorted().joined(separator: ", ")
            for method in Self.methodsAnsweredWith405 where !methods.contains(method) {
                on(routes[0].path, method: method) { request, _ in
                    var response = APIError(.methodNotAllowed, "\(request.method.rawValue) is not served here; use \(allow)").response
                    response.headers[.allow] = allow
                    return response
                }
            }
        }
    }
}

import Hummingbird

/// Turns a request into the ``RequestOrigin`` the audit log records.
struct RequestOrigins: Sendable {
    let addresses: ClientAddressResolver

    func origin(of request: Request, context: AppRequestContext) -> RequestOrigin {
        RequestOrigin(
            clientIP: addresses.clientAddress(of: request, context: context)?.description,
            userAgent: request.headers[.userAgent])
    }
}

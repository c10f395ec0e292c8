import HTTPTypes
import Hummingbird

/// Refuses cross-origin requests that would act with the browser's cookies (CSRF), following the
/// Fetch-Metadata design of Go's `http.CrossOriginProtection`:
///
/// - with `Sec-Fetch-Site` (every current browser): `same-origin` and `none` (typed URL, bookmark) pass;
///   anything else passes only from an allowlisted `Origin`;
/// - without it: no `Origin` passes (not a browser), and an `Origin` passes only when it is the service's
///   own (matching `Host` or `PUBLIC_URL`) or allowlisted.
///
/// Only requests authenticated by (or setting) cookies are checked; a Bearer header or a token in the body
/// cannot be sent by another site on the user's behalf.
struct CrossOriginProtection: Sendable {
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!

    let trustedOrigins: Set<String>
    /// `PUBLIC_URL`'s origin, when configured.
    let ownOrigin: String?

    func check(_ request: Request) throws(APIError) {
        let origin = request.headers[.origin]
        if let site = request.headers[Self.secFetchSite] {
            if site == "same-origin" || site == "none" { return }
            if let origin, trustedOrigins.contains(origin) { return }
            throw APIError(.csrfRejected, "a cookie-authenticated request from another site (Sec-Fetch-Site: \(site)) whose origin is not allowed")
        }
        guard let origin else { return }
        if trustedOrigins.contains(origin) || origin == ownOrigin { return }
        if let host = request.head.authority, let sent = WebOrigin.of(origin), sent.hasSuffix("://" + host.lowercased()) { return }
        throw APIError(.csrfRejected, "a cookie-authenticated request from an origin that is neither this service's nor allowed")
    }
}

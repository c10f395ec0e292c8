/// Whether a request that acts with a browser's cookies may come from where it says it comes from (CSRF),
/// following the Fetch-Metadata design of Go's `http.CrossOriginProtection`. One rule for the service's
/// cookie routes and for the verifier kit's cookie authentication; every comparison is of bytes.
///
/// - with `Sec-Fetch-Site` (every current browser): `same-origin` and `none` (typed URL, bookmark) pass;
///   anything else passes only from an allowlisted `Origin`;
/// - without it: no `Origin` passes (not a browser), and an `Origin` passes only when it is allowlisted or one
///   of the service's own origins (scheme, host and port, exactly).
package enum CrossSiteRule {
    /// Why the request is refused, or nil when it may act. `ownOrigins` is asked only in the fallback.
    package static func refusal(
        secFetchSite: String?, origin: String?, trustedOrigins: Set<String>, ownOrigins: () -> [String]
    ) -> String? {
        if let site = secFetchSite {
            if site.isExactly("same-origin") || site.isExactly("none") { return nil }
            if let origin, trustedOrigins.containsExactly(origin) { return nil }
            return "a cookie-authenticated request from another site whose origin is not allowed"
        }
        guard let origin else { return nil }
        if trustedOrigins.containsExactly(origin) || ownOrigins().containsExactly(origin) { return nil }
        return "a cookie-authenticated request from an origin that is neither this service's nor allowed"
    }
}

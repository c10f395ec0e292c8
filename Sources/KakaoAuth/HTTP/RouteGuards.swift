import Hummingbird

/// The checks a route needs before its handler reads anything, attached where the route is registered, so
/// that they apply to what the router matched (`/auth//refresh/` is `/auth/refresh`) and never depend on
/// the text of a path. Each controller says which of them its routes need.
struct RouteGuards: Sendable {
    enum Check {
        /// Calls Kakao or writes to the database: limited per client (`RATE_LIMIT_PER_MINUTE`).
        case rateLimited
        /// Reads one of our cookies: two of one name are refused (``DuplicateCookieGuard``).
        case readsCookies
        /// Acts with our cookies or sets them: cross-site requests are refused (``CrossOriginProtection``).
        case actsWithCookies
    }

    let rateLimit: RateLimitMiddleware?
    let duplicateCookies: DuplicateCookieGuard
    let crossOrigin: CrossOriginProtection

    /// A group under `parent` whose routes pass `checks` first: the rate limit, then the cookie checks.
    func group(_ parent: some RouterMethods<AppRequestContext>, _ path: RouterPath = "", checks: Set<Check>) -> RouterGroup<AppRequestContext> {
        let group = parent.group(path)
        if checks.contains(.rateLimited), let rateLimit { group.add(middleware: rateLimit) }
        if checks.contains(.readsCookies) || checks.contains(.actsWithCookies) { group.add(middleware: duplicateCookies) }
        if checks.contains(.actsWithCookies) { group.add(middleware: crossOrigin) }
        return group
    }
}

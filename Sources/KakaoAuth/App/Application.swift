import AsyncHTTPClient
import Hummingbird
import HummingbirdCore
import KakaoAuthTokens
import Logging
import NIOCore
import ServiceLifecycle

/// Builds the whole service from its configuration: the executable runs it, the tests run the very same one.
///
/// `additionalRoutes` come from outside the service: `kakao-auth demo` serves its page at `/` that way.
public func buildApplication(
    configuration: Configuration, logger: Logger, clock: UnixClock = .system, additionalRoutes: (any AdditionalRoutes)? = nil
) async throws -> some ApplicationProtocol {
    let served = try ServedStore(configuration.database, logger: logger)
    let store = served.store
    var clientConfiguration = HTTPClient.Configuration(
        redirectConfiguration: .disallow,
        timeout: .init(connect: configuration.kakao.timeout, read: configuration.kakao.timeout))
    // Logins wait on Kakao for most of their time: keep enough warm connections that concurrent logins never
    // queue for one (the default is 8 per host), and fail at once on a refused connection instead of
    // retrying until the deadline.
    clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
    clientConfiguration.connectionPool.retryConnectionEstablishment = false
    let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
    let metrics = ServiceMetrics()
    // The PostgreSQL pool first, so that it stops last, after the server has drained.
    var services: [any Service] =
        served.services + [
            ShutdownHook { try await store.close() },
            ShutdownHook { try await httpClient.shutdown() },
            PurgeService(
                store: store, interval: .seconds(configuration.purgeInterval), auditRetention: configuration.database.auditRetention,
                clock: clock, logger: logger),
        ]
    let kakao = KakaoClient(httpClient: httpClient, settings: configuration.kakao, metrics: metrics)
    let metricsRoutes = MetricsController(
        metrics: metrics, liveSessions: LiveSessionGauge(store: store, metrics: metrics, clock: clock, logger: logger))
    if let admin = configuration.admin {
        let adminRouter = buildAdminRouter(
            configuration: configuration, admin: admin, store: store, kakao: kakao, metrics: metrics, clock: clock,
            metricsRoutes: admin.servesMetrics(configuration.metricsListener) ? metricsRoutes : nil)
        services.append(
            sideListener(router: adminRouter, at: admin.listener, name: "admin", configuration: configuration, logger: logger))
    }
    if let listener = configuration.metricsListener, configuration.admin?.servesMetrics(listener) != true {
        let metricsRouter = Router()
        metricsRoutes.addRoutes(to: metricsRouter)
        services.append(sideListener(router: metricsRouter, at: listener, name: "metrics", configuration: configuration, logger: logger))
    }
    let router = buildRouter(
        configuration: configuration,
        store: store,
        kakao: kakao,
        metrics: metrics,
        clock: clock,
        additionalRoutes: additionalRoutes)
    var application = Application(
        router: router,
        server: boundedHTTP1(configuration),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
        // Shut down in reverse order once the server has drained: the metrics and admin listeners and purging
        // stop, then the HTTP client, and the database closes last.
        services: services,
        logger: logger)
    // Connected and migrated before the first request is taken; a PostgreSQL that cannot be stops the
    // process with one line (exit 78), so nothing is logged before.
    application.beforeServerStarts {
        try await served.prepare()
        // Which key is live, for an operator checking a rotation: the algorithm and the key's public id (it
        // is in every token's header), never the key.
        logger.info(
            "signing key in use",
            metadata: [
                "algorithm": "\(configuration.tokenKeys.signing.algorithm.rawValue)", "kid": "\(configuration.tokenKeys.signing.keyID)",
                "published_keys": "\(configuration.tokenKeys.published.count)",
            ])
    }
    return application
}

/// HTTP/1.1 with every listener's bounds: how long a connection may sit idle, how long a request may take
/// to arrive however it trickles (``RequestDeadlineHandler``), and the headers' sizes (tokens are small;
/// SwiftNIO's defaults are 80 KiB and 1,000 fields). SwiftNIO counts the request target against both header
/// limits: 32 KiB leaves room for the longest query the API documents (a 2048-character `return_to`, 24 KiB
/// when every character is percent-encoded UTF-8).
private func boundedHTTP1(_ configuration: Configuration) -> HTTPServerBuilder {
    .http1(
        configuration: .init(
            additionalChannelHandlers: [RequestDeadlineHandler(timeout: configuration.requestDeadline)],
            idleTimeout: configuration.readTimeout,
            httpDecoderConfiguration: .init(maxHeaderFieldSize: 32 * 1024, maxHeaderListSize: 48 * 1024, maxHeaderFieldCount: 100)))
}

/// A listener beside the public one (admin, metrics), with the public one's bounds in size and time, that stops with
/// it: it is one of its services.
private func sideListener<Context: RequestContext>(
    router: Router<Context>, at listener: Configuration.Listener, name: String, configuration: Configuration, logger: Logger
) -> some Service where Context.Source == ApplicationRequestContextSource {
    Application(
        router: router,
        server: boundedHTTP1(configuration),
        configuration: .init(address: .hostname(listener.host, port: listener.port), serverName: nil),
        onServerRunning: { channel in
            logger.info("\(name) listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        },
        logger: logger)
}

/// The middleware every router starts with, in order: request id, log line, metrics, `no-store`, problem
/// answers; the public router adds CORS.
private func addBaseMiddleware(to router: Router<AppRequestContext>, metrics: ServiceMetrics, cors: CORSMiddleware<AppRequestContext>?) {
    router.add(middleware: EventLoopAffinityMiddleware())
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
    if let cors { router.add(middleware: cors) }
    router.add(middleware: NoStoreMiddleware())
    router.add(middleware: ProblemMiddleware())
}

/// The admin listener's routes: `/admin/users...` behind the keys, `/healthz`, and `/metrics` when the
/// metrics listener shares its address. Nothing else: every other path is a 404, whatever the key.
func buildAdminRouter(
    configuration: Configuration, admin: Configuration.AdminSettings, store: any SessionStore, kakao: KakaoClient, metrics: ServiceMetrics,
    clock: UnixClock, metricsRoutes: MetricsController?
) -> Router<AppRequestContext> {
    let addresses = ClientAddressResolver(trustedProxies: configuration.trustedProxies)
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    // No CORS: the admin API is for operators' tools, never for a browser page.
    addBaseMiddleware(to: router, metrics: metrics, cors: nil)
    OperationsController(store: store).addHealthRoute(to: router)
    metricsRoutes?.addRoutes(to: router)
    AdminController(
        administration: Administration(accounts: Accounts(store: store, policy: configuration.sessionPolicy)), kakao: kakao,
        bodies: RequestBody(timeout: configuration.readTimeout), origins: RequestOrigins(addresses: addresses), clock: clock
    ).addRoutes(
        to: router, authentication: AdminAuthentication(keys: admin.keys, rateLimit: RateLimitMiddleware(configuration, addresses: addresses)))
    router.answerUnservedMethodsWith405()
    return router
}

/// Every route and middleware at a glance.
func buildRouter(
    configuration: Configuration, store: any SessionStore, kakao: KakaoClient, metrics: ServiceMetrics, clock: UnixClock,
    additionalRoutes: (any AdditionalRoutes)?
) -> Router<AppRequestContext> {
    let tokens = TokenIssuer(
        codec: JWTCodec(
            signingKey: configuration.tokenKeys.signing, verificationKeys: configuration.tokenKeys.verifying,
            issuer: configuration.jwtIssuer, audience: configuration.jwtAudience, verifiedTokens: VerifiedTokenCache()),
        accessTokenLifetime: configuration.accessTokenLifetime)
    let cookies = AuthCookies(configuration.cookies)
    let accounts = Accounts(store: store, policy: configuration.sessionPolicy, defaultRoles: configuration.defaultRoles)
    let addresses = ClientAddressResolver(trustedProxies: configuration.trustedProxies)
    let origins = RequestOrigins(addresses: addresses)
    let bodies = RequestBody(timeout: configuration.readTimeout)
    let kakaoKeys = KakaoJWKS(refetchInterval: configuration.jwksRefetchInterval) { try await kakao.fetchJWKS() }
    // Kakao gives its account status webhook 3 s; what the webhook waits for gets 2 s of them at most.
    let signalWait = min(TimeAmount.seconds(2), configuration.kakao.timeout)
    let login = KakaoLogin(
        kakao: kakao, idTokens: KakaoIDTokenVerifier(settings: configuration.idTokens, keys: kakaoKeys), appID: configuration.kakaoAppID,
        accounts: accounts, tokens: tokens, metrics: metrics, clock: clock)
    let stateCookie = LoginStateCookie(secret: configuration.tokenKeys.stateCookieSecret, secure: configuration.cookies.secure)
    let guards = RouteGuards(
        rateLimit: RateLimitMiddleware(configuration, addresses: addresses),
        duplicateCookies: DuplicateCookieGuard(names: cookies.names.union([stateCookie.name]), secure: configuration.cookies.secure),
        crossOrigin: CrossOriginProtection(
            trustedOrigins: configuration.allowedOrigins, ownOrigin: configuration.publicURL.flatMap(WebOrigin.of),
            ownScheme: configuration.cookies.secure ? "https" : "http"))

    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    addBaseMiddleware(to: router, metrics: metrics, cors: CORSMiddleware(allowedOrigins: configuration.allowedOrigins))

    // Each controller attaches the guards its routes need (rate limit, cookie checks) where it adds them.
    OperationsController(store: store).addRoutes(to: router)
    KeySetController(keys: configuration.tokenKeys.published).addRoutes(to: router)
    additionalRoutes?.addRoutes(to: router)
    AuthController(
        login: login, kakao: kakao, accounts: accounts, tokens: tokens, cookies: cookies, bodies: bodies,
        redirectURIs: configuration.redirectURIs, origins: origins, metrics: metrics, clock: clock
    ).addRoutes(to: router, guards: guards)
    IntrospectionController(accounts: accounts, tokens: tokens, bodies: bodies, callerToken: configuration.introspectionToken, clock: clock)
        .addRoutes(to: router.group("auth"))
    if let callbackURI = configuration.serverFlowCallbackURI {
        ServerFlowController(
            login: login, store: store, cookies: cookies, stateCookie: stateCookie,
            clientID: configuration.kakao.clientID, authorizeURL: configuration.kakao.authBaseURL + "/oauth/authorize",
            callbackURI: callbackURI, returnOrigins: configuration.allowedOrigins, origins: origins, clock: clock
        ).addRoutes(to: router, guards: guards)
    }
    UserController(accounts: accounts, tokens: tokens, cookies: cookies, origins: origins, clock: clock)
        .addRoutes(to: router, guards: guards)
    AccountStatusWebhookController(
        verifier: KakaoSecurityEventVerifier(settings: configuration.securityEvents, keys: kakaoKeys, keyWait: signalWait),
        signals: AccountSignals(
            administration: Administration(accounts: accounts), fetchProfile: profileFetch(kakao, configuration, within: signalWait),
            maximumAge: configuration.securityEvents.maximumAge),
        bodies: bodies, origins: origins, rateLimit: guards.rateLimit, clock: clock
    ).addRoutes(to: router)
    if let adminKey = configuration.kakao.adminKey {
        WebhookController(
            accounts: accounts, bodies: bodies, adminKey: adminKey, appID: configuration.kakaoAppID, rateLimit: guards.rateLimit, clock: clock
        ).addRoutes(to: router)
    }
    router.answerUnservedMethodsWith405()
    return router
}

/// How ``AccountSignals`` fetches a profile again: with the admin key, within `deadline`; nil without a key.
private func profileFetch(_ kakao: KakaoClient, _ configuration: Configuration, within deadline: TimeAmount)
    -> (@Sendable (Int64) async throws -> KakaoProfile)?
{
    guard let adminKey = configuration.kakao.adminKey else { return nil }
    return { kakaoID in
        do {
            return try await withDeadline(deadline) { try await kakao.fetchProfile(kakaoID: kakaoID, adminKey: adminKey) }
        } catch is DeadlineExceeded {
            throw KakaoError.timedOut
        }
    }
}

/// Routes a module beside the service adds to its router (the demo page), behind the same middleware.
public protocol AdditionalRoutes: Sendable {
    func addRoutes<Context: RequestContext>(to router: Router<Context>)
}

import AsyncHTTPClient
import Hummingbird
import Logging
import ServiceLifecycle

/// Builds the whole service from its configuration: the executable runs it, the tests run the very same one.
///
/// `demoPage` is served at `/` by `kakao-auth demo` only.
public func buildApplication(
    configuration: Configuration, logger: Logger, clock: UnixClock = .system, demoPage: DemoPage? = nil
) throws -> some ApplicationProtocol {
    let database = try AppDatabase(path: configuration.databasePath, durability: configuration.databaseDurability)
    var clientConfiguration = HTTPClient.Configuration(
        redirectConfiguration: .disallow,
        timeout: .init(connect: configuration.kakao.timeout, read: configuration.kakao.timeout))
    // A refused connection fails the login at once instead of being retried until the deadline.
    clientConfiguration.connectionPool.retryConnectionEstablishment = false
    let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
    let router = buildRouter(
        configuration: configuration,
        database: database,
        kakao: KakaoClient(httpClient: httpClient, settings: configuration.kakao),
        clock: clock,
        demoPage: demoPage)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
        services: [HTTPClientService(client: httpClient)],
        logger: logger)
}

/// Every route and middleware at a glance.
func buildRouter(
    configuration: Configuration, database: AppDatabase, kakao: KakaoClient, clock: UnixClock, demoPage: DemoPage?
) -> Router<BasicRequestContext> {
    let tokens = TokenIssuer(
        codec: JWTCodec(secret: configuration.jwtSecret, issuer: configuration.jwtIssuer, audience: configuration.jwtAudience),
        accessTokenLifetime: configuration.accessTokenLifetime)
    let cookies = AuthCookies(configuration.cookies)
    let crossOrigin = CrossOriginProtection(trustedOrigins: configuration.allowedOrigins, ownOrigin: configuration.publicURL.flatMap(WebOrigin.of))

    let router = Router()
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: CORSMiddleware(allowedOrigins: configuration.allowedOrigins))
    router.add(middleware: NoStoreMiddleware())
    router.add(middleware: ProblemMiddleware())
    OperationsController(database: database).addRoutes(to: router)
    demoPage?.addRoutes(to: router)
    let login = KakaoLogin(kakao: kakao, database: database, tokens: tokens, sessionPolicy: configuration.sessionPolicy, clock: clock)
    AuthController(
        login: login, database: database, tokens: tokens, cookies: cookies, crossOrigin: crossOrigin, redirectURIs: configuration.redirectURIs,
        sessionPolicy: configuration.sessionPolicy, clock: clock
    ).addRoutes(to: router.group("auth"))
    if let callbackURI = configuration.serverFlowCallbackURI {
        ServerFlowController(
            login: login, cookies: cookies, stateCookie: LoginStateCookie(jwtSecret: configuration.jwtSecret, secure: configuration.cookies.secure),
            clientID: configuration.kakao.clientID, authorizeURL: configuration.kakao.authBaseURL + "/oauth/authorize",
            callbackURI: callbackURI, returnOrigins: configuration.allowedOrigins, clock: clock
        ).addRoutes(to: router)
    }
    UserController(database: database, tokens: tokens, cookies: cookies, clock: clock).addRoutes(to: router.group("users"))
    return router
}

/// Keeps the outbound HTTP client for the life of the service and shuts it down after the server stops.
struct HTTPClientService: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}

import AsyncHTTPClient
import Hummingbird
import Logging
import ServiceLifecycle

/// Builds the whole service from its configuration: the executable runs it, the tests run the very same one.
public func buildApplication(
    configuration: Configuration, logger: Logger, clock: UnixClock = .system
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
        clock: clock)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
        services: [HTTPClientService(client: httpClient)],
        logger: logger)
}

/// Every route and middleware at a glance.
func buildRouter(configuration: Configuration, database: AppDatabase, kakao: KakaoClient, clock: UnixClock) -> Router<BasicRequestContext> {
    let tokens = TokenIssuer(
        codec: JWTCodec(secret: configuration.jwtSecret, issuer: configuration.jwtIssuer, audience: configuration.jwtAudience),
        accessTokenLifetime: configuration.accessTokenLifetime)
    let cookies = AuthCookies(configuration.cookies)

    let router = Router()
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: NoStoreMiddleware())
    router.add(middleware: ProblemMiddleware())
    OperationsController(database: database).addRoutes(to: router)
    AuthController(
        kakao: kakao, database: database, tokens: tokens, cookies: cookies, redirectURIs: configuration.redirectURIs,
        sessionPolicy: configuration.sessionPolicy, clock: clock
    ).addRoutes(to: router.group("auth"))
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

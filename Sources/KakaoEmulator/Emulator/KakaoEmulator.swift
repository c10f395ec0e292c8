import Hummingbird
import KakaoAuth
import Logging

/// Builds `kakao-auth emulator`: a stand-in for kauth.kakao.com and kapi.kakao.com on one port, for offline
/// development, the demo and tests.
public func buildEmulator(settings: EmulatorSettings, logger: Logger, clock: UnixClock = .system) -> some ApplicationProtocol {
    let router = Router()
    router.add(middleware: RequestLogMiddleware())
    EmulatorController(settings: settings, state: EmulatorState(), clock: clock).addRoutes(to: router)
    return Application(router: router, configuration: .init(address: .hostname(settings.host, port: settings.port)), logger: logger)
}

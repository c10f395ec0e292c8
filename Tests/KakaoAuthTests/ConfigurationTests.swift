import Foundation
import Testing

@testable import KakaoAuth
@testable import KakaoAuthTokens

@Suite struct ConfigurationTests {
    let valid = ConfigurationProbe.valid

    func problem(_ changes: [String: String?]) -> ConfigurationError? {
        ConfigurationProbe.problem(changes)
    }

    @Test func defaultsMatchTheDocumentedOnes() throws {
        let configuration = try Configuration(environment: valid)
        #expect(configuration.accessTokenLifetime == 900)
        #expect(configuration.sessionPolicy.refreshTokenLifetime == 1_209_600)
        #expect(configuration.sessionPolicy.sessionLifetime == 2_592_000)
        #expect(configuration.sessionPolicy.reuseInterval == 10)
        #expect(configuration.kakao.timeout == .seconds(5))
        #expect(configuration.jwtIssuer == "kakao-auth" && configuration.jwtAudience == "kakao-auth")
        #expect(configuration.host == "127.0.0.1" && configuration.port == 8080)
        #expect(configuration.cookies.secure && configuration.cookies.sameSite == .lax && configuration.cookies.domain == nil)
        #expect(configuration.redirectURIs == [TestService.redirectURI, TestService.otherRedirectURI])
        #expect(configuration.database.auditRetention == 365 * 86_400)
    }

    @Test(
        arguments: [
            ("KAKAO_CLIENT_ID", nil), ("KAKAO_REDIRECT_URIS", nil), ("KAKAO_REDIRECT_URIS", " , "),
            ("KAKAO_REDIRECT_URIS", "app.example/callback"), ("KAKAO_REDIRECT_URIS", "https://app.example/cb#frag"),
            ("JWT_SECRET", nil), ("JWT_SECRET", ""), ("JWT_SECRET", "0123456789abcdef0123456789abcde"),
            ("KAKAO_AUTH_BASE_URL", "ftp://kakao"), ("KAKAO_API_BASE_URL", "not a url"), ("KAKAO_TIMEOUT_SECONDS", "0"),
            ("ACCESS_TOKEN_TTL", "-1"), ("ACCESS_TOKEN_TTL", "abc"), ("REFRESH_REUSE_INTERVAL", "301"), ("PORT", "70000"),
            ("COOKIE_SECURE", "maybe"), ("COOKIE_SAMESITE", "Loose"), ("LOG_LEVEL", "loud"), ("DATABASE_DURABILITY", "paranoid"),
            ("AUDIT_RETENTION_DAYS", "0"), ("AUDIT_RETENTION_DAYS", "-30"), ("AUDIT_RETENTION_DAYS", "forever"),
            ("DATABASE_URL", "mysql://u:p@db/kakao"), ("DATABASE_URL", "postgres://u:p@db/"), ("DATABASE_URL", "postgres://:p@db/kakao"),
            ("DATABASE_URL", "postgres://u:p@db/kakao?sslmode=prefer"), ("DATABASE_URL", "postgres://u:p@db/kakao?sslmode=disable&sslmode=require"),
            ("DATABASE_URL", "postgres://u:p@db/kakao#x"), ("DATABASE_URL", "postgres://u:p@db/kakao?application_name=x"),
            ("DATABASE_URL", "postgres://u:p@db/kakao?sslmode=disable&sslrootcert=/etc/hostname"),
            ("DATABASE_URL", "postgres://u:p@db/kakao?sslrootcert=/nonexistent/ca.pem"), ("DATABASE_URL", "postgres://u:p@db/kakao?sslrootcert="),
            // Settings that would start but break or weaken the service.
            ("JWT_ISSUER", String(repeating: "i", count: 257)), ("JWT_AUDIENCE", String(repeating: "a", count: 257)),
            ("KAKAO_APP_ID", "04242"), ("KAKAO_APP_ID", "-1"), ("KAKAO_APP_ID", "0"), ("KAKAO_APP_ID", "+12"), ("KAKAO_APP_ID", "1e3"),
            ("KAKAO_APP_ID", "99999999999999999999"), ("COOKIE_DOMAIN", "a; SameSite=None"), ("COOKIE_DOMAIN", "example..com"),
            ("COOKIE_DOMAIN", "-example.com"), ("COOKIE_DOMAIN", "ex\u{212A}.com"), ("KAKAO_ADMIN_KEY", "0123456789abcdef0123456789abcde"),
            ("INTROSPECTION_TOKEN", "short"), ("HOST", "not a host"), ("HOST", "300.1.1.1:80"), ("HOST", "exa_mple"),
            // Metrics only on a listener of their own.
            ("METRICS_PORT", "8080"), ("METRICS_PORT", "70000"), ("METRICS_PORT", "x"), ("METRICS_HOST", "127.0.0.1"),
        ] as [(String, String?)])
    func invalidSettingsNameTheVariable(variable: String, value: String?) {
        #expect(problem([variable: value])?.variable == variable)
    }

    @Test func settingsAtTheirLimitsStart() {
        for (variable, value) in [
            ("JWT_ISSUER", String(repeating: "i", count: 256)), ("KAKAO_APP_ID", "9223372036854775807"), ("COOKIE_DOMAIN", "Auth-1.Example.com"),
            ("KAKAO_ADMIN_KEY", "0123456789abcdef0123456789abcdef"), ("HOST", "::"), ("HOST", "0.0.0.0"), ("HOST", "localhost"),
        ] {
            #expect(problem([variable: value]) == nil, "\(variable)=\(value)")
        }
        #expect(try! Configuration(environment: valid.merging(["COOKIE_DOMAIN": "Auth.Example.com"]) { $1 }).cookies.domain == "auth.example.com")
    }

    @Test func metricsAreOffUntilAPortIsGivenAndThenListenOnLoopback() throws {
        #expect(try Configuration(environment: valid).metricsListener == nil)
        #expect(
            try Configuration(environment: valid.merging(["METRICS_PORT": "9464"]) { $1 }).metricsListener == .init(host: "127.0.0.1", port: 9464))
        let everywhere = valid.merging(["METRICS_PORT": "9464", "METRICS_HOST": "0.0.0.0"]) { $1 }
        #expect(try Configuration(environment: everywhere).metricsListener == .init(host: "0.0.0.0", port: 9464))
        #expect(problem(["METRICS_PORT": "9464", "METRICS_HOST": "not a host"])?.variable == "METRICS_HOST")
    }

    @Test func theAdminAPIIsOffUntilAPortAndKeysAreGivenAndThenListensOnLoopback() throws {
        let entry = "ops:" + AdminKeysTests.digest
        #expect(try Configuration(environment: valid).admin == nil)
        let admin = try #require(try Configuration(environment: valid.merging(["ADMIN_PORT": "9090", "ADMIN_API_KEYS": entry]) { $1 }).admin)
        #expect(admin.listener == .init(host: "127.0.0.1", port: 9090) && admin.keys.entries.map(\.name) == ["ops"])
        #expect(!admin.servesMetrics(.init(host: "127.0.0.1", port: 9464)) && admin.servesMetrics(.init(host: "127.0.0.1", port: 9090)))
        for (changes, variable) in [
            (["ADMIN_PORT": "9090"], "ADMIN_API_KEYS"), (["ADMIN_API_KEYS": entry], "ADMIN_API_KEYS"), (["ADMIN_HOST": "0.0.0.0"], "ADMIN_HOST"),
            (["ADMIN_PORT": "8080", "ADMIN_API_KEYS": entry], "ADMIN_PORT"), (["ADMIN_PORT": "x", "ADMIN_API_KEYS": entry], "ADMIN_PORT"),
            (["ADMIN_PORT": "9090", "ADMIN_API_KEYS": "ops"], "ADMIN_API_KEYS"),
            (["ADMIN_PORT": "9090", "ADMIN_HOST": "not a host", "ADMIN_API_KEYS": entry], "ADMIN_HOST"),
            // /metrics joins the admin listener only at its very address; the same port elsewhere could not bind.
            (["ADMIN_PORT": "9090", "ADMIN_API_KEYS": entry, "METRICS_PORT": "9090", "METRICS_HOST": "0.0.0.0"], "METRICS_PORT"),
        ] as [([String: String], String)] {
            let error = problem(changes.mapValues(Optional.some))
            #expect(error?.variable == variable, "\(changes)")
            #expect(error.map { !$0.description.contains(AdminKeysTests.digest) } ?? true)
        }
    }

    @Test func anHS256WindowEndsWithinAYear() throws {
        let files = KeySetTests.KeyFiles()
        let key = AsymmetricKey.generate(.edDSA)
        func until(_ seconds: TimeInterval) -> String {
            ISO8601DateFormatter().string(from: Date().addingTimeInterval(seconds))
        }
        let environment = ["JWT_ALGORITHM": "EdDSA", "JWT_PRIVATE_KEY_FILE": files.write("key.pem", key.privatePEM!)]
        #expect(problem(environment.merging(["JWT_HS256_ACCEPTED_UNTIL": until(30 * 86_400)]) { $1 }) == nil)
        #expect(problem(environment.merging(["JWT_HS256_ACCEPTED_UNTIL": until(400 * 86_400)]) { $1 })?.variable == "JWT_HS256_ACCEPTED_UNTIL")
    }

    @Test func eachEngineRefusesTheOtherEnginesVariablesInsteadOfIgnoringThem() {
        let url = "postgres://u:p@db/kakao?sslrootcert=\(#filePath)"
        #expect(problem(["DATABASE_URL": url])?.variable == "DATABASE_PATH")
        #expect(problem(["DATABASE_URL": url, "DATABASE_PATH": nil, "DATABASE_DURABILITY": "full"])?.variable == "DATABASE_DURABILITY")
        #expect(problem(["DATABASE_URL": url, "DATABASE_PATH": nil, "DATABASE_POOL_SIZE": "3"]) == nil)
        #expect(problem(["DATABASE_POOL_SIZE": "3"])?.variable == "DATABASE_POOL_SIZE", "a pool size without PostgreSQL")
    }

    @Test func databaseURLIsDecodedOnceAndNeverShowsThePassword() throws {
        var environment = valid
        environment["DATABASE_PATH"] = nil
        environment["DATABASE_URL"] = "postgresql://kakao%5Fauth:p%25w%40rd@db.internal:6543/kakao?sslmode=disable"
        let settings = try #require(try Configuration(environment: environment).database.postgres)
        #expect(settings.username == "kakao_auth" && settings.password == "p%w@rd" && settings.host == "db.internal")
        #expect(settings.port == 6543 && settings.database == "kakao" && settings.tls == .disable && settings.poolSize == 8)
        #expect(settings.description == "postgres://kakao_auth@db.internal:6543/kakao")
        environment["DATABASE_URL"] = "postgres://u:s3cret@db/kakao?sslmode=maybe"
        #expect(problem(environment)?.description.contains("s3cret") == false)
        environment["DATABASE_URL"] = "postgres://u:s3cret@db/kakao"
        #expect(try Configuration(environment: environment).database.postgres?.tls == .require, "TLS unless told otherwise")
        #expect(try Configuration(environment: environment).database.postgres?.rootCertificatePath == nil, "the system's roots")
        environment["DATABASE_URL"] = "postgres://u:s3cret@db/kakao?sslrootcert=\(#filePath)"
        #expect(try Configuration(environment: environment).database.postgres?.rootCertificatePath == #filePath)
    }

    @Test func sameSiteNoneRequiresSecureCookies() {
        #expect(problem(["COOKIE_SAMESITE": "None", "COOKIE_SECURE": "false"])?.variable == "COOKIE_SAMESITE")
        #expect(problem(["COOKIE_SAMESITE": "None"]) == nil)
    }

    @Test func errorsNeverEchoTheSecret() {
        let secret = "too-short-secret"
        let error = problem(["JWT_SECRET": secret])
        #expect(error != nil)
        #expect(error?.description.contains(secret) == false)
    }
}

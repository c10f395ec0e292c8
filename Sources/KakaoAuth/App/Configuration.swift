import Foundation
import Hummingbird
import KakaoAuthTokens
import Logging
import NIOCore

/// A configuration problem, naming the variable and never echoing a secret's value.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let variable: String
    public let problem: String

    public var description: String { "\(variable): \(problem)" }
}

/// Everything the service is told by its environment, read and validated once at start-up.
public struct Configuration: Sendable {
    var kakao: KakaoClient.Settings
    var redirectURIs: [String]
    var tokenKeys: TokenKeys
    var jwtIssuer: String
    var jwtAudience: String
    var accessTokenLifetime: Int64
    var sessionPolicy: SessionPolicy
    /// The roles a user gets when first registered (`DEFAULT_ROLES`, comma-separated; none by default).
    var defaultRoles: Roles
    public var database: DatabaseSettings
    public var host: String
    public var port: Int
    /// Where `/metrics` is served (`METRICS_HOST`, `METRICS_PORT`); nil, the default, serves no metrics.
    var metricsListener: Listener?
    /// The admin API's listener and keys (`ADMIN_PORT`, `ADMIN_HOST`, `ADMIN_API_KEYS`); nil, the default,
    /// serves no admin API.
    var admin: AdminSettings?
    /// How long a connection may sit idle, and how long a client may take to send a body.
    var readTimeout: TimeAmount
    var cookies: AuthCookies.Settings
    /// The service's public base URL; enables the server-side redirect flow.
    var publicURL: String?
    /// Origins allowed to call with credentials (CORS), and to be a server-side flow's `return_to`.
    var allowedOrigins: Set<String>
    /// When set, the unlink webhook's `app_id` must be this, and so must every access token's an app logs in
    /// with; access-token logins are refused without it.
    var kakaoAppID: String?
    /// How Kakao's OpenID Connect ID tokens are checked.
    var idTokens: KakaoIDTokenVerifier.Settings
    /// How the Security Event Tokens of Kakao's account status webhook are checked.
    var securityEvents: KakaoSecurityEventVerifier.Settings
    /// The shortest time between two fetches of Kakao's JWKS for an unknown `kid`.
    var jwksRefetchInterval: Int64
    /// When set, `/auth/introspect` callers must present it as a Bearer token.
    var introspectionToken: String?
    /// Peers whose `X-Forwarded-For` is believed.
    var trustedProxies: [IPAddressRange]
    /// Requests a minute per client address on every route that calls Kakao or writes; 0 turns the limit off.
    var rateLimitPerMinute: Int
    /// IPv6 clients share a bucket per network of this many bits (a host usually holds a whole /64).
    var rateLimitIPv6PrefixLength: Int
    /// Seconds between purges of expired sessions, refresh tokens and audit events.
    var purgeInterval: Int
    public var logFormat: LogFormat
    public var logLevel: Logger.Level

    public init(environment: [String: String]) throws(ConfigurationError) {
        let variables = EnvironmentVariables(environment)
        kakao = KakaoClient.Settings(
            clientID: try variables.required("KAKAO_CLIENT_ID"),
            clientSecret: variables.optional("KAKAO_CLIENT_SECRET"),
            authBaseURL: try variables.baseURL("KAKAO_AUTH_BASE_URL", default: "https://kauth.kakao.com"),
            apiBaseURL: try variables.baseURL("KAKAO_API_BASE_URL", default: "https://kapi.kakao.com"),
            adminKey: try variables.credential("KAKAO_ADMIN_KEY"),
            timeout: try Self.kakaoTimeout(variables))
        redirectURIs = try variables.redirectURIs("KAKAO_REDIRECT_URIS")

        tokenKeys = try Self.tokenKeys(variables)
        jwtIssuer = try variables.claim("JWT_ISSUER", default: "kakao-auth")
        jwtAudience = try variables.claim("JWT_AUDIENCE", default: "kakao-auth")

        let day = 86_400
        accessTokenLifetime = Int64(try variables.integer("ACCESS_TOKEN_TTL", default: 900, in: 1...day))
        sessionPolicy = SessionPolicy(
            sessionLifetime: Int64(try variables.integer("SESSION_TTL", default: 30 * day, in: 60...(3650 * day))),
            refreshTokenLifetime: Int64(try variables.integer("REFRESH_TOKEN_TTL", default: 14 * day, in: 60...(3650 * day))),
            reuseInterval: Int64(try variables.integer("REFRESH_REUSE_INTERVAL", default: 10, in: 0...300)))
        do {
            defaultRoles = try Roles(variables.list("DEFAULT_ROLES") ?? [])
        } catch {
            throw ConfigurationError(variable: "DEFAULT_ROLES", problem: error.description)
        }

        database = try DatabaseSettings(variables)
        host = try variables.listenAddress("HOST", default: "127.0.0.1")
        port = try variables.integer("PORT", default: 8080, in: 0...65535)
        metricsListener = try Self.metricsListener(variables, publicPort: port)
        admin = try Self.adminSettings(variables, publicPort: port, metricsListener: metricsListener)
        readTimeout = .seconds(Int64(try variables.integer("HTTP_READ_TIMEOUT_SECONDS", default: 15, in: 1...600)))

        let secure = try variables.flag("COOKIE_SECURE", default: true)
        let sameSite = try variables.choice("COOKIE_SAMESITE", default: Cookie.SameSite.lax)
        if sameSite == .none, !secure {
            throw ConfigurationError(variable: "COOKIE_SAMESITE", problem: "None requires COOKIE_SECURE=true")
        }
        cookies = AuthCookies.Settings(secure: secure, sameSite: sameSite, domain: try variables.hostName("COOKIE_DOMAIN"))
        logLevel = try variables.choice("LOG_LEVEL", default: .info)
        logFormat = try variables.choice("LOG_FORMAT", default: .text)
        kakaoAppID = try variables.decimalID("KAKAO_APP_ID")
        idTokens = KakaoIDTokenVerifier.Settings(
            issuer: try variables.text("KAKAO_OIDC_ISSUER", default: "https://kauth.kakao.com"),
            audiences: Set(variables.list("KAKAO_ID_TOKEN_AUDIENCES") ?? [kakao.clientID]),
            maximumAge: Int64(try variables.integer("KAKAO_ID_TOKEN_MAX_AGE", default: 600, in: 10...86_400)),
            nonceBinding: try variables.choice("KAKAO_ID_TOKEN_NONCE", default: .plain))
        securityEvents = KakaoSecurityEventVerifier.Settings(
            issuer: idTokens.issuer, audience: kakao.clientID,
            maximumAge: Int64(try variables.integer("KAKAO_SET_MAX_AGE", default: 259_200, in: 60...2_592_000)))
        jwksRefetchInterval = Int64(try variables.integer("KAKAO_JWKS_REFRESH_SECONDS", default: 60, in: 1...86_400))
        introspectionToken = try variables.credential("INTROSPECTION_TOKEN")
        trustedProxies = try variables.addressRanges("TRUSTED_PROXIES")
        rateLimitPerMinute = try variables.integer("RATE_LIMIT_PER_MINUTE", default: 60, in: 0...1_000_000)
        rateLimitIPv6PrefixLength = try variables.integer("RATE_LIMIT_IPV6_PREFIX", default: 64, in: 16...128)
        purgeInterval = try variables.integer("PURGE_INTERVAL_SECONDS", default: 3600, in: 10...86_400)

        allowedOrigins = try variables.origins("CORS_ALLOWED_ORIGINS")
        if variables.optional("PUBLIC_URL") != nil {
            let publicURL = try variables.baseURL("PUBLIC_URL", default: "")
            guard redirectURIs.containsExactly(publicURL + ServerFlowPaths.callback) else {
                throw ConfigurationError(
                    variable: "PUBLIC_URL", problem: "\(publicURL + ServerFlowPaths.callback) must also be listed in KAKAO_REDIRECT_URIS")
            }
            self.publicURL = publicURL
        }
    }

    /// A host and port to listen on.
    struct Listener: Sendable, Equatable {
        var host: String
        var port: Int
    }

    /// The metrics listener, off unless `METRICS_PORT` is set; on 127.0.0.1 unless `METRICS_HOST` says otherwise.
    private static func metricsListener(_ variables: EnvironmentVariables, publicPort: Int) throws(ConfigurationError) -> Listener? {
        guard variables.optional("METRICS_PORT") != nil else {
            if variables.optional("METRICS_HOST") != nil {
                throw ConfigurationError(variable: "METRICS_HOST", problem: "needs METRICS_PORT (metrics are off without it)")
            }
            return nil
        }
        let port = try variables.integer("METRICS_PORT", default: 0, in: 0...65535)
        // Port 0 (any free port) for both is two listeners, not one.
        guard port != publicPort || port == 0 else {
            throw ConfigurationError(variable: "METRICS_PORT", problem: "must differ from PORT: metrics are never served on the public port")
        }
        return Listener(host: try variables.listenAddress("METRICS_HOST", default: "127.0.0.1"), port: port)
    }

    /// Where the admin API listens and whose keys it admits.
    struct AdminSettings: Sendable, Equatable {
        var listener: Listener
        var keys: AdminKeys

        /// Whether `/metrics` is served on the admin listener too: the metrics listener was given its address.
        func servesMetrics(_ metricsListener: Listener?) -> Bool { metricsListener == listener && listener.port != 0 }
    }

    /// The admin listener, off unless `ADMIN_PORT` is set; on 127.0.0.1 unless `ADMIN_HOST` says otherwise. It
    /// needs `ADMIN_API_KEYS`: an admin API nobody can call is a mistake, not a default.
    private static func adminSettings(
        _ variables: EnvironmentVariables, publicPort: Int, metricsListener: Listener?
    ) throws(ConfigurationError) -> AdminSettings? {
        guard variables.optional("ADMIN_PORT") != nil else {
            for name in ["ADMIN_HOST", "ADMIN_API_KEYS"] where variables.optional(name) != nil {
                throw ConfigurationError(variable: name, problem: "needs ADMIN_PORT (the admin API is off without it)")
            }
            return nil
        }
        let port = try variables.integer("ADMIN_PORT", default: 0, in: 0...65535)
        guard port != publicPort || port == 0 else {
            throw ConfigurationError(variable: "ADMIN_PORT", problem: "must differ from PORT: the admin API is never served on the public port")
        }
        let listener = Listener(host: try variables.listenAddress("ADMIN_HOST", default: "127.0.0.1"), port: port)
        if let metricsListener, metricsListener.port == port, port != 0, metricsListener != listener {
            throw ConfigurationError(
                variable: "METRICS_PORT", problem: "is ADMIN_PORT with another host: give METRICS_HOST the admin address to serve /metrics there")
        }
        guard let entries = variables.optional("ADMIN_API_KEYS") else {
            throw ConfigurationError(
                variable: "ADMIN_API_KEYS", problem: "is required with ADMIN_PORT (`kakao-auth admin-key generate NAME` makes an entry)")
        }
        do throws(AdminKeysError) {
            return AdminSettings(listener: listener, keys: try AdminKeys(parsing: entries))
        } catch {
            throw ConfigurationError(variable: "ADMIN_API_KEYS", problem: error.description)
        }
    }

    /// How long a request may take to arrive in full, however it trickles: a second more than a route gives a
    /// body, so that a route reading a slow body answers 408 first.
    var requestDeadline: TimeAmount { readTimeout + .seconds(1) }

    /// The server-side flow's redirect URI, when `PUBLIC_URL` is set.
    var serverFlowCallbackURI: String? { publicURL.map { $0 + ServerFlowPaths.callback } }

    private static func tokenKeys(_ variables: EnvironmentVariables) throws(ConfigurationError) -> TokenKeys {
        let algorithm = try variables.choice("JWT_ALGORITHM", default: JWSAlgorithm.hs256)
        let keyVariables = [
            "JWT_PRIVATE_KEY", "JWT_PRIVATE_KEY_FILE", "JWT_NEXT_PUBLIC_KEY_FILE", "JWT_PREVIOUS_PUBLIC_KEY_FILES", "JWT_HS256_ACCEPTED_UNTIL",
        ]
        guard algorithm != .hs256 else {
            for name in keyVariables where variables.optional(name) != nil {
                throw ConfigurationError(variable: name, problem: "is for JWT_ALGORITHM=EdDSA or ES256 (HS256 signs with JWT_SECRET)")
            }
            let secret = try variables.secret("JWT_SECRET")
            let previousSecrets = try variables.secrets("JWT_PREVIOUS_SECRETS").map { HS256Key(secret: $0) }
            return TokenKeys(signing: HS256Key(secret: secret), verifying: previousSecrets, published: [], stateCookieSecret: secret)
        }
        let signing: AsymmetricKey
        switch (variables.optional("JWT_PRIVATE_KEY"), variables.optional("JWT_PRIVATE_KEY_FILE")) {
        case (nil, nil):
            throw ConfigurationError(
                variable: "JWT_PRIVATE_KEY_FILE",
                problem: "is required with JWT_ALGORITHM=\(algorithm.rawValue) (or JWT_PRIVATE_KEY; `kakao-auth keys generate` makes one)")
        case (.some, .some):
            throw ConfigurationError(variable: "JWT_PRIVATE_KEY", problem: "and JWT_PRIVATE_KEY_FILE are both set: set one")
        case (let pem?, nil):
            signing = try variables.key("JWT_PRIVATE_KEY", pem: pem, private: true)
        case (nil, let path?):
            signing = try variables.key("JWT_PRIVATE_KEY_FILE", pem: try variables.file("JWT_PRIVATE_KEY_FILE", path), private: true)
        }
        guard signing.algorithm == algorithm else {
            let variable = variables.optional("JWT_PRIVATE_KEY") == nil ? "JWT_PRIVATE_KEY_FILE" : "JWT_PRIVATE_KEY"
            throw ConfigurationError(
                variable: variable, problem: "holds an \(signing.algorithm.rawValue) key, and JWT_ALGORITHM is \(algorithm.rawValue)")
        }
        var published = [signing]
        if let path = variables.optional("JWT_NEXT_PUBLIC_KEY_FILE") {
            published.append(try variables.key("JWT_NEXT_PUBLIC_KEY_FILE", pem: try variables.file("JWT_NEXT_PUBLIC_KEY_FILE", path), private: false))
        }
        var previousKeys: [AsymmetricKey] = []
        for path in variables.list("JWT_PREVIOUS_PUBLIC_KEY_FILES") ?? [] {
            previousKeys.append(
                try variables.key("JWT_PREVIOUS_PUBLIC_KEY_FILES", pem: try variables.file("JWT_PREVIOUS_PUBLIC_KEY_FILES", path), private: false))
        }
        published += previousKeys
        guard Set(published.map(\.keyID)).count == published.count else {
            throw ConfigurationError(
                variable: "JWT_NEXT_PUBLIC_KEY_FILE",
                problem: "and JWT_PREVIOUS_PUBLIC_KEY_FILES must name keys other than the current one, each once")
        }
        // A move from HS256: the secrets' tokens verify until JWT_HS256_ACCEPTED_UNTIL, which must be given.
        // Every service still holds them then and could mint with them, so the window has an end the operator
        // chose, rather than lasting as long as someone forgets the variable.
        let secrets =
            try (variables.optional("JWT_SECRET").map { _ throws(ConfigurationError) in [try variables.secret("JWT_SECRET")] } ?? [])
            + variables.secrets("JWT_PREVIOUS_SECRETS")
        let hs256Keys: [HS256Key]
        if secrets.isEmpty {
            guard variables.optional("JWT_HS256_ACCEPTED_UNTIL") == nil else {
                throw ConfigurationError(variable: "JWT_HS256_ACCEPTED_UNTIL", problem: "needs JWT_SECRET (the secret whose tokens it accepts)")
            }
            hs256Keys = []
        } else {
            let until = try variables.time("JWT_HS256_ACCEPTED_UNTIL", purpose: "with JWT_SECRET beside JWT_ALGORITHM=\(algorithm.rawValue)")
            // A window is a migration's, not a way to keep HS256 for good.
            guard until <= Int64(Date().timeIntervalSince1970) + 366 * 86_400 else {
                throw ConfigurationError(variable: "JWT_HS256_ACCEPTED_UNTIL", problem: "must be at most a year ahead")
            }
            hs256Keys = secrets.map { HS256Key(secret: $0, acceptedUntil: until) }
        }
        // The state cookie's key comes from the private key: no secret any other service holds.
        guard let material = signing.privateKeyMaterial() else {
            throw ConfigurationError(variable: "JWT_PRIVATE_KEY_FILE", problem: "could not be read by OpenSSL")
        }
        return TokenKeys(signing: signing, verifying: previousKeys + hs256Keys, published: published, stateCookieSecret: material)
    }

    /// Where `kakao-auth users erase` unlinks users at Kakao: `KAKAO_ADMIN_KEY`, with `KAKAO_API_BASE_URL` and
    /// `KAKAO_TIMEOUT_SECONDS`; nil when no admin key is set (the account is erased without telling Kakao).
    public static func unlinking(environment: [String: String]) throws(ConfigurationError) -> KakaoUnlinking? {
        let variables = EnvironmentVariables(environment)
        guard let adminKey = try variables.credential("KAKAO_ADMIN_KEY") else { return nil }
        // Unlinking calls the API host only, with the admin key: the app's client id and secret play no part.
        let settings = KakaoClient.Settings(
            clientID: "", clientSecret: nil, authBaseURL: "",
            apiBaseURL: try variables.baseURL("KAKAO_API_BASE_URL", default: "https://kapi.kakao.com"),
            adminKey: adminKey, timeout: try kakaoTimeout(variables))
        return KakaoUnlinking(settings: settings, adminKey: adminKey)
    }

    private static func kakaoTimeout(_ variables: EnvironmentVariables) throws(ConfigurationError) -> TimeAmount {
        .nanoseconds(Int64(try variables.number("KAKAO_TIMEOUT_SECONDS", default: 5, in: 0.05...120) * 1e9))
    }

    /// Only what the `migrate`, `purge` and `events` commands need.
    public static func databaseOnly(environment: [String: String]) throws(ConfigurationError) -> DatabaseSettings {
        try DatabaseSettings(EnvironmentVariables(environment))
    }
}

/// Where the data lives, how durably it is written, and how long audit events are kept.
public struct DatabaseSettings: Sendable {
    /// `DATABASE_URL`: the PostgreSQL store; nil for the SQLite file at `path`.
    public var postgres: PostgresSettings?
    public var path: String
    public var durability: SQLiteStore.Durability
    /// Seconds an audit event is kept: `AUDIT_RETENTION_DAYS`, a year by default.
    public var auditRetention: Int64

    fileprivate init(_ variables: EnvironmentVariables) throws(ConfigurationError) {
        // A variable of the other engine is refused rather than ignored: a team moving to PostgreSQL with
        // DATABASE_PATH still set would otherwise believe its SQLite file is in use (or the reverse).
        if let url = variables.optional("DATABASE_URL") {
            postgres = try PostgresSettings(url: url, poolSize: try variables.integer("DATABASE_POOL_SIZE", default: 8, in: 1...1000))
            for sqliteOnly in ["DATABASE_PATH", "DATABASE_DURABILITY"] where variables.optional(sqliteOnly) != nil {
                throw ConfigurationError(variable: sqliteOnly, problem: "is for SQLite; DATABASE_URL selects PostgreSQL: unset one of them")
            }
        } else if variables.optional("DATABASE_POOL_SIZE") != nil {
            throw ConfigurationError(variable: "DATABASE_POOL_SIZE", problem: "is for PostgreSQL and needs DATABASE_URL")
        }
        path = try variables.text("DATABASE_PATH", default: "kakao-auth.sqlite")
        durability = try variables.choice("DATABASE_DURABILITY", default: .normal)
        auditRetention = Int64(try variables.integer("AUDIT_RETENTION_DAYS", default: 365, in: 1...36_500)) * 86_400
    }
}

/// `LOG_FORMAT`: human-readable lines, or one JSON object per line.
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json
}

/// Typed, validated reads of environment variables. An empty value counts as unset.
private struct EnvironmentVariables {
    let environment: [String: String]

    init(_ environment: [String: String]) {
        self.environment = environment
    }

    func optional(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    func required(_ name: String) throws(ConfigurationError) -> String {
        guard let value = optional(name) else { throw ConfigurationError(variable: name, problem: "is required") }
        return value
    }

    func text(_ name: String, default defaultValue: String) throws(ConfigurationError) -> String {
        optional(name) ?? defaultValue
    }

    /// A token claim (`iss`, `aud`): what the codec accepts, or every token we sign would be refused.
    func claim(_ name: String, default defaultValue: String) throws(ConfigurationError) -> String {
        let value = optional(name) ?? defaultValue
        guard value.utf8.count <= JWTCodec.maximumClaimLength else {
            throw ConfigurationError(variable: name, problem: "must be at most \(JWTCodec.maximumClaimLength) bytes (the token claim limit)")
        }
        return value
    }

    /// A key or token that callers must present: at least 32 bytes, so that it cannot be guessed.
    func credential(_ name: String) throws(ConfigurationError) -> String? {
        guard let value = optional(name) else { return nil }
        guard value.utf8.count >= 32 else {
            throw ConfigurationError(
                variable: name, problem: "must be at least 32 bytes (Kakao's admin key is 32 characters; try: openssl rand -base64 32)")
        }
        return value
    }

    /// A positive decimal number as Kakao writes ids (no sign, no leading zero, 64-bit), or nil when unset:
    /// the comparisons with Kakao's answers are textual, so `04242` would never match.
    func decimalID(_ name: String) throws(ConfigurationError) -> String? {
        guard let value = optional(name) else { return nil }
        guard let number = Int64(value), number > 0, String(number) == value else {
            throw ConfigurationError(variable: name, problem: "must be a positive whole number without leading zeros, like 1234567")
        }
        return value
    }

    /// A DNS host name (letters, digits and hyphens in dot-separated labels), lower-cased, or nil when unset.
    /// Its text goes into `Set-Cookie`, so anything else (`a; SameSite=None`) is refused.
    func hostName(_ name: String) throws(ConfigurationError) -> String? {
        guard let value = optional(name) else { return nil }
        guard HostName.isValid(value) else {
            throw ConfigurationError(variable: name, problem: "must be a host name like example.com")
        }
        return value.lowercased()
    }

    /// An address to listen on: an IP address or a host name.
    func listenAddress(_ name: String, default defaultValue: String) throws(ConfigurationError) -> String {
        let value = optional(name) ?? defaultValue
        guard IPAddress(value) != nil || HostName.isValid(value) else {
            throw ConfigurationError(variable: name, problem: "must be an IP address (0.0.0.0, ::, 127.0.0.1) or a host name")
        }
        return value
    }

    /// A comma-separated list of non-empty items, or nil when unset.
    func list(_ name: String) -> [String]? {
        let items = optional(name)?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return items?.isEmpty == false ? items : nil
    }

    /// A moment as RFC 3339 in UTC (`2026-12-31T00:00:00Z`), in seconds since 1970; required, for `purpose`.
    func time(_ name: String, purpose: String) throws(ConfigurationError) -> Int64 {
        guard let text = optional(name) else { throw ConfigurationError(variable: name, problem: "is required \(purpose)") }
        guard text.hasSuffix("Z"), let date = ISO8601DateFormatter().date(from: text) else {
            throw ConfigurationError(variable: name, problem: "must be a UTC time like 2026-12-31T00:00:00Z")
        }
        return Int64(date.timeIntervalSince1970)
    }

    /// The contents of the file at `path`, which `name` names. A key pasted where its path belongs is not
    /// echoed back.
    func file(_ name: String, _ path: String) throws(ConfigurationError) -> String {
        guard !path.contains("-----") else {
            throw ConfigurationError(variable: name, problem: "holds a PEM, not a path (the key itself goes in JWT_PRIVATE_KEY)")
        }
        guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError(variable: name, problem: "cannot read \(path)")
        }
        return contents
    }

    /// A PEM key (see ``AsymmetricKey``). In a variable, `\n` may stand for the line breaks (one-line `.env`
    /// files). The error names the variable and the problem, never the key.
    func key(_ name: String, pem: String, private isPrivate: Bool) throws(ConfigurationError) -> AsymmetricKey {
        let text = pem.contains("\n") ? pem : pem.replacingOccurrences(of: "\\n", with: "\n")
        do {
            return isPrivate ? try AsymmetricKey.privateKey(pem: text) : try AsymmetricKey.publicKey(pem: text)
        } catch {
            throw ConfigurationError(variable: name, problem: error.description)
        }
    }

    /// A signing secret of at least 32 bytes.
    func secret(_ name: String) throws(ConfigurationError) -> [UInt8] {
        try Self.checkedSecret(required(name), variable: name)
    }

    /// A comma-separated list of secrets, each of at least 32 bytes; empty when unset.
    func secrets(_ name: String) throws(ConfigurationError) -> [[UInt8]] {
        guard let list = optional(name) else { return [] }
        var secrets: [[UInt8]] = []
        for item in list.split(separator: ",") {
            secrets.append(try Self.checkedSecret(item.trimmingCharacters(in: .whitespaces), variable: name))
        }
        return secrets
    }

    private static func checkedSecret(_ secret: String, variable: String) throws(ConfigurationError) -> [UInt8] {
        guard secret.utf8.count >= 32 else {
            throw ConfigurationError(variable: variable, problem: "every secret must be at least 32 bytes (try: openssl rand -base64 48)")
        }
        return Array(secret.utf8)
    }

    /// A comma-separated list of IP addresses or CIDR blocks; empty when unset.
    func addressRanges(_ name: String) throws(ConfigurationError) -> [IPAddressRange] {
        guard let list = optional(name) else { return [] }
        var ranges: [IPAddressRange] = []
        for item in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            guard let range = IPAddressRange(item) else {
                throw ConfigurationError(variable: name, problem: "\"\(item)\" is not an IP address or CIDR block")
            }
            ranges.append(range)
        }
        return ranges
    }

    func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = optional(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(variable: name, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func number(_ name: String, default defaultValue: Double, in range: ClosedRange<Double>) throws(ConfigurationError) -> Double {
        guard let text = optional(name) else { return defaultValue }
        guard let value = Double(text), range.contains(value) else {
            throw ConfigurationError(variable: name, problem: "must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func flag(_ name: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        switch optional(name)?.lowercased() {
        case nil: defaultValue
        case "true", "1", "yes": true
        case "false", "0", "no": false
        default: throw ConfigurationError(variable: name, problem: "must be true or false")
        }
    }

    func choice<Value: RawRepresentable & CaseIterable>(_ name: String, default defaultValue: Value) throws(ConfigurationError) -> Value
    where Value.RawValue == String {
        guard let text = optional(name) else { return defaultValue }
        guard let value = Value.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(variable: name, problem: "must be one of \(allowed)")
        }
        return value
    }

    /// An http(s) base URL without a trailing slash, query or fragment.
    func baseURL(_ name: String, default defaultValue: String) throws(ConfigurationError) -> String {
        var text = optional(name) ?? defaultValue
        while text.hasSuffix("/") { text.removeLast() }
        guard Self.isAbsoluteHTTPURL(text), let components = URLComponents(string: text),
            components.query == nil, components.fragment == nil
        else { throw ConfigurationError(variable: name, problem: "must be an http or https URL") }
        return text
    }

    /// A comma-separated list of absolute http(s) URLs without fragments, as Kakao requires of redirect URIs.
    func redirectURIs(_ name: String) throws(ConfigurationError) -> [String] {
        let uris = try required(name).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !uris.isEmpty else { throw ConfigurationError(variable: name, problem: "is required") }
        for uri in uris {
            guard Self.isAbsoluteHTTPURL(uri), URLComponents(string: uri)?.fragment == nil else {
                throw ConfigurationError(variable: name, problem: "\"\(uri)\" is not an absolute http or https URL without a fragment")
            }
        }
        return uris
    }

    /// A comma-separated list of exact origins (`https://app.example.com`, no path); empty when unset.
    func origins(_ name: String) throws(ConfigurationError) -> Set<String> {
        guard let list = optional(name) else { return [] }
        var origins: Set<String> = []
        for text in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !text.isEmpty {
            guard let origin = WebOrigin.parse(text) else {
                throw ConfigurationError(variable: name, problem: "\"\(text)\" is not an origin like https://app.example.com")
            }
            origins.insert(origin)
        }
        return origins
    }

    private static func isAbsoluteHTTPURL(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return false }
        return true
    }
}

extension Cookie.SameSite: @retroactive CaseIterable {
    public static let allCases: [Cookie.SameSite] = [.lax, .strict, .none]
}

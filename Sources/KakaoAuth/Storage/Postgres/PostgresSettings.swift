import Foundation
import NIOSSL
import PostgresNIO

/// Where the PostgreSQL store connects: `DATABASE_URL=postgres://user:password@host:port/db?sslmode=…`,
/// parsed strictly. Nothing it prints (its description, its errors) contains the password.
public struct PostgresSettings: Sendable, CustomStringConvertible {
    /// `disable`: plain TCP (a loopback or a private network); `require` (the default): TLS, with the
    /// server's certificate verified against the system's roots and its host name.
    enum TLSMode: String, Sendable {
        case disable
        case require
    }

    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String
    var tls: TLSMode
    /// Connections this replica keeps at most (`DATABASE_POOL_SIZE`).
    var poolSize: Int
    /// How long a step may take, connecting included, before it is answered 503.
    var operationTimeout: Duration = .seconds(5)

    init(url: String, poolSize: Int) throws(ConfigurationError) {
        func problem(_ text: String) -> ConfigurationError { ConfigurationError(variable: "DATABASE_URL", problem: text) }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw problem("is not a URL (postgres://user:password@host:port/database)")
        }
        guard scheme == "postgres" || scheme == "postgresql" else { throw problem("must start with postgres:// or postgresql://") }
        guard let host = components.host, !host.isEmpty else { throw problem("names no host") }
        guard let user = components.user?.removingPercentEncoding, !user.isEmpty else { throw problem("names no user") }
        let database = String(components.path.dropFirst())
        guard components.path.hasPrefix("/"), !database.isEmpty, !database.contains("/") else { throw problem("names no database (…/database)") }
        var tls = TLSMode.require
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode", let value = item.value, let mode = TLSMode(rawValue: value) else {
                throw problem("takes only ?sslmode=disable or ?sslmode=require")
            }
            tls = mode
        }
        self.host = host
        port = components.port ?? 5432
        username = user
        password = components.password?.removingPercentEncoding
        self.database = database.removingPercentEncoding ?? database
        self.tls = tls
        self.poolSize = poolSize
    }

    var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: tls == .require ? .require(.makeClientConfiguration()) : .disable)
        configuration.options.maximumConnections = poolSize
        configuration.options.connectTimeout = operationTimeout
        return configuration
    }

    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }
}

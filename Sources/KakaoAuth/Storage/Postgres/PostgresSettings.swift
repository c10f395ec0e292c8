import Foundation
import NIOSSL
import PostgresNIO

/// Where the PostgreSQL store connects: `DATABASE_URL=postgres://user:password@host:port/db?sslmode=…`,
/// parsed strictly. Nothing it prints (its description, its errors) contains the password.
public struct PostgresSettings: Sendable, CustomStringConvertible {
    /// `disable`: plain TCP (a loopback or a private network); `require` (the default): TLS, with the
    /// server's certificate verified against the system's roots (or `sslrootcert`'s) and its host name.
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
    /// `sslrootcert`: a PEM file of the certificate authorities to trust instead of the system's (a private CA,
    /// or a managed database's own, as libpq's `sslrootcert` with `sslmode=verify-full`).
    var rootCertificatePath: String?
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
        // URLComponents' `user`, `password` and `path` are decoded already; decoding the encoded forms once keeps
        // a `%` in a password (written %25) as it is.
        guard let user = components.percentEncodedUser?.removingPercentEncoding, !user.isEmpty else { throw problem("names no user") }
        let encodedDatabase = String(components.percentEncodedPath.dropFirst())
        guard components.percentEncodedPath.hasPrefix("/"), !encodedDatabase.isEmpty, !encodedDatabase.contains("/"),
            let database = encodedDatabase.removingPercentEncoding
        else { throw problem("names no database (…/database)") }
        guard components.fragment == nil else { throw problem("has a #fragment") }
        var options: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard ["sslmode", "sslrootcert"].contains(item.name), let value = item.value, !value.isEmpty, options[item.name] == nil else {
                throw problem("takes only ?sslmode=disable|require and &sslrootcert=FILE, each once")
            }
            options[item.name] = value
        }
        guard let tls = TLSMode(rawValue: options["sslmode"] ?? TLSMode.require.rawValue) else {
            throw problem("takes sslmode=disable or sslmode=require")
        }
        if let rootCertificate = options["sslrootcert"] {
            guard tls == .require else { throw problem("sslrootcert needs sslmode=require") }
            guard FileManager.default.isReadableFile(atPath: rootCertificate) else { throw problem("sslrootcert: cannot read \(rootCertificate)") }
        }
        self.host = host
        port = components.port ?? 5432
        username = user
        password = components.percentEncodedPassword?.removingPercentEncoding
        self.database = database
        self.tls = tls
        rootCertificatePath = options["sslrootcert"]
        self.poolSize = poolSize
    }

    var clientConfiguration: PostgresClient.Configuration {
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        if let rootCertificatePath { tlsConfiguration.trustRoots = .file(rootCertificatePath) }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: tls == .require ? .require(tlsConfiguration) : .disable)
        configuration.options.maximumConnections = poolSize
        configuration.options.connectTimeout = operationTimeout
        // The server ends what the service has stopped waiting for: a statement or a lock wait past the
        // request limit (a cancelled query is not interrupted client-side), and a transaction left open by a
        // replica that froze or lost its network, which would otherwise hold its locks until TCP notices.
        let limit = "\(operationTimeout.components.seconds)s"
        configuration.options.additionalStartupParameters = [
            ("statement_timeout", limit), ("lock_timeout", limit),
            ("idle_in_transaction_session_timeout", "\(2 * operationTimeout.components.seconds)s"),
        ]
        return configuration
    }

    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }
}

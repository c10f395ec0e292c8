import ArgumentParser
import Foundation
import KakaoAuth
import KakaoAuthTokens
import KakaoEmulator
import Logging
import NIOCore

@main
struct KakaoAuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kakao-auth",
        abstract: "Kakao login for your apps: exchanges Kakao authorization codes for this service's own JWTs.",
        discussion: "`serve` is configured by environment variables; see README.md.",
        subcommands: [Serve.self, Migrate.self, Purge.self, Events.self, Users.self, AdminKey.self, Keys.self, Demo.self, Emulator.self],
        defaultSubcommand: Serve.self)
}

/// Configuration errors stop the process with one line naming the variable and a non-zero exit.
private func loadOrExit<Value>(_ load: () throws(ConfigurationError) -> Value) throws -> Value {
    do {
        return try load()
    } catch {
        FileHandle.standardError.write(Data("kakao-auth: configuration error: \(error)\n".utf8))
        throw ExitCode(78)  // EX_CONFIG
    }
}

/// Unbuffered, so the lines show at once even when standard output is a file or a pipe.
private func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

private func makeLogger(level: Logger.Level) -> Logger {
    var logger = Logger(label: "kakao-auth")
    logger.logLevel = level
    return logger
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations and serve the HTTP API.")

    func run() async throws {
        let configuration = try loadOrExit { () throws(ConfigurationError) in try Configuration(environment: ProcessInfo.processInfo.environment) }
        if configuration.logFormat == .json {
            LoggingSystem.bootstrap(JSONLogHandler.init)
        }
        let app = try await buildApplication(configuration: configuration, logger: makeLogger(level: configuration.logLevel))
        // PostgreSQL is reached and migrated as the application starts, before the server takes requests.
        try await exitIfUnreachable { try await app.runServiceOnEventLoops() }
    }
}

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Signing keys for JWT_ALGORITHM=EdDSA or ES256.", subcommands: [GenerateKey.self])
}

struct GenerateKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Make a private key (PKCS#8 PEM) for JWT_PRIVATE_KEY_FILE and print its kid.",
        discussion: "Its public half, for JWT_NEXT_PUBLIC_KEY_FILE or JWT_PREVIOUS_PUBLIC_KEY_FILES: openssl pkey -in FILE -pubout")

    @Option(help: "EdDSA (Ed25519) or ES256 (P-256).") var algorithm: String
    @Option(
        help:
            "The file to create, readable by its owner only (an existing file is left alone). Without it, the key goes to standard output and the kid to standard error."
    )
    var out: String?

    func run() throws {
        guard let algorithm = JWSAlgorithm(rawValue: algorithm), algorithm != .hs256 else {
            throw ValidationError("--algorithm must be EdDSA or ES256")
        }
        let key = AsymmetricKey.generate(algorithm)
        let pem = Data(key.privatePEM!.utf8)
        guard let out else {
            FileHandle.standardOutput.write(pem)
            FileHandle.standardError.write(Data("kid: \(key.keyID)\n".utf8))
            return
        }
        // Created with mode 0600 in one step (never readable by others, not even for a moment), and never over
        // an existing file: a key in use is not replaced by accident.
        let descriptor = open(out, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            FileHandle.standardError.write(Data("kakao-auth: cannot create \(out): \(String(cString: strerror(errno)))\n".utf8))
            throw ExitCode(73)  // EX_CANTCREAT
        }
        let file = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try file.write(contentsOf: pem)
            try file.synchronize()
        } catch {
            unlink(out)  // no half-written key left behind
            throw error
        }
        say(key.keyID)
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    func run() async throws {
        try await withStore(databaseSettings()) { _ in }
        say("kakao-auth: the database is migrated")
    }
}

/// The database settings of the environment, or exit 78.
private func databaseSettings() throws -> DatabaseSettings {
    try loadOrExit { () throws(ConfigurationError) in try Configuration.databaseOnly(environment: ProcessInfo.processInfo.environment) }
}

/// A database named at start that cannot be reached stops the process like a configuration error.
private func exitIfUnreachable<Value>(_ open: () async throws -> Value) async throws -> Value {
    do {
        return try await open()
    } catch let error as StoreUnreachable {
        FileHandle.standardError.write(Data("kakao-auth: \(error)\n".utf8))
        throw ExitCode(78)  // EX_CONFIG
    }
}

/// Runs `work` on the store that `DATABASE_URL` or `DATABASE_PATH` names, migrated, and closes it.
private func withStore<Value>(_ settings: DatabaseSettings, _ work: (StoreCommands) async throws -> Value) async throws -> Value {
    let store = try await exitIfUnreachable { try await StoreCommands(settings, logger: makeLogger(level: .warning)) }
    do {
        let value = try await work(store)
        try await store.close()
        return value
    } catch {
        try? await store.close()
        throw error
    }
}

struct Purge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Delete expired sessions, refresh tokens and old audit events now, give the space back (`serve` also does it periodically), and exit.")

    func run() async throws {
        let settings = try databaseSettings()
        let report = try await withStore(settings) { store in
            try await store.purge(now: UnixClock.system.now(), auditRetention: settings.auditRetention)
        }
        say("kakao-auth: purged \(report)")
    }
}

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a user's audit events, newest first.")

    // Unconditional: a user id may begin with `-` (it is base64url), which would otherwise read as an option.
    @Option(parsing: .unconditional, help: "Our user id (the `sub` of their tokens, `id` in the API).") var user: String
    @Option(help: "How many events at most.") var limit = 50
    @Flag(help: "One JSON object per line.") var json = false

    func run() async throws {
        for event in try await withStore(databaseSettings(), { store in try await store.events(userID: user, limit: limit) }) {
            let at = Date(timeIntervalSince1970: TimeInterval(event.at)).formatted(.iso8601)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = .sortedKeys
                say(String(decoding: try encoder.encode(event), as: UTF8.self))
            } else {
                let fields = [("session", event.sessionID), ("ip", event.clientIP), ("agent", event.userAgent), ("detail", event.detail)]
                    .compactMap { name, value in value.map { "\(name)=\($0)" } }
                // A column as wide as the longest kind (`refresh_within_reuse_interval`); `padding` cuts longer text.
                let kind = event.kind.rawValue.padding(toLength: max(29, event.kind.rawValue.count), withPad: " ", startingAt: 0)
                say(([at, kind] + fields).joined(separator: "  "))
            }
        }
    }
}

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find, inspect, disable, enable, log out and erase accounts, and set their roles and app metadata, as the admin API does "
            + "(audited as admin=cli).",
        discussion: "On DATABASE_PATH or DATABASE_URL. Each prints the admin API's JSON answer; a refusal exits 1 with its problem code.",
        subcommands: [
            FindUsers.self, ShowUser.self, DisableUser.self, EnableUser.self, RevokeSessions.self, EraseUser.self, SetRoles.self,
            SetAppMetadata.self,
        ])
}

/// The user a `users` command acts on.
struct UserArgument: ParsableArguments {
    // Unconditional: a user id may begin with `-` (it is base64url), which would otherwise read as an option.
    @Option(parsing: .unconditional, help: "Our user id (the `sub` of their tokens, `id` in the API).") var user: String
}

/// Runs a `users` command on the configured store and prints its JSON; a refusal is one line and exit 1.
private func runAccountCommand(unlinking: Bool = false, _ work: (AccountCommands) async throws(AccountCommandError) -> String) async throws {
    let settings = try databaseSettings()
    let kakao =
        unlinking
        ? try loadOrExit { () throws(ConfigurationError) in try Configuration.unlinking(environment: ProcessInfo.processInfo.environment) } : nil
    let commands = try await exitIfUnreachable { try await AccountCommands(settings, kakao: kakao, logger: makeLogger(level: .warning)) }
    let outcome: Result<String, AccountCommandError>
    do throws(AccountCommandError) {
        outcome = .success(try await work(commands))
    } catch {
        outcome = .failure(error)
    }
    try await commands.close()
    switch outcome {
    case .success(let json):
        say(json)
    case .failure(let error):
        FileHandle.standardError.write(Data("kakao-auth: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

struct FindUsers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "find", abstract: "List users, newest registration first.")

    @Option(name: .customLong("q"), help: "A substring of the nickname or email (ASCII letters in any case).") var text: String?
    @Option(help: "The exact Kakao id.") var kakaoID: Int64?
    @Option(help: "active or disabled.") var status: String?
    @Option(help: "How many at most, 1 to 200.") var limit = 50
    @Option(help: "The next_cursor of the previous page.") var cursor: String?

    func run() async throws {
        try await runAccountCommand { commands throws(AccountCommandError) in
            try await commands.find(text: text, kakaoID: kakaoID, status: status, limit: limit, cursor: cursor)
        }
    }
}

struct ShowUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a user, their standing and live sessions.")
    @OptionGroup var target: UserArgument

    func run() async throws {
        try await runAccountCommand { commands throws(AccountCommandError) in try await commands.show(userID: target.user) }
    }
}

struct DisableUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Disable a user: every session is revoked at once and logins are refused.")
    @OptionGroup var target: UserArgument
    @Option(help: "Why, 1 to 200 characters (shown to operators and kept in the audit log).") var reason: String

    func run() async throws {
        try await runAccountCommand { commands throws(AccountCommandError) in try await commands.disable(userID: target.user, reason: reason) }
    }
}

struct EnableUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable", abstract: "Let a disabled user log in again (revoked sessions stay revoked).")
    @OptionGroup var target: UserArgument

    func run() async throws {
        try await runAccountCommand { commands throws(AccountCommandError) in try await commands.enable(userID: target.user) }
    }
}

struct RevokeSessions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke-sessions", abstract: "Log a user out everywhere, or end one of their sessions with --session.")
    @OptionGroup var target: UserArgument
    @Option(parsing: .unconditional, help: "One live session's id (the `sid` of its tokens).") var session: String?

    func run() async throws {
        try await runAccountCommand { commands throws(AccountCommandError) in
            try await commands.revokeSessions(userID: target.user, sessionID: session)
        }
    }
}

struct EraseUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase", abstract: "Erase a user as their own deletion does; unlinked at Kakao first when KAKAO_ADMIN_KEY is set.")
    @OptionGroup var target: UserArgument

    func run() async throws {
        try await runAccountCommand(unlinking: true) { commands throws(AccountCommandError) in try await commands.erase(userID: target.user) }
    }
}

struct SetRoles: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-roles", abstract: "Replace a user's roles; their next access token (a refresh at the latest) carries them.")
    @OptionGroup var target: UserArgument
    @Option(help: "Comma-separated, each [a-z][a-z0-9_.:-]{0,31}, at most 16; \"\" clears them.") var roles: String

    func run() async throws {
        let names = roles.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        try await runAccountCommand { commands throws(AccountCommandError) in
            try await commands.setRoles(userID: target.user, roles: roles.isEmpty ? [] : names)
        }
    }
}

struct SetAppMetadata: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-app-metadata",
        abstract: "Replace a user's app metadata; their next access token (a refresh at the latest) carries it.")
    @OptionGroup var target: UserArgument
    @Option(help: "A JSON object of at most 1,024 bytes in its compact form; '{}' clears it.") var json: String

    func run() async throws {
        try await runAccountCommand { commands throws(AccountCommandError) in try await commands.setAppMetadata(userID: target.user, json: json) }
    }
}

struct AdminKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin-key", abstract: "Keys for the admin API (ADMIN_API_KEYS).", subcommands: [GenerateAdminKey.self])
}

struct GenerateAdminKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Make an admin API key: prints the key once, then the ADMIN_API_KEYS entry that admits it.",
        discussion: "The entry holds only the key's SHA-256: store the key where its caller keeps secrets; it is not shown again.")

    @Argument(help: "The operator or tool it is for, 1 to 32 of a-z 0-9 _ - (audit events say admin=NAME).") var name: String

    func validate() throws {
        guard AdminKeys.isValidName(name) else { throw ValidationError("NAME must be 1 to 32 of a-z 0-9 _ -, and not cli (the command line's name)") }
    }

    func run() throws {
        let generated = AdminKeys.generate(name: name)
        say("key:   \(generated.key)")
        say("entry: \(generated.entry)")
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the service, a Kakao emulator and a demo page together: no configuration, no Kakao account.")

    @Option(help: "The service's (and the demo page's) port.") var port = 8080
    @Option(help: "The Kakao emulator's port.") var emulatorPort = 8081
    @Option(help: "The SQLite file (default: a new file in a temporary directory).") var database: String?

    func run() async throws {
        let databasePath =
            try database
            ?? {
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kakao-auth-demo-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                return directory.appendingPathComponent("kakao-auth.sqlite").path
            }()
        let demo = try KakaoEmulator.Demo(port: port, emulatorPort: emulatorPort, databasePath: databasePath)
        say(
            """
            kakao-auth demo
              open        \(demo.url)
              emulator    \(demo.emulatorURL) (Kakao stand-in; client id \(KakaoEmulator.Demo.clientID))
              database    \(databasePath)
            Ctrl-C stops both.
            """)
        try await demo.run(logger: makeLogger(level: .notice))
    }
}

struct Emulator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a Kakao emulator (kauth + kapi) for offline development and tests.",
        discussion: "Point KAKAO_AUTH_BASE_URL and KAKAO_API_BASE_URL at it.")

    @Option(help: "Listen address.") var host = "127.0.0.1"
    @Option(help: "Listen port.") var port = 8081
    @Option(help: "The REST API key apps must send as client_id.") var clientID = "emulator-client-id"
    @Option(help: "Require this client_secret at the token endpoint.") var clientSecret: String?
    @Option(help: "The admin key for `Authorization: KakaoAK …` calls.") var adminKey = "emulator-admin-key-0123456789abcdef"
    @Option(name: .customLong("redirect-uri"), help: "A registered redirect URI (repeatable; none: accept any).") var redirectURIs: [String] = []
    @Option(help: "Seconds the token endpoint waits before answering.") var tokenDelay = 0.0
    @Option(help: "Make the token endpoint answer with this HTTP status.") var tokenStatus: Int?
    @Option(help: "Seconds the user endpoint waits before answering.") var userDelay = 0.0
    @Option(help: "Make the user endpoint answer with this HTTP status.") var userStatus: Int?
    @Option(help: "Seconds /.well-known/jwks.json waits before answering.") var jwksDelay = 0.0
    @Option(help: "Make /.well-known/jwks.json answer with this HTTP status.") var jwksStatus: Int?
    @Option(help: "The numeric app id that access_token_info reports (KAKAO_APP_ID).") var appID = "1"
    @Option(help: "The native app key in the id_tokens of /emulator/sdk-login (add it to KAKAO_ID_TOKEN_AUDIENCES).")
    var nativeAppKey = "emulator-native-app-key"
    @Flag(help: "Benchmarks only: accept any code without consent (`user-<n>` is user n, anything else a user of its own).")
    var acceptAnyCode = false

    func validate() throws {
        guard let number = Int64(appID), number > 0 else { throw ValidationError("--app-id must be a positive number, as Kakao's app ids are") }
    }

    func run() async throws {
        func fault(delay: Double, status: Int?) -> EmulatorSettings.Fault? {
            delay > 0 || status != nil ? .init(delay: .nanoseconds(Int64(delay * 1e9)), status: status) : nil
        }
        let settings = EmulatorSettings(
            clientID: clientID, clientSecret: clientSecret, adminKey: adminKey, redirectURIs: redirectURIs, host: host, port: port,
            tokenFault: fault(delay: tokenDelay, status: tokenStatus), userFault: fault(delay: userDelay, status: userStatus),
            jwksFault: fault(delay: jwksDelay, status: jwksStatus), appID: appID, nativeAppKey: nativeAppKey, acceptAnyCode: acceptAnyCode)
        say("kakao-auth emulator on \(settings.issuer) (client id \(clientID), native app key \(nativeAppKey), app id \(appID))")
        try await buildEmulator(settings: settings, logger: makeLogger(level: .notice)).runServiceOnEventLoops()
    }
}

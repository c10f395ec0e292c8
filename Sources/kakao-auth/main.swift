import ArgumentParser
import Foundation
import KakaoAuth
import Logging

@main
struct KakaoAuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kakao-auth",
        abstract: "Kakao login for your apps: exchanges Kakao authorization codes for this service's own JWTs.",
        discussion: "Configured by environment variables; see README.md.",
        subcommands: [Serve.self, Migrate.self],
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

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations and serve the HTTP API.")

    func run() async throws {
        let configuration = try loadOrExit { () throws(ConfigurationError) in try Configuration(environment: ProcessInfo.processInfo.environment) }
        var logger = Logger(label: "kakao-auth")
        logger.logLevel = configuration.logLevel
        let app = try buildApplication(configuration: configuration, logger: logger)
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    func run() async throws {
        let database = try loadOrExit { () throws(ConfigurationError) in try Configuration.databaseOnly(environment: ProcessInfo.processInfo.environment) }
        _ = try AppDatabase(path: database.path, durability: database.durability)
        print("kakao-auth: \(database.path) is migrated")
    }
}

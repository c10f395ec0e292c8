import Foundation
import PostgresMigrations
import Synchronization
import Testing

@testable import KakaoAuth

@Suite struct RepositoryConsistencyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: [("sqlite", SQLiteMigrations.all), ("postgres", PostgresMigrations.all)])
    func embeddedMigrationsAreExactlyTheFilesOfTheirFolder(engine: String, migrations: [(name: String, sql: [UInt8])]) throws {
        let folder = Self.root.appendingPathComponent("migrations").appendingPathComponent(engine)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(migrations.map { $0.name + ".sql" } == files)
        for migration in migrations {
            #expect(try Data(contentsOf: folder.appendingPathComponent(migration.name + ".sql")) == Data(migration.sql))
        }
    }

    @Test func bothEnginesHaveTheSameMigrations() {
        #expect(SQLiteMigrations.all.map(\.name) == PostgresMigrations.all.map(\.name))
    }

    /// Every operation openapi.yaml describes is a route the service serves (with every optional route on),
    /// and every route is described, method and path; `HEAD` beside each `GET` is Hummingbird's.
    @Test func theRoutesAreExactlyTheOperationsTheAPIDescriptionDescribes() async throws {
        let spec = try String(contentsOf: Self.root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        var described: Set<String> = []
        var path: String?
        for line in spec.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path,
                let method = ["get", "post", "delete", "put", "patch"].first(where: { line == "    \($0):" })
            {
                described.insert("\(method.uppercased()) \(path)")
            } else if !line.hasPrefix(" "), !line.isEmpty {
                path = nil
            }
        }
        // The router also lists the routes that answer 405 for the methods a path does not serve: asked, they say so.
        let routes = try TestService.routes(environment: RouteGuardTests.environment).filter { $0.method != .head }
        let answered = Mutex<Set<String>>([])
        try await TestService.run(environment: RouteGuardTests.environment) { service in
            for route in routes where try await service.client.execute(uri: route.path, method: route.method).status != .methodNotAllowed {
                answered.withLock { _ = $0.insert("\(route.method) \(route.path)") }
            }
        }
        // The admin routes, on the admin listener, with a key: every path there is the admin API's or `/healthz`.
        let adminPort = try await LoopbackClient.freePort()
        let (key, entry) = AdminKeys.generate(name: "consistency")
        let adminEnvironment = RouteGuardTests.environment.merging(["ADMIN_PORT": "\(adminPort)", "ADMIN_API_KEYS": entry]) { $1 }
        let adminRoutes = try TestService.adminRoutes(environment: adminEnvironment).filter { $0.method != .head && $0.path != "/healthz" }
        try await TestService.run(environment: adminEnvironment) { service in
            for route in adminRoutes {
                let answer = try await service.client.on(port: adminPort).execute(
                    uri: route.path, method: route.method, headers: [.authorization: "Bearer \(key)"])
                if answer.status != .methodNotAllowed { answered.withLock { _ = $0.insert("\(route.method) \(route.path)") } }
            }
        }
        let served = answered.withLock { $0 }
        #expect(described.subtracting(served).isEmpty, "described but not served: \(described.subtracting(served).sorted())")
        #expect(served.subtracting(described).isEmpty, "served but not described: \(served.subtracting(described).sorted())")
        #expect(described.count > 10)
    }

    @Test func everyErrorCodeIsDescribedInTheAPIDescription() throws {
        let spec = try String(contentsOf: Self.root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        for code in APIError.Code.allCases {
            #expect(spec.contains("- \(code.rawValue)"), "openapi.yaml does not list \(code.rawValue)")
        }
    }
}

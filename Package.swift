// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "kakao-auth",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kakao-auth", targets: ["kakao-auth"]),
        .library(name: "KakaoAuth", targets: ["KakaoAuth"]),
        .library(name: "KakaoEmulator", targets: ["KakaoEmulator"]),
        // For Swift services that verify our access tokens: OpenSSL and Foundation only.
        .library(name: "KakaoAuthVerifier", targets: ["KakaoAuthVerifier"]),
        // The same, as Hummingbird 2 middleware.
        .library(name: "KakaoAuthHummingbird", targets: ["KakaoAuthHummingbird"]),
        .executable(name: "kakao-auth-token-bench", targets: ["TokenBenchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // HMAC-SHA256, CRYPTO_memcmp and RAND_bytes from the system's OpenSSL 3 (libssl-dev).
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // The PostgreSQL store's migrations, embedded (see PostgresMigrations.swift for why a target of their own).
        .target(name: "PostgresMigrations", resources: [.embedInCode("Migrations")]),
        // Tokens and the JSON they are read with: the one codec that signs and verifies, for the service and
        // for the verifier kit alike (OpenSSL and the standard library only).
        .target(name: "KakaoAuthTokens", dependencies: ["COpenSSL"]),
        .target(name: "KakaoAuthVerifier", dependencies: ["KakaoAuthTokens"]),
        .target(
            name: "KakaoAuthHummingbird",
            dependencies: [
                "KakaoAuthVerifier", "KakaoAuthTokens", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .target(
            name: "KakaoAuth",
            dependencies: [
                "COpenSSL",
                "KakaoAuthTokens",
                "PostgresMigrations",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.embedInCode("Storage/SQLite/Migrations"), .embedInCode("HTTP/openapi.yaml")]
        ),
        // `kakao-auth emulator` (kauth + kapi on loopback) and `kakao-auth demo`, apart from the service itself.
        .target(
            name: "KakaoEmulator",
            dependencies: [
                "KakaoAuth",
                "KakaoAuthTokens",
                // The emulator's RS256 signing key (the service and the verifier kit never sign with RSA).
                "COpenSSL",
                // Its account status webhook sender POSTs the SETs it signs.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.embedInCode("Demo/demo.html")]
        ),
        .executableTarget(
            name: "kakao-auth",
            dependencies: [
                "KakaoAuth",
                "KakaoEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Token sign + verify throughput on one core, next to raw HMAC-SHA256 (bench/run.py runs it).
        .executableTarget(
            name: "TokenBenchmark",
            // KakaoEmulator for its RSA signing key: the id_token the benchmark verifies needs a signer.
            dependencies: ["KakaoAuthTokens", "KakaoEmulator", "COpenSSL"]
        ),
        .testTarget(
            name: "KakaoAuthTests",
            dependencies: [
                "KakaoAuth",
                "KakaoAuthTokens",
                "KakaoAuthVerifier",
                "KakaoAuthHummingbird",
                "KakaoEmulator",
                "PostgresMigrations",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ]
)

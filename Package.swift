// swift-tools-version:6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "StytchJWT",
    products: [
        .library(name: "StytchJWKS", targets: ["StytchJWKS"]),
        .library(name: "StytchJWT", targets: ["StytchJWT"]),
        .library(name: "StytchJWTHummingbird", targets: ["StytchJWTHummingbird"]),
        .library(name: "StytchJWTVapor", targets: ["StytchJWTVapor"]),
        .executable(name: "stytch-jwt", targets: ["stytch-jwt"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
    ],
    targets: [
        // Small static inline helpers over OpenSSL 3's EVP API: all of the project's cryptography.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // Vectorised byte routines for token parsing (base64url blocks with AVX2/SSSE3, string
        // runs with SSE2): Swift has no portable byte-shuffle or byte-compare vectors. The Swift
        // code does the rest, and everything on other machines.
        .target(name: "CStytchVector"),
        .target(
            name: "StytchJWKS",
            dependencies: [
                "COpenSSL",
                "CStytchVector",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "StytchJWT",
            dependencies: [
                "StytchJWKS",
                "CStytchVector",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                // The Stytch B2B API client (sessions/authenticate, RBAC policies).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // Thin adapters: each framework in its own module and product, so users of one never build the other.
        .target(
            name: "StytchJWTHummingbird",
            dependencies: [
                "StytchJWT",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "StytchJWTVapor",
            dependencies: [
                "StytchJWT",
                .product(name: "Vapor", package: "vapor"),
            ],
            swiftSettings: strictSettings
        ),
        // Example applications, started by the live tests.
        .executableTarget(
            name: "stytch-jwt-hummingbird-example",
            dependencies: ["StytchJWTHummingbird"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "stytch-jwt-vapor-example",
            dependencies: ["StytchJWTVapor"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "stytch-jwt",
            dependencies: [
                "StytchJWT",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // Test-only helpers shared by the test targets: a scriptable JWKS server and a Stytch API
        // stand-in on loopback, the scenarios both middleware run.
        .target(
            name: "StytchJWTTestSupport",
            dependencies: [
                "StytchJWKS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/StytchJWTTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StytchJWKSTests",
            dependencies: [
                "StytchJWKS",
                "StytchJWTTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StytchJWTTests",
            dependencies: ["StytchJWT", "StytchJWTTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StytchJWTCLITests",
            dependencies: ["stytch-jwt", "StytchJWT", "StytchJWTTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StytchJWTHummingbirdTests",
            dependencies: [
                "StytchJWTHummingbird",
                "stytch-jwt-hummingbird-example",
                "StytchJWTTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StytchJWTVaporTests",
            dependencies: [
                "StytchJWTVapor",
                "stytch-jwt-vapor-example",
                "StytchJWTTestSupport",
                .product(name: "VaporTesting", package: "vapor"),
            ],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Fuzzing (Tests/fuzz.sh; README "Limits and hardening"): the entry points, one thin executable per
// libFuzzer target, and the suite that replays the committed corpus (Tests/FuzzCorpus) in every
// `swift test`. The ordinary build replays inputs; only the fuzzing build (`-sanitize=fuzzer,address
// -D FUZZING`, its own scratch path .build-fuzz) links libFuzzer.
package.targets += [
    .target(
        name: "StytchFuzzing",
        dependencies: ["StytchJWT"],
        swiftSettings: strictSettings
    ),
] + ["token", "jwks", "response", "claims"].map { name in
    .executableTarget(
        name: "stytch-jwt-fuzz-\(name)",
        dependencies: ["StytchFuzzing"],
        swiftSettings: strictSettings
    )
} + [
    // Memory-growth and leak driver for the EVP_PKEY / EVP_MD_CTX lifetimes (Tests/memcheck.sh).
    .executableTarget(
        name: "stytch-jwt-memcheck",
        dependencies: ["StytchFuzzing"],
        swiftSettings: strictSettings
    ),
    .testTarget(
        name: "StytchFuzzingTests",
        dependencies: ["StytchFuzzing", "StytchJWT"],
        swiftSettings: strictSettings
    ),
]

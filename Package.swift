// swift-tools-version:6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// Layers (README "Modules"): C at the bottom, an offline core that builds without networking,
// remote keys and Stytch's API over one bounded HTTP helper, an umbrella, and framework glue.
//
//   COpenSSL <- CStytchShims <- StytchJWTCore <- StytchJWKS ----\
//                                             <- StytchB2BAPI --+-> StytchJWT <- StytchJWTHummingbird
//                                   (both over StytchBoundedHTTP)             <- StytchJWTVapor
//                                                                             <- StytchJWTTesting
let package = Package(
    name: "StytchJWT",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "StytchJWTCore", targets: ["StytchJWTCore"]),
        .library(name: "StytchJWKS", targets: ["StytchJWKS"]),
        .library(name: "StytchB2BAPI", targets: ["StytchB2BAPI"]),
        .library(name: "StytchJWT", targets: ["StytchJWT"]),
        .library(name: "StytchJWTHummingbird", targets: ["StytchJWTHummingbird"]),
        .library(name: "StytchJWTVapor", targets: ["StytchJWTVapor"]),
        .library(name: "StytchJWTTesting", targets: ["StytchJWTTesting"]),
        .executable(name: "stytch-jwt", targets: ["stytch-jwt"]),
    ],
    // Floors are the oldest releases whose APIs the code uses (README "Requirements").
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.23.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.65.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.100.0"),
        // Documentation only: `swift package generate-documentation` (.ci/docs).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
    ],
    targets: [
        // The system OpenSSL 3: module map and pkg-config only.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // C shims: RS256 over OpenSSL's EVP API with opaque types, and the token reader's
        // vectorised byte routines. Every function takes its buffers' capacities.
        .target(name: "CStytchShims", dependencies: ["COpenSSL"]),
        // Offline and network-free: errors, strict JSON, base64url, RFC 3339, keys and their
        // admission, the key set, the token reader, claims, the verifier, the token cache,
        // authenticate responses, and the framework-neutral HTTP pipeline.
        .target(
            name: "StytchJWTCore",
            dependencies: [
                "CStytchShims",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        // One bounded HTTP exchange (whole-exchange timeout, body cap, no redirects, safe error
        // descriptions) for the JWKS fetcher and the Stytch API client. Not a product.
        .target(
            name: "StytchBoundedHTTP",
            dependencies: [
                "StytchJWTCore",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // Remote keys: the JWKS cache, the fetcher, the refresh service.
        .target(
            name: "StytchJWKS",
            dependencies: [
                "StytchJWTCore",
                "StytchBoundedHTTP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSettings
        ),
        // Stytch's B2B API: sessions/authenticate, the local-then-API refresher, RBAC policies.
        .target(
            name: "StytchB2BAPI",
            dependencies: [
                "StytchJWTCore",
                "StytchBoundedHTTP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSettings
        ),
        // The umbrella: one import for the three above.
        .target(
            name: "StytchJWT",
            dependencies: [
                "StytchJWTCore", "StytchJWKS", "StytchB2BAPI",
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: strictSettings
        ),
        // Framework glue over the core's HTTP pipeline; each re-exports StytchJWT.
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
        // For users' tests: a signing key, VerifiedSession builders, a JWKS stand-in.
        .target(name: "CStytchTestingShims", dependencies: ["COpenSSL"]),
        .target(
            name: "StytchJWTTesting",
            dependencies: ["StytchJWT", "CStytchTestingShims"],
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
        // Example applications, started by the live tests.
        .executableTarget(
            name: "stytch-jwt-hummingbird-example",
            dependencies: ["StytchJWTHummingbird", .product(name: "Configuration", package: "swift-configuration")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "stytch-jwt-vapor-example",
            dependencies: ["StytchJWTVapor", .product(name: "Configuration", package: "swift-configuration")],
            swiftSettings: strictSettings
        ),

        // MARK: Tests

        // Test-only helpers shared by the test targets: a scriptable JWKS server and a Stytch API
        // stand-in on loopback, fixtures and vectors, the scenarios both middleware run.
        .target(
            name: "StytchJWTTestSupport",
            dependencies: [
                "StytchJWT",
                "StytchJWTTesting",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/StytchJWTTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StytchJWTCoreTests",
            dependencies: [
                "StytchJWTCore", "StytchJWKS", "StytchJWTTesting", "StytchJWTTestSupport",
                // The C entry points' own bound checks are tested by calling them directly.
                "CStytchShims",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StytchJWKSTests",
            dependencies: [
                "StytchJWKS",
                "StytchJWT",
                "StytchJWTTesting",
                "StytchJWTTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StytchB2BAPITests",
            dependencies: [
                "StytchB2BAPI", "StytchJWT", "StytchJWTTesting", "StytchJWTTestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StytchJWTTests",
            dependencies: [
                "StytchJWT", "StytchJWTTestSupport",
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StytchJWTCLITests",
            dependencies: ["stytch-jwt", "StytchJWT", "StytchJWTTesting", "StytchJWTTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StytchJWTHummingbirdTests",
            dependencies: [
                "StytchJWTHummingbird",
                "stytch-jwt-hummingbird-example",
                "StytchJWTTesting",
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
                "StytchJWTTesting",
                "StytchJWTTestSupport",
                .product(name: "VaporTesting", package: "vapor"),
            ],
            swiftSettings: strictSettings
        ),
        // The Swift snippets of README.md and the DocC articles, compiled, and a test that every
        // snippet in the documentation appears verbatim in them (so the two cannot drift).
        .testTarget(
            name: "StytchJWTDocumentationTests",
            dependencies: [
                "StytchJWT",
                "StytchJWTHummingbird",
                "StytchJWTVapor",
                "StytchJWTTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Vapor", package: "vapor"),
            ],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Fuzzing and memory checks: test-only, under Tests/ (Tests/fuzz.sh, Tests/memcheck.sh). The entry
// points are thin executables over StytchFuzzing; the suite StytchFuzzingTests replays the committed
// corpus (Tests/FuzzCorpus) in every `swift test`. Only the fuzzing build (`-sanitize=fuzzer,address
// -D FUZZING`, its own scratch path .build-fuzz) links libFuzzer. None of these is a product.
package.targets += [
    .target(
        name: "StytchFuzzing",
        dependencies: ["StytchJWT", "StytchJWTTesting", "StytchJWTTestSupport"],
        path: "Tests/StytchFuzzing",
        swiftSettings: strictSettings
    ),
] + ["token", "jwks", "response", "claims"].map { name in
    .executableTarget(
        name: "stytch-jwt-fuzz-\(name)",
        dependencies: ["StytchFuzzing"],
        path: "Tests/Fuzzing/stytch-jwt-fuzz-\(name)",
        swiftSettings: strictSettings
    )
} + [
    // Memory-growth and leak driver for the OpenSSL key and context lifetimes (Tests/memcheck.sh).
    .executableTarget(
        name: "stytch-jwt-memcheck",
        dependencies: ["StytchFuzzing"],
        path: "Tests/Fuzzing/stytch-jwt-memcheck",
        swiftSettings: strictSettings
    ),
    .testTarget(
        name: "StytchFuzzingTests",
        dependencies: ["StytchFuzzing", "StytchJWT", "StytchJWTTestSupport"],
        swiftSettings: strictSettings
    ),
]

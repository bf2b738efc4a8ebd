// swift-tools-version:6.1
// The benchmark suite: its own package, so the library's build stays light (no package-benchmark,
// no jwt-kit, no swift-crypto for users of StytchJWT). Run from this directory:
//
//     swift package --allow-writing-to-package-directory benchmark   # package-benchmark's tables
//     ./run-benchmarks.sh        # one run, then the rows side by side and the target ratios
import PackageDescription

let package = Package(
    name: "StytchJWTBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // `name:` fixes the identity, so the checkout's directory name does not matter.
        .package(name: "StytchJWT", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
    ],
    targets: [
        // The raw OpenSSL 3 calls of row 1 (the limit), straight from Swift: a module map and a header.
        .systemLibrary(
            name: "CBenchOpenSSL",
            path: "Sources/CBenchOpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .executableTarget(
            name: "Verification",
            dependencies: [
                "CBenchOpenSSL",
                .product(name: "StytchJWT", package: "StytchJWT"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            path: "Benchmarks/Verification",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        // A tiny driver for profilers (perf, valgrind --tool=callgrind): the warm verifier in a loop; its
        // `interleave` mode compares thread CPU time per verification with raw OpenSSL, block by block.
        .executableTarget(
            name: "verify-profile",
            dependencies: ["CBenchOpenSSL", .product(name: "StytchJWT", package: "StytchJWT")],
            path: "Sources/verify-profile"
        ),
        // What a verified-token cache entry really costs (heap and RSS per entry against what
        // the cache charges), over tokens from http/make-http-tokens.py.
        .systemLibrary(name: "CBenchMalloc", path: "Sources/CBenchMalloc"),
        .executableTarget(
            name: "cache-memory",
            dependencies: ["CBenchMalloc", .product(name: "StytchJWTCore", package: "StytchJWT")],
            path: "Sources/cache-memory"
        ),
    ],
    swiftLanguageModes: [.v6]
)

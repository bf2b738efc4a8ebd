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
        .executable(name: "stytch-jwt", targets: ["stytch-jwt"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // The only C in the project: small static inline helpers over OpenSSL 3's EVP API.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "StytchJWKS",
            dependencies: [
                "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "StytchJWT",
            dependencies: [
                "StytchJWKS",
                .product(name: "Logging", package: "swift-log"),
            ],
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
        .testTarget(
            name: "StytchJWKSTests",
            dependencies: ["StytchJWKS"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StytchJWTTests",
            dependencies: ["StytchJWT"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StytchJWTCLITests",
            dependencies: ["stytch-jwt", "StytchJWT"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

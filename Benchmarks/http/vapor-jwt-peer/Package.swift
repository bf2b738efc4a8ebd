// swift-tools-version:6.2
// The peer of the HTTP load benchmark (../run-http-benchmark.sh): a minimal Vapor 4 app that
// verifies Stytch session JWTs with vapor/jwt 5 (jwt-kit) the way its documentation shows, doing
// the checks StytchJWTVapor does on the same routes. Its own package, so neither the library nor
// the Verification suite depends on vapor/jwt.
import PackageDescription

let package = Package(
    name: "vapor-jwt-peer",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.100.0"),
        .package(url: "https://github.com/vapor/jwt.git", from: "5.0.0"),
    ],
    targets: [
        .executableTarget(
            name: "vapor-jwt-peer",
            dependencies: [
                .product(name: "Vapor", package: "vapor"),
                .product(name: "JWT", package: "jwt"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

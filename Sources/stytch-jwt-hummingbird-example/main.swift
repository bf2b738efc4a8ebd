// A small Hummingbird 2 service behind Stytch B2B sessions: the live tests start it.
//
//   STYTCH_PROJECT_ID=project-test-… [STYTCH_JWKS_URL=… | STYTCH_BASE_URL=…] [PORT=8080] \
//     swift run stytch-jwt-hummingbird-example
//
// GET /health (no auth), GET /me (session required), GET /admin (role admin), GET /maybe (optional),
// GET /api/users (an M2M access token granting read:users).
import Foundation
import Hummingbird
import Logging
import StytchJWT
import StytchJWTHummingbird

let environment = ProcessInfo.processInfo.environment
guard let projectID = environment["STYTCH_PROJECT_ID"], !projectID.isEmpty else {
    FileHandle.standardError.write(Data("STYTCH_PROJECT_ID is required\n".utf8))
    exit(2)
}
let baseURL = environment["STYTCH_BASE_URL"]
let port = Int(environment["PORT"] ?? "8080") ?? 8080
let jwksURL = try environment["STYTCH_JWKS_URL"] ?? StytchJWKSFetcher.jwksURL(projectID: projectID, baseURL: baseURL)
let cache = StytchJWKSCache(fetcher: try StytchJWKSFetcher(url: jwksURL))
let verifier = try StytchJWTVerifier(configuration: .init(projectID: projectID, baseURL: baseURL), cache: cache)

/// The body of `GET /me`.
struct Me: ResponseEncodable {
    let memberID: String
    let organizationID: String
    let roles: [String]

    enum CodingKeys: String, CodingKey {
        case memberID = "member_id", organizationID = "organization_id", roles
    }
}

let router = Router(context: StytchRequestContext.self)
router.get("/health") { _, _ in "ok" }
router.group().add(middleware: StytchAuthenticator(verifier: verifier, mode: .optional))
    .get("/maybe") { _, context in context.stytchSession?.memberID ?? "anonymous" }
let members = router.group().add(middleware: StytchAuthenticator(verifier: verifier))
members.get("/me") { _, context in
    let session = try context.requireStytchSession()
    context.logger.info("served /me")  // carries stytch.member_id and friends, never the token
    return Me(memberID: session.memberID, organizationID: session.organizationID, roles: session.roles)
}
members.requireStytchSession(.anyRole(["admin"])).get("/admin") { _, _ in "welcome, admin" }

// Machines: M2M access tokens granting read:users, in a group whose context carries the credential.
router.group("/api", context: StytchCredentialChildContext<StytchRequestContext>.self)
    .add(middleware: StytchTokenAuthenticator(verifier: verifier, accepting: [.m2m]))
    .requireScopes("read:users")
    .get("users") { _, context in
        guard case .m2m(let client) = try context.requireStytchCredential() else { throw StytchHTTPError.missingToken }
        return "users for \(client.clientID)"
    }

// Quiet by default (no line per request); LOG_LEVEL=info or debug shows more.
var logger = Logger(label: "stytch-jwt-hummingbird-example")
logger.logLevel = Logger.Level(rawValue: environment["LOG_LEVEL"] ?? "") ?? .notice

let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: port)),
    services: [JWKSRefreshService(cache: cache)],
    onServerRunning: { channel in
        FileHandle.standardOutput.write(Data("listening on http://127.0.0.1:\(channel.localAddress?.port ?? port)\n".utf8))
    },
    logger: logger
)
try await app.runService()

// A small Hummingbird 2 service behind Stytch B2B sessions: the live tests start it.
//
//   STYTCH_PROJECT_ID=project-test-… [STYTCH_JWKS_URL=… | STYTCH_BASE_URL=…] [STYTCH_SECRET=…] \
//     [STYTCH_LEEWAY=…] [STYTCH_MAX_TOKEN_AGE=…] [PORT=8080] [LOG_LEVEL=notice] swift run stytch-jwt-hummingbird-example
//
// Settings come through swift-configuration (environment variables here; a file or another provider
// works the same). With STYTCH_SECRET an expired session JWT is refreshed through Stytch's API.
// GET /health (no auth), GET /me (session required), GET /admin (role admin, as a hummingbird-auth
// policy), GET /maybe (optional), GET /whoami (the application's own user type),
// GET /api/users (an M2M access token granting read:users).
import Configuration
import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import StytchJWT
import StytchJWTHummingbird

let config = ConfigReader(provider: EnvironmentVariablesProvider())
let stytch: StytchConfiguration
do {
    stytch = try StytchConfiguration(config: config.scoped(to: "stytch"))
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))  // names the setting, never the secret
    exit(2)
}
let port = config.int(forKey: "port", default: 8080)

// Quiet by default (no line per request); LOG_LEVEL=info or debug shows more.
var logger = Logger(label: "stytch-jwt-hummingbird-example")
logger.logLevel = config.string(forKey: "log.level").flatMap(Logger.Level.init(rawValue:)) ?? .notice

// The key cache logs through the application's logger; JWKSRefreshService (below) fetches the keys
// at start-up and refreshes them until shutdown.
let cache = try stytch.makeKeyCache(logger: logger)
let verifier = try stytch.makeVerifier(cache: cache, logger: logger)
let sessions: StytchRequestAuthenticator = if let client = try stytch.makeClient() {
    StytchRequestAuthenticator(authenticator: StytchSessionRefresher(verifier: verifier, client: client, logger: logger))
} else {
    StytchRequestAuthenticator(authenticator: verifier)
}

/// The body of `GET /me`.
struct Me: ResponseEncodable {
    let memberID: String
    let organizationID: String
    let roles: [String]

    enum CodingKeys: String, CodingKey {
        case memberID = "member_id", organizationID = "organization_id", roles
    }
}

/// The application's own user, made from the verified session; the Stytch guards work on it.
struct User: StytchIdentity {
    let session: VerifiedSession
    var stytchCredential: StytchCredential { .session(session) }
    var greeting: String { "member \(session.memberID) of \(session.organizationID)" }
}

/// The context of `/whoami`, whose identity is the application's `User`.
struct UserContext: ChildRequestContext, AuthRequestContext {
    var coreContext: CoreRequestContextStorage
    var identity: User?
    init(context: StytchRequestContext) throws {
        coreContext = context.coreContext
        identity = nil
    }
}

let router = Router(context: StytchRequestContext.self)
router.get("/health") { _, _ in "ok" }
router.group().add(middleware: StytchAuthenticator(verifier: verifier, mode: .optional))
    .get("/maybe") { _, context in context.stytchSession?.memberID ?? "anonymous" }
let members = router.group().add(middleware: StytchAuthenticator(pipeline: sessions))
members.get("/me") { _, context in
    let session = try context.requireStytchSession()
    context.logger.info("served /me")  // carries stytch.member_id and friends, never the token
    return Me(memberID: session.memberID, organizationID: session.organizationID, roles: session.roles)
}
// hummingbird-auth's policies take Stytch's rules (and mix with RolePolicy, anyOf, allOf, Not).
members.group()
    .add(middleware: AuthorizationPolicyMiddleware(StytchSessionPolicy(.anyRole(["admin"])), deniedError: StytchHTTPError.permissionDenied))
    .get("/admin") { _, _ in "welcome, admin" }

// The application's own identity type, mapped from the session.
router.group("/whoami", context: UserContext.self)
    .add(middleware: StytchIdentityAuthenticator<UserContext>(pipeline: sessions) { session, _ in User(session: session) })
    .get { _, context in context.identity?.greeting ?? "nobody" }

// Machines: M2M access tokens granting read:users, in a group whose context carries the credential.
router.group("/api", context: StytchCredentialChildContext<StytchRequestContext>.self)
    .add(middleware: StytchTokenAuthenticator(verifier: verifier, accepting: [.m2m]))
    .requireScopes("read:users")
    .get("users") { _, context in
        guard case .m2m(let client) = try context.requireStytchCredential() else { throw StytchHTTPError.missingToken }
        return "users for \(client.clientID)"
    }

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

// A small Vapor 4 service behind Stytch B2B sessions: the live tests start it.
//
//   STYTCH_PROJECT_ID=project-test-… [STYTCH_JWKS_URL=… | STYTCH_BASE_URL=…] [STYTCH_SECRET=…] \
//     [STYTCH_LEEWAY=…] [STYTCH_MAX_TOKEN_AGE=…] [PORT=8080] [LOG_LEVEL=notice] swift run stytch-jwt-vapor-example
//
// Settings come through swift-configuration (environment variables here; a file or another provider
// works the same). With STYTCH_SECRET an expired session JWT is refreshed through Stytch's API.
// GET /api/users (an M2M access token granting read:users),
// GET /health (no auth), GET /me (session required), GET /admin (role admin), GET /maybe (optional),
// GET /whoami (the application's own user type).
import Configuration
import Dispatch
import Foundation
import StytchJWT
import StytchJWTVapor
import Vapor

let config = ConfigReader(provider: EnvironmentVariablesProvider())
let stytch: StytchConfiguration
do {
    stytch = try StytchConfiguration(config: config.scoped(to: "stytch"))
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))  // names the setting, never the secret
    exit(2)
}
let port = config.int(forKey: "port", default: 8080)

/// The application's own user, made from the verified session.
struct User: Authenticatable {
    let memberID: String
    let organizationID: String
    var greeting: String { "member \(memberID) of \(organizationID)" }
}

/// The body of `GET /me`.
struct Me: Content {
    let memberID: String
    let organizationID: String
    let roles: [String]

    enum CodingKeys: String, CodingKey {
        case memberID = "member_id", organizationID = "organization_id", roles
    }
}

let app = try await Application.make(Environment(name: "production", arguments: ["stytch-jwt-vapor-example"]))
// Quiet by default (no line per request); LOG_LEVEL=info or debug shows more.
app.logger.logLevel = config.string(forKey: "log.level").flatMap(Logger.Level.init(rawValue:)) ?? .notice
// The key cache logs through the application's logger; keys are fetched at boot and refreshed
// in the background until shutdown.
let verifier = try stytch.makeVerifier(logger: app.logger)
if let client = try stytch.makeClient() {
    app.stytch.refresher = StytchSessionRefresher(verifier: verifier, client: client, logger: app.logger)
} else {
    app.stytch.verifier = verifier
}
try app.stytch.refreshKeys()
app.get("health") { _ in "ok" }
app.grouped(StytchAuthenticator(mode: .optional)).get("maybe") { req in req.stytchSession?.memberID ?? "anonymous" }
let members = app.grouped(StytchAuthenticator())
members.get("me") { req -> Me in
    let session = try req.requireStytchSession()
    req.logger.info("served /me")  // carries stytch.member_id and friends, never the token
    return Me(memberID: session.memberID, organizationID: session.organizationID, roles: session.roles)
}
members.requireStytchSession(.anyRole(["admin"])).get("admin") { _ in "welcome, admin" }
// The application's own identity type, mapped from the session.
app.grouped(StytchIdentityAuthenticator { session, _ in User(memberID: session.memberID, organizationID: session.organizationID) })
    .get("whoami") { req in try req.auth.require(User.self).greeting }
// Machines: M2M access tokens granting read:users.
app.grouped("api").grouped(StytchTokenAuthenticator(accepting: [.m2m])).requireScopes("read:users")
    .get("users") { req -> String in
        guard case .m2m(let client) = try req.requireStytchCredential() else { throw StytchAbort(.missing) }
        return "users for \(client.clientID)"
    }

/// Boots the application and starts its HTTP server on 127.0.0.1; returns the bound port.
func startServer(_ app: Application, port: Int) async throws -> Int {
    try await app.asyncBoot()
    try await app.server.start(address: .hostname("127.0.0.1", port: port))
    return app.http.server.shared.localAddress?.port ?? port
}

let boundPort = try await startServer(app, port: port)
FileHandle.standardOutput.write(Data("listening on http://127.0.0.1:\(boundPort)\n".utf8))

// Serve until SIGTERM or SIGINT, then shut down gracefully and exit 0.
await waitForStopSignal()
try await stopServer(app)

/// Stops the HTTP server, then the application.
func stopServer(_ app: Application) async throws {
    await app.server.shutdown()
    try await app.asyncShutdown()
}

/// Returns on the first SIGTERM or SIGINT. Nonisolated on purpose: the signal handlers run on
/// Dispatch's queues, and a closure formed in top-level code would be main-actor isolated (an
/// isolation check that ends the process with SIGILL when the signal arrives).
nonisolated func waitForStopSignal() async {
    let (signals, stop) = AsyncStream.makeStream(of: Int32.self)
    let sources = [SIGTERM, SIGINT].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { stop.yield(number) }
        source.resume()
        return source
    }
    for await _ in signals { break }
    sources.forEach { $0.cancel() }
}

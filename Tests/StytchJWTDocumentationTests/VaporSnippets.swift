// The Vapor snippets of README.md and StytchJWTVapor's articles, compiled (see CoreSnippets.swift).
import Configuration
import StytchJWTVapor
import Vapor

// MARK: Vapor (README, StytchJWTVapor.md)

func vaporRoutes(_ app: Application) throws {
    app.stytch.verifier = try StytchJWTVerifier(configuration: .init(projectID: "project-live-…"))
    let members = app.grouped(StytchAuthenticator())
    members.get("me") { req in try req.requireStytchSession().memberID }
    members.requireStytchSession(.anyRole(["admin"])).get("admin") { _ in "welcome" }
    app.grouped(StytchAuthenticator(mode: .optional)).get("maybe") { req in req.stytchSession?.memberID ?? "anonymous" }
    app.get("on-demand") { req in try await req.stytch.verifySession().memberID }   // as vapor/jwt's req.jwt
}

/// The application's own user type of the README's Vapor snippet.
struct User: Authenticatable {
    let id: String
}

/// Stands for an application's second authenticator (API keys): logs in a `User` for a known key
/// in `Authorization: ApiKey …`, unless someone is logged in already.
struct APIKeyAuthenticator: AsyncMiddleware {
    let holders = ["key-0123456789abcdef": "ci-bot"]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if !request.auth.has(User.self), let header = request.headers.first(name: .authorization), header.hasPrefix("ApiKey "),
           let holder = holders[String(header.dropFirst("ApiKey ".count))] {
            request.auth.login(User(id: holder))
        }
        return try await next.respond(to: request)
    }
}

func vaporReadme(_ app: Application) throws {
    let stytch = try StytchConfiguration(config: ConfigReader(provider: EnvironmentVariablesProvider()).scoped(to: "stytch"))
    app.stytch.verifier = try stytch.makeVerifier(logger: app.logger)   // STYTCH_PROJECT_ID, STYTCH_LEEWAY, …
    try app.stytch.refreshKeys()   // keys fetched at boot, refreshed in the background until shutdown
    let members = app.grouped(StytchAuthenticator())
    members.get("me") { req in try req.requireStytchSession().memberID }
    members.requireStytchSession(.anyOf([.anyRole(["owner"]), .allOf([.anyRole(["admin"]), .mfaCompleted])])).get("admin") { _ in "welcome" }
    app.get("on-demand") { req in try await req.stytch.verifySession().memberID }   // as vapor/jwt's req.jwt
    app.grouped(StytchIdentityAuthenticator(mode: .optional) { session, _ in User(id: session.memberID) })   // your own type
        .grouped(APIKeyAuthenticator())   // optional mode: a request without a Stytch JWT reaches this one
        .get("whoami") { req in try req.auth.require(User.self).id }
}

func vaporKeyRefresh(_ app: Application) throws {
    app.stytch.verifier = try StytchJWTVerifier(configuration: .init(projectID: "project-live-…"))
    try app.stytch.refreshKeys()   // keys fetched at boot, refreshed in the background, stopped at shutdown
}

func vaporGuards(_ app: Application, members: any RoutesBuilder, stytch: StytchB2BClient) {
    app.stytch.authorizer = StytchRBACAuthorizer(client: stytch)
    members.requireStytchSession(.mfaCompleted).post("payouts") { _ in "sent" }
    members.requirePermission(resource: "documents", action: "write").post("documents") { _ in "saved" }
}

func vaporRefresh(_ app: Application, verifier: StytchJWTVerifier, stytch: StytchB2BClient) {
    app.stytch.refresher = StytchSessionRefresher(verifier: verifier, client: stytch)   // a refreshed JWT goes back in Set-Cookie or Stytch-Session-JWT
}

func vaporMachines(_ app: Application) {
    app.grouped("api").grouped(StytchTokenAuthenticator(accepting: [.m2m])).requireScopes("read:users")
        .get("users") { req -> String in
            guard case .m2m(let client) = try req.requireStytchCredential() else { throw StytchAbort(.missing) }
            return "users for \(client.clientID)"
        }
}

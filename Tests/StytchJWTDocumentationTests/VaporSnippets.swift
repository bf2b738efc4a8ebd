// The Vapor snippets of README.md and StytchJWTVapor's articles, compiled (see CoreSnippets.swift).
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

func vaporGuards(_ app: Application, members: any RoutesBuilder, stytch: StytchB2BClient) {
    app.stytch.authorizer = StytchRBACAuthorizer(client: stytch)
    members.requireStytchSession(.mfaCompleted).post("payouts") { _ in "sent" }
    members.requirePermission(resource: "documents", action: "write").post("documents") { _ in "saved" }
}

func vaporRefresh(_ app: Application, verifier: StytchJWTVerifier, stytch: StytchB2BClient) {
    app.stytch.refresher = StytchSessionRefresher(verifier: verifier, client: stytch)   // a refreshed JWT comes back in Set-Cookie
}

func vaporMachines(_ app: Application) {
    app.grouped("api").grouped(StytchTokenAuthenticator(accepting: [.m2m])).requireScopes("read:users")
        .get("users") { req -> String in
            guard case .m2m(let client) = try req.requireStytchCredential() else { throw StytchAbort(.missing) }
            return "users for \(client.clientID)"
        }
}

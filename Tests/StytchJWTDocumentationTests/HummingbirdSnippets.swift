// The Hummingbird snippets of README.md and StytchJWTHummingbird's articles, compiled (see CoreSnippets.swift).
import Hummingbird
import StytchJWTHummingbird

// MARK: Hummingbird (README, StytchJWTHummingbird.md)

func hummingbirdRouter() throws -> Router<StytchRequestContext> {
    let verifier = try StytchJWTVerifier(configuration: .init(projectID: "project-live-…"))
    let router = Router(context: StytchRequestContext.self)
    let members = router.group().add(middleware: StytchAuthenticator(verifier: verifier))
    members.get("/me") { _, context in try context.requireStytchSession().memberID }
    members.requireStytchSession(.anyRole(["admin"])).get("/admin") { _, _ in "welcome" }
    router.group().add(middleware: StytchAuthenticator(verifier: verifier, mode: .optional))
        .get("/maybe") { _, context in context.stytchSession?.memberID ?? "anonymous" }
    return router
}

func hummingbirdGuards(members: RouterGroup<StytchRequestContext>, rbac: StytchRBACAuthorizer) {
    members.requireStytchSession(.mfaCompleted, .authenticatedWithin(seconds: 900)).post("/payouts") { _, _ in "sent" }
    members.requirePermission(resource: "documents", action: "write", authorizer: rbac).post("/documents") { _, _ in "saved" }
    members.requirePermission(resource: "reports", action: "read", authorizer: rbac,
                              organization: .routeParameter("organization_id"))
        .get("/orgs/:organization_id/reports") { _, _ in "reports" }
}

func hummingbirdRefresh(verifier: StytchJWTVerifier, stytch: StytchB2BClient) -> Router<StytchRequestContext> {
    let router = Router(context: StytchRequestContext.self)
    let refresher = StytchSessionRefresher(verifier: verifier, client: stytch)
    router.add(middleware: StytchAuthenticator(refresher: refresher))   // a refreshed JWT comes back in Set-Cookie
    return router
}

func hummingbirdMachines(router: Router<StytchRequestContext>, verifier: StytchJWTVerifier) {
    router.group("/api", context: StytchCredentialChildContext<StytchRequestContext>.self)
        .add(middleware: StytchTokenAuthenticator(verifier: verifier, accepting: [.m2m]))
        .requireScopes("read:users")
        .get("users") { _, context in
            guard case .m2m(let client) = try context.requireStytchCredential() else { throw StytchHTTPError.missingToken }
            return "users for \(client.clientID)"
        }
}

func hummingbirdApplication(router: Router<StytchRequestContext>, cache: StytchJWKSCache) async throws {
    let app = Application(router: router, services: [JWKSRefreshService(cache: cache)])
    try await app.runService()
}

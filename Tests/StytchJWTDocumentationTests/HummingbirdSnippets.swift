// The Hummingbird snippets of README.md and StytchJWTHummingbird's articles, compiled (see CoreSnippets.swift).
import Hummingbird
import HummingbirdAuth
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

func hummingbirdReadme() throws -> Router<StytchRequestContext> {
    let verifier = try StytchJWTVerifier(configuration: .init(projectID: "project-live-…"))
    let router = Router(context: StytchRequestContext.self)
    let members = router.group().add(middleware: StytchAuthenticator(verifier: verifier))
    members.get("/me") { _, context in try context.requireStytchSession().memberID }
    members.group().add(middleware: AuthorizationPolicyMiddleware(anyOf {   // hummingbird-auth's policies
        StytchSessionPolicy(.allOf([.anyRole(["admin"]), .mfaCompleted]))
        StytchSessionPolicy(.anyRole(["owner"]))
    }, deniedError: StytchHTTPError.permissionDenied)).post("/payouts") { _, _ in "sent" }
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
    router.add(middleware: StytchAuthenticator(refresher: refresher))   // a refreshed JWT goes back in Set-Cookie or Stytch-Session-JWT
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

// MARK: hummingbird-auth policies and your own identity type (StytchJWTHummingbird.md)

/// A namespace, so that the article's `User` and `AppContext` do not clash with the Vapor snippets' types.
enum HummingbirdPolicies {
    struct User: StytchIdentity, RoleProviding {
        let session: VerifiedSession
        var stytchCredential: StytchCredential { .session(session) }
        var roles: Set<StytchRole> { stytchRoles }   // for RolePolicy
    }

    struct AppContext: AuthRequestContext, RequestContext {
        var coreContext: CoreRequestContextStorage
        var identity: User?
        init(source: Source) { coreContext = .init(source: source) }
    }

    static func routes(verifier: StytchJWTVerifier, rbac: StytchRBACAuthorizer) -> Router<AppContext> {
        let router = Router(context: AppContext.self)
        let members = router.group()
            .add(middleware: StytchIdentityAuthenticator<AppContext>(verifier: verifier) { session, _ in User(session: session) })
        members.group().add(middleware: AuthorizationPolicyMiddleware(anyOf {
            StytchSessionPolicy(.allOf([.anyRole(["admin"]), .mfaCompleted]))
            RolePolicy("owner")
        }, deniedError: StytchHTTPError.permissionDenied)).get("/billing") { _, _ in "billing" }
        members.group().add(middleware: AuthorizationPolicyMiddleware(allOf {
            StytchPermissionPolicy(authorizer: rbac, resource: "documents", action: "write")
            Not(RolePolicy("suspended"))
        }, deniedError: StytchHTTPError.permissionDenied)).post("/documents") { _, _ in "saved" }
        return router
    }
}

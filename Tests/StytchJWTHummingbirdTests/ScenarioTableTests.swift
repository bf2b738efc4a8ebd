import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import HummingbirdTesting
import StytchJWTHummingbird
import StytchJWTTestSupport
import Testing

/// The shared scenario table (`AdapterScenarios`), answered by the Hummingbird adapter in memory.
@Suite("Hummingbird answers the shared scenario table")
struct HummingbirdScenarioTableTests {
    /// The application's own user: a Stytch member or an API key's holder.
    enum AppUser: Sendable { case member(String), apiKey(String) }

    typealias AppContext = TestAppContext<AppUser>

    /// A second authenticator: the holder of an API key, unless someone is authenticated already.
    struct APIKeyAuthenticator: AuthenticatorMiddleware {
        typealias Context = AppContext
        func authenticate(request: Request, context: AppContext) async throws -> AppUser? {
            guard context.identity == nil, let header = request.headers[.authorization] else { return nil }
            return AdapterScenarios.apiKey(fromAuthorization: header).map(AppUser.apiKey)
        }
    }

    /// `/chained`: the identity authenticator in optional mode, then the API-key authenticator.
    static func chainedApp(verifier: StytchJWTVerifier) -> some ApplicationProtocol {
        let router = Router(context: AppContext.self)
        router.group()
            .add(middleware: StytchIdentityAuthenticator<AppContext>(verifier: verifier, mode: .optional) { session, _ in .member(session.memberID) })
            .add(middleware: APIKeyAuthenticator())
            .get("/chained") { _, context -> String in
                switch context.identity {
                case .member(let id): "member:\(id)"
                case .apiKey(let key): "api-key:\(key)"
                case nil: "anonymous"
                }
            }
        return Application(router: router)
    }

    static func app(verifier: StytchJWTVerifier) -> some ApplicationProtocol {
        let router = Router(context: StytchRequestContext.self)
        router.get("/health") { _, _ in "ok" }
        let optional = router.group().add(middleware: StytchAuthenticator(verifier: verifier, mode: .optional))
        optional.get("/maybe") { _, context in context.stytchSession?.memberID ?? "anonymous" }
        optional.requireStytchSession().get("/maybe-guarded") { _, _ in "guarded" }
        let members = router.group().add(middleware: StytchAuthenticator(verifier: verifier))
        members.get("/me") { _, context in
            let session = try context.requireStytchSession()
            return "\(session.memberID)|\(session.organizationID)"
        }
        let clock: @Sendable () -> Date = { AdapterScenarios.now }
        members.requireStytchSession(.anyRole(["admin", "owner"])).get("/any-role") { _, _ in "ok" }
        members.requireStytchSession(.allRoles(["admin", "billing"])).get("/all-roles") { _, _ in "ok" }
        members.requireStytchSession(.organization(id: TestTokens.organizationID)).get("/org-id") { _, _ in "ok" }
        members.requireStytchSession(.organization(slug: TestTokens.slug)).get("/org-slug") { _, _ in "ok" }
        members.requireStytchSession(.factor(.totp)).get("/totp") { _, _ in "ok" }
        members.requireStytchSession(.authenticatedWithin(seconds: 120), clock: clock).get("/recent-120") { _, _ in "ok" }
        members.requireStytchSession(.authenticatedWithin(seconds: 30), clock: clock).get("/recent-30") { _, _ in "ok" }
        let refresher = AdapterScenarios.ScriptedRefresher(verifier: verifier)
        router.group().add(middleware: StytchAuthenticator(pipeline: StytchRequestAuthenticator(authenticator: refresher)))
            .get("/refreshing") { _, context in try context.requireStytchSession().memberID }
        return Application(router: router)
    }

    /// The token routes: a router whose context carries a `StytchCredential` (Hummingbird has one
    /// context type per router, so an application serves sessions or credentials per router).
    static func tokenApp(verifier: StytchJWTVerifier) -> some ApplicationProtocol {
        let router = Router(context: StytchCredentialContext.self)
        router.group("/m2m").add(middleware: StytchTokenAuthenticator(verifier: verifier, accepting: [.m2m]))
            .requireScopes("read:users")
            .get("users") { _, context in
                guard case .m2m(let token) = try context.requireStytchCredential() else { return "?" }
                return token.clientID
            }
        router.group("/any").add(middleware: StytchTokenAuthenticator(verifier: verifier, accepting: [.session, .m2m]))
            .get("whoami") { _, context in
                switch try context.requireStytchCredential() {
                case .session(let session): "session|\(session.memberID)"
                case .m2m(let token): "m2m|\(token.clientID)"
                case .accessToken(let token): "access_token|\(token.memberID)"
                }
            }
        router.group("/apps").add(middleware: StytchTokenAuthenticator(verifier: verifier, accepting: [.connectedApps]))
            .requirePermission(resource: "documents", action: "read", authorizer: AdapterScenarios.authorizer())
            .get("documents") { _, context in
                guard case .accessToken(let token) = try context.requireStytchCredential() else { return "?" }
                return token.memberID
            }
        return Application(router: router)
    }

    @Test("each scenario", arguments: AdapterScenarios.all)
    func scenario(_ scenario: AdapterScenarios.Scenario) async throws {
        let verifier = try AdapterScenarios.verifier()
        let headers = HTTPFields(scenario.headers.map { HTTPField(name: HTTPField.Name($0.name)!, value: $0.value) })
        let tokenRoute = ["/m2m/", "/any/", "/apps/"].contains { scenario.path.hasPrefix($0) }
        let answer = if tokenRoute {
            try await Self.send(Self.tokenApp(verifier: verifier), scenario, headers)
        } else if scenario.path == "/chained" {
            try await Self.send(Self.chainedApp(verifier: verifier), scenario, headers)
        } else {
            try await Self.send(Self.app(verifier: verifier), scenario, headers)
        }
        #expect(AdapterScenarios.mismatches(answer, scenario) == [])
    }

    static func send(_ app: some ApplicationProtocol, _ scenario: AdapterScenarios.Scenario, _ headers: HTTPFields) async throws -> AdapterScenarios.Answer {
        try await app.test(.router) { client in
            let response = try await client.execute(uri: scenario.path, method: .get, headers: headers)
            return AdapterScenarios.Answer(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name.canonicalName, $0.value) },
                body: String(buffer: response.body)
            )
        }
    }
}

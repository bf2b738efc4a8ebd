import Foundation
import StytchJWTTestSupport
import StytchJWTVapor
import Testing
import Vapor
import VaporTesting

/// The shared scenario table (`AdapterScenarios`), answered by the Vapor adapter in memory.
@Suite("Vapor answers the shared scenario table")
struct VaporScenarioTableTests {
    /// The application's own user: a Stytch member or an API key's holder.
    struct AppUser: Authenticatable { let name: String }

    /// A second authenticator: logs in the holder of an API key unless someone is logged in already.
    struct APIKeyAuthenticator: AsyncMiddleware {
        func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            if !request.auth.has(AppUser.self), let header = request.headers.first(name: .authorization),
               let key = AdapterScenarios.apiKey(fromAuthorization: header) {
                request.auth.login(AppUser(name: "api-key:\(key)"))
            }
            return try await next.respond(to: request)
        }
    }

    static func configure(_ app: Application, verifier: StytchJWTVerifier) {
        app.stytch.verifier = verifier
        app.get("health") { _ in "ok" }
        let optional = app.grouped(StytchAuthenticator(mode: .optional))
        optional.get("maybe") { req in req.stytchSession?.memberID ?? "anonymous" }
        optional.requireStytchSession().get("maybe-guarded") { _ in "guarded" }
        let members = app.grouped(StytchAuthenticator())
        members.get("me") { req -> String in
            let session = try req.requireStytchSession()
            return "\(session.memberID)|\(session.organizationID)"
        }
        let clock: @Sendable () -> Date = { AdapterScenarios.now }
        members.requireStytchSession(.anyRole(["admin", "owner"])).get("any-role") { _ in "ok" }
        members.requireStytchSession(.allRoles(["admin", "billing"])).get("all-roles") { _ in "ok" }
        members.requireStytchSession(.organization(id: TestTokens.organizationID)).get("org-id") { _ in "ok" }
        members.requireStytchSession(.organization(slug: TestTokens.slug)).get("org-slug") { _ in "ok" }
        members.requireStytchSession(.factor(.totp)).get("totp") { _ in "ok" }
        members.requireStytchSession(.authenticatedWithin(seconds: 120), clock: clock).get("recent-120") { _ in "ok" }
        members.requireStytchSession(.authenticatedWithin(seconds: 30), clock: clock).get("recent-30") { _ in "ok" }
        app.grouped(StytchIdentityAuthenticator<AppUser>(mode: .optional) { session, _ in AppUser(name: "member:\(session.memberID)") })
            .grouped(APIKeyAuthenticator())
            .get("chained") { req in req.auth.get(AppUser.self)?.name ?? "anonymous" }
        app.grouped(StytchAuthenticator(authenticator: AdapterScenarios.ScriptedRefresher(verifier: verifier)))
            .get("refreshing") { req in try req.requireStytchSession().memberID }

        app.grouped("m2m").grouped(StytchTokenAuthenticator(accepting: [.m2m])).requireScopes("read:users")
            .get("users") { req -> String in
                guard case .m2m(let token) = try req.requireStytchCredential() else { return "?" }
                return token.clientID
            }
        app.grouped("any").grouped(StytchTokenAuthenticator(accepting: [.session, .m2m])).get("whoami") { req -> String in
            switch try req.requireStytchCredential() {
            case .session(let session): "session|\(session.memberID)"
            case .m2m(let token): "m2m|\(token.clientID)"
            case .accessToken(let token): "access_token|\(token.memberID)"
            }
        }
        app.grouped("apps").grouped(StytchTokenAuthenticator(accepting: [.connectedApps]))
            .requirePermission(resource: "documents", action: "read", authorizer: AdapterScenarios.authorizer())
            .get("documents") { req -> String in
                guard case .accessToken(let token) = try req.requireStytchCredential() else { return "?" }
                return token.memberID
            }
    }

    @Test("each scenario", arguments: AdapterScenarios.all)
    func scenario(_ scenario: AdapterScenarios.Scenario) async throws {
        let verifier = try AdapterScenarios.verifier()
        let response = try await withApp { app in
            Self.configure(app, verifier: verifier)
            let headers = HTTPHeaders(scenario.headers.map { ($0.name, $0.value) })
            return try await app.testing().sendRequest(.GET, String(scenario.path.dropFirst()), headers: headers)
        }
        let answer = AdapterScenarios.Answer(
            status: Int(response.status.code),
            headers: response.headers.map { ($0.name, $0.value) },
            body: response.body.string
        )
        #expect(AdapterScenarios.mismatches(answer, scenario) == [])
    }
}

/// `req.stytch.verifySession()` in a handler, with the application's verifier.
@Suite("Vapor: verification on demand")
struct VaporOnDemandTests {
    @Test("a handler verifies the request's session itself; a refusal has the pipeline's status and code")
    func onDemand() async throws {
        let verifier = try AdapterScenarios.verifier()
        func get(_ headers: HTTPHeaders) async throws -> TestingHTTPResponse {
            try await withApp { app in
                app.stytch.verifier = verifier
                app.get("on-demand") { req async throws -> String in try await req.stytch.verifySession().memberID }
                return try await app.testing().sendRequest(.GET, "on-demand", headers: headers)
            }
        }
        let scenario = AdapterScenarios.all.first { $0.name == "a valid bearer token" }!
        let good = try await get(HTTPHeaders(scenario.headers.map { ($0.name, $0.value) }))
        #expect(good.status == .ok)
        #expect(good.body.string == TestTokens.memberID)
        let none = try await get([:])
        #expect(none.status == .unauthorized)
        #expect(none.headers.first(name: .wwwAuthenticate) == "Bearer")
        let expired = AdapterScenarios.all.first { $0.name == "an expired token" }!
        let refused = try await get(HTTPHeaders(expired.headers.map { ($0.name, $0.value) }))
        #expect(refused.status == .unauthorized)
        #expect(refused.headers.first(name: .wwwAuthenticate) == #"Bearer error="invalid_token""#)
    }
}

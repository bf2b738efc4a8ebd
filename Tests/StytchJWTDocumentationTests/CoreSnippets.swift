// The Swift snippets of README.md and the DocC articles (Sources/*/Documentation.docc), compiled.
// Each snippet appears here verbatim (indented by its enclosing function);
// DocumentationSnippetTests fails when a snippet in the documentation is not found here, so the
// documentation and compiled code cannot drift apart. These functions are compiled, never called.
import Configuration
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import StytchJWT

// MARK: Offline verification with pinned keys (README, OfflineVerification.md)

func offlineVerification(token: String) throws {
    let verifier = try StytchJWTVerifier(projectID: "project-live-…", keys: JWKSet(contentsOfFile: "Keys/stytch-jwks.json"))
    let session = try verifier.verify(sessionJWT: token)   // VerifiedSession, or throws StytchJWTError
    print(session.memberID, session.organizationID, session.roles)
}

func sessionFields(_ session: VerifiedSession) {
    let member = session.memberID              // the JWT's sub
    let organization = session.organizationID  // and session.organizationSlug
    let sessionEnds = session.expiresAt        // when the SESSION ends (hours or days)
    let jwtExpires = session.jwt.expiresAtDate // when this JWT stops being accepted (5 minutes after issue)
    let factor = session.authenticationFactors.first?.type   // .password, .totp, … or .unknown("new_type")
    let claim = session.customClaim("my_custom_claim")        // typed JSONValue, or nil
    _ = (member, organization, sessionEnds, jwtExpires, factor, claim)
}

func offlineConfiguration(token: String) throws {
    let verifier = try StytchJWTVerifier(
        configuration: .init(
            projectID: "project-test-00000000-0000-4000-8000-000000000000",
            leeway: 5,                                      // seconds of clock skew tolerated
            maximumTokenAge: 120,                           // refuse tokens issued two minutes ago or earlier
            clock: { Date(timeIntervalSince1970: 1_767_225_660) }   // a fixed instant, for tests
        ),
        keys: JWKSet(contentsOfFile: "Keys/demo-jwks.json")
    )
    _ = try verifier.verify(sessionJWT: token)
}

// MARK: A web service with rotated keys (README, WebService.md)

func webService(bearerToken: String) async throws {
    let verifier = try StytchJWTVerifier(configuration: .init(projectID: "project-live-…"))
    let session = try await verifier.verify(sessionJWT: bearerToken)   // keys fetched, cached, rotated
    print(session.memberID)
}

func convenienceCache() async throws {
    let verifier = try StytchJWTVerifier(configuration: .init(projectID: "project-live-…"))
    let cache = try StytchJWKSCache.stytch(projectID: "project-live-…")   // the cache that verifier shares
    await cache.prefetch()                                                 // keys ready before the first request
    _ = verifier
}

func ownCache(projectID: String, server: any Service, logger: Logger) async throws {
    let cache = StytchJWKSCache(
        fetcher: try StytchJWKSFetcher(projectID: projectID),        // https only; 5 s timeout; 1 MiB cap
        pinned: try JWKSet(contentsOfFile: "Keys/stytch-jwks.json"),  // optional: verify with no network at all
        logger: logger
    )
    let verifier = try StytchJWTVerifier(configuration: .init(projectID: projectID), cache: cache, logger: logger)

    // Refresh ahead of expiry in the background, so no request waits on Stytch.
    let services = ServiceGroup(services: [JWKSRefreshService(cache: cache), server], logger: logger)
    try await services.run()
    _ = verifier
}

func metricsBootstrap(backend: any MetricsFactory) throws {
    MetricsSystem.bootstrap(backend)   // first: verifiers and caches create their instruments when built
    let verifier = try StytchJWTVerifier(configuration: .init(projectID: "project-live-…"))
    _ = verifier
}

func configurationFromEnvironment(logger: Logger) throws {
    let config = ConfigReader(provider: EnvironmentVariablesProvider())
    let stytch = try StytchConfiguration(config: config.scoped(to: "stytch"))   // STYTCH_PROJECT_ID, …
    let cache = try stytch.makeKeyCache(logger: logger)
    let verifier = try stytch.makeVerifier(cache: cache, logger: logger)
    let client = try stytch.makeClient()   // a StytchB2BClient when STYTCH_SECRET is set, else nil
    _ = (verifier, client)
}

// MARK: Authenticate responses and the MFA outcome (README, AuthenticateResponses.md)

func authenticateResponse(verifier: StytchJWTVerifier, body: Data) throws -> VerifiedSession {
    switch try verifier.verify(authenticateResponse: Array(body)) {
    case .authenticated(let member):
        return member.session   // VerifiedSession, cross-checked against member.response
    case .mfaRequired(let pending):
        // No session yet: continue with an MFA endpoint using pending.intermediateSessionToken
        // and pending.mfaRequired (the member's options). Never log the token.
        throw pending.error     // code mfa_required: a 403 over HTTP
    }
}

func requireSession(verifier: StytchJWTVerifier, body: Data) throws {
    let member = try verifier.verify(authenticateResponse: Array(body)).requireSession()   // throws mfa_required
    print(member.session.memberID, member.response.organization.organizationName)
}

// MARK: M2M and Connected Apps access tokens (README, AccessTokens.md)

func accessTokens(verifier: StytchJWTVerifier, token: String) async throws {
    let machine = try await verifier.verify(m2mToken: token, requiredScopes: ["read:users"])   // client ID, scopes
    let connectedApp = try await verifier.verify(accessToken: token)                          // member, organization, scopes
    let credential = try await verifier.verify(token: token, accepting: [.session, .m2m])     // whichever it is
    print(machine.clientID, connectedApp.memberID, credential.kind)
}

// MARK: Refresh and RBAC through Stytch's API (README, RefreshAndRBAC.md)

func refreshAndRBAC(jwt: String, secret: String, sendBack: (String) -> Void) async throws {
    let stytch = try StytchB2BClient(projectID: "project-live-…", secret: secret)
    let verifier = try StytchJWTVerifier(configuration: .init(projectID: "project-live-…"))

    // Local first; Stytch's API only for an expired (or too old) JWT.
    let refresher = StytchSessionRefresher(verifier: verifier, client: stytch)
    let result = try await refresher.authenticate(sessionJWT: jwt)
    if result.refreshed { sendBack(result.sessionJWT) }

    // "May this member write documents?" from a cached copy of Stytch's policy.
    let rbac = StytchRBACAuthorizer(client: stytch)
    try await rbac.authorize(result.session, AuthorizationCheck(
        organizationID: result.session.organizationID, resourceID: "documents", action: "write"))
}

func connectedAppsAuthorization(verifier: StytchJWTVerifier, rbac: StytchRBACAuthorizer, token: String) async throws {
    let app = try await verifier.verify(accessToken: token)
    try await rbac.authorize(accessToken: app, AuthorizationCheck(
        organizationID: app.organizationID, resourceID: "documents", action: "read"))
}

// MARK: Error codes (ErrorCodes.md)

func handlingErrors(verifier: StytchJWTVerifier, token: String, logger: Logger) async {
    do {
        let session = try await verifier.verify(sessionJWT: token)
        print(session.memberID)
    } catch where error.code == .expired {   // error is a StytchJWTError: verify throws only that
        // The JWT lived its 5 minutes: refresh it (StytchSessionRefresher does this for you).
    } catch {
        logger.debug("token rejected", metadata: ["error": "\(error)"])   // code and message: safe to log
    }
}

// MARK: Migrating from Stytch's SDKs (MigratingFromStytchSDKs.md)

func migrationLocal(jwt: String) async throws {
    let verifier = try StytchJWTVerifier(configuration: .init(projectID: "project-live-…", maximumTokenAge: 60))
    let session = try await verifier.verify(sessionJWT: jwt)   // throws StytchJWTError where the SDK returns None
    print(session.memberID)
}

func migrationRefresherOptions(verifier: StytchJWTVerifier, stytch: StytchB2BClient) {
    var configuration = StytchSessionRefresher.Configuration()
    configuration.sessionDurationMinutes = 60   // extends the session on refresh, as session_duration_minutes
    let refresher = StytchSessionRefresher(verifier: verifier, client: stytch, configuration: configuration)
    _ = refresher
}

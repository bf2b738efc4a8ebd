import Foundation
import StytchJWT
import StytchJWTTestSupport
import StytchJWTVapor
import Testing
import Vapor
import VaporTesting

/// In-memory tests of the Vapor adapter (`app.testing()`), with a verifier over pinned keys and a
/// fixed clock (one minute after the tokens' `iat`) held in `app.stytch.verifier`.
@Suite struct StytchJWTVaporTests {
    static let kid = "jwk-test-vapor-a"
    static let key = TestJWKS.keyA
    static let now = Date(timeIntervalSince1970: TestTokens.now)

    static func verifier(keys: JWKSet? = nil) throws -> StytchJWTVerifier {
        try StytchJWTVerifier(
            configuration: .init(projectID: TestTokens.projectID, clock: { now }),
            keys: keys ?? TestTokens.keySet(kid: kid, key: key)
        )
    }

    static func token(
        issuedAt: Int64 = TestTokens.issuedAt,
        organizationID: String = TestTokens.organizationID,
        slug: String? = TestTokens.slug,
        roles: [String] = ["stytch_member"],
        factors: [String] = ["password"]
    ) -> String {
        TestTokens.token(
            kid: kid, key: key, issuedAt: issuedAt, organizationID: organizationID, slug: slug, roles: roles, factors: factors
        )
    }

    /// Configures `app`: the example's routes plus one route per guard.
    static func configure(
        _ app: Application,
        verifier: StytchJWTVerifier?,
        sources: StytchHTTPAuthentication.TokenSources = .default,
        logs: CapturedLogs = CapturedLogs()
    ) {
        app.logger = logs.logger
        app.stytch.verifier = verifier
        app.get("health") { _ in "ok" }
        let optional = app.grouped(StytchAuthenticator(sources: sources, mode: .optional))
        optional.get("maybe") { req in req.stytchSession?.memberID ?? "anonymous" }
        optional.requireStytchSession().get("maybe-guarded") { _ in "guarded" }

        let members = app.grouped(StytchAuthenticator(sources: sources))
        members.get("me") { req -> String in
            req.logger.info("handled /me")
            let session = try req.requireStytchSession()
            let fromAuth = try req.auth.require(VerifiedSession.self)
            let metadata = ["stytch.member_id", "stytch.organization_id", "stytch.member_session_id"]
                .map { req.logger.metadataProvider?.get()[$0]?.description ?? "-" }
            return ([session.memberID, fromAuth.organizationID] + metadata).joined(separator: "|")
        }
        let clock: @Sendable () -> Date = { now }
        members.requireStytchSession(.anyRole(["admin", "owner"])).get("any-role") { _ in "ok" }
        members.requireStytchSession(.allRoles(["admin", "billing"])).get("all-roles") { _ in "ok" }
        members.requireStytchSession(.organization(id: TestTokens.organizationID)).get("org-id") { _ in "ok" }
        members.requireStytchSession(.organization(slug: TestTokens.slug)).get("org-slug") { _ in "ok" }
        members.requireStytchSession(.factor(.totp)).get("totp") { _ in "ok" }
        members.requireStytchSession(.authenticatedWithin(seconds: 120), clock: clock).get("recent-120") { _ in "ok" }
        members.requireStytchSession(.authenticatedWithin(seconds: 30), clock: clock).get("recent-30") { _ in "ok" }
        members.grouped(StytchSessionGuard(.anyRole(["admin"]), .factor(.password))).get("direct", "admin") { _ in "ok" }
        // A handler-level check without the authenticator: the thrown error renders through Vapor.
        app.get("unauthenticated") { req -> String in try req.requireStytchSession().memberID }
    }

    /// Sends `GET path` with `headers` to a freshly configured application.
    static func get(
        _ path: String, _ headers: HTTPHeaders = [:], verifier: StytchJWTVerifier?? = nil,
        sources: StytchHTTPAuthentication.TokenSources = .default
    ) async throws -> TestingHTTPResponse {
        let resolved: StytchJWTVerifier?
        switch verifier {
        case .some(let given): resolved = given
        case .none: resolved = try Self.verifier()
        }
        return try await withApp { app in
            configure(app, verifier: resolved, sources: sources)
            return try await app.testing().sendRequest(.GET, path, headers: headers)
        }
    }

    static func bearer(_ token: String) -> HTTPHeaders { ["Authorization": "Bearer \(token)"] }

    /// Checks `response` is the failure `code` with `status`: the JSON body `{"error":{"code","message"}}`,
    /// `WWW-Authenticate` as given (nil: absent), and no trace of `token`.
    static func expectFailure(
        _ response: TestingHTTPResponse, status: HTTPResponseStatus, code: String,
        wwwAuthenticate: String?, token: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(response.headers.first(name: .wwwAuthenticate) == wwwAuthenticate, sourceLocation: sourceLocation)
        #expect(response.headers[.wwwAuthenticate].count <= 1, sourceLocation: sourceLocation)
        #expect(response.headers.first(name: .contentType)?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
        let text = String(buffer: response.body)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], sourceLocation: sourceLocation)
        #expect(Set(object.keys) == ["error"], sourceLocation: sourceLocation)
        let error = try #require(object["error"] as? [String: Any], sourceLocation: sourceLocation)
        #expect(Set(error.keys) == ["code", "message"], sourceLocation: sourceLocation)
        #expect(error["code"] as? String == code, "body: \(text)", sourceLocation: sourceLocation)
        #expect((error["message"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        if let token {
            #expect(!text.contains(TestTokens.signatureSegment(of: token)), sourceLocation: sourceLocation)
            #expect(!text.contains(token.split(separator: ".").first.map(String.init) ?? token), sourceLocation: sourceLocation)
        }
    }

    // MARK: Token sources

    @Test func validBearerToken() async throws {
        let response = try await Self.get("me", Self.bearer(Self.token()))
        #expect(response.status == .ok)
        #expect(String(buffer: response.body).hasPrefix("\(TestTokens.memberID)|\(TestTokens.organizationID)|"))
    }

    @Test func validCookie() async throws {
        let response = try await Self.get("me", ["Cookie": "theme=dark; stytch_session_jwt=\(Self.token()); lang=en"])
        #expect(response.status == .ok)
        #expect(String(buffer: response.body).hasPrefix(TestTokens.memberID))
    }

    @Test func missingTokenIs401WithBareChallenge() async throws {
        let response = try await Self.get("me")
        try Self.expectFailure(response, status: .unauthorized, code: "malformed", wwwAuthenticate: "Bearer")
    }

    @Test func healthNeedsNoToken() async throws {
        let response = try await Self.get("health", ["Authorization": "Basic Zm9vOmJhcg=="])
        #expect(response.status == .ok)
        #expect(String(buffer: response.body) == "ok")
    }

    @Test func malformedHeaderWinsOverAGoodCookie() async throws {
        let response = try await Self.get("me", ["Authorization": "Basic Zm9vOmJhcg==", "Cookie": "stytch_session_jwt=\(Self.token())"])
        try Self.expectFailure(response, status: .unauthorized, code: "malformed", wwwAuthenticate: #"Bearer error="invalid_token""#)
    }

    @Test func rejectedBearerWinsOverAGoodCookie() async throws {
        let bad = TestTokens.withBrokenSignature(Self.token())
        let response = try await Self.get("me", ["Authorization": "Bearer \(bad)", "Cookie": "stytch_session_jwt=\(Self.token())"])
        try Self.expectFailure(
            response, status: .unauthorized, code: "invalid_signature", wwwAuthenticate: #"Bearer error="invalid_token""#, token: bad
        )
    }

    @Test func twoAuthorizationHeadersAreMalformed() async throws {
        let token = Self.token()
        let response = try await Self.get("me", [("Authorization", "Bearer \(token)"), ("Authorization", "Bearer \(token)")].reduce(into: HTTPHeaders()) {
            $0.add(name: $1.0, value: $1.1)
        })
        try Self.expectFailure(response, status: .unauthorized, code: "malformed", wwwAuthenticate: #"Bearer error="invalid_token""#, token: token)
    }

    @Test func customTokenSources() async throws {
        let sources = StytchHTTPAuthentication.TokenSources(bearerHeader: false, cookie: true, cookieName: "app_jwt")
        let token = Self.token()
        let viaCookie = try await Self.get("me", ["Cookie": "app_jwt=\(token)"], sources: sources)
        #expect(viaCookie.status == .ok)
        let viaHeader = try await Self.get("me", Self.bearer(token), sources: sources)
        try Self.expectFailure(viaHeader, status: .unauthorized, code: "malformed", wwwAuthenticate: "Bearer")
        let viaDefaultCookie = try await Self.get("me", ["Cookie": "stytch_session_jwt=\(token)"], sources: sources)
        #expect(viaDefaultCookie.status == .unauthorized)
    }

    // MARK: Rejections

    struct Rejection: Sendable, CustomTestStringConvertible {
        let name: String
        let authorization: String
        let code: String
        var testDescription: String { name }
    }

    static let rejections: [Rejection] = [
        Rejection(name: "not Bearer", authorization: "Basic Zm9vOmJhcg==", code: "malformed"),
        Rejection(name: "Bearer without token", authorization: "Bearer ", code: "malformed"),
        Rejection(name: "two tokens", authorization: "Bearer \(token()) \(token())", code: "malformed"),
        Rejection(name: "not a JWS", authorization: "Bearer abc", code: "malformed"),
        Rejection(name: "expired", authorization: "Bearer \(token(issuedAt: TestTokens.issuedAt - 3600))", code: "expired"),
        Rejection(name: "not yet valid", authorization: "Bearer \(token(issuedAt: TestTokens.issuedAt + 600))", code: "not_yet_valid"),
        Rejection(name: "broken signature", authorization: "Bearer \(TestTokens.withBrokenSignature(token()))", code: "invalid_signature"),
        Rejection(name: "signed by another key", authorization: "Bearer \(TestTokens.token(kid: kid, key: TestJWKS.keyB))", code: "invalid_signature"),
        Rejection(name: "unknown kid", authorization: "Bearer \(TestTokens.token(kid: "jwk-test-unknown", key: key))", code: "unknown_key"),
        Rejection(
            name: "another project",
            authorization: "Bearer \(TestTokens.token(kid: kid, key: key, payload: TestTokens.payload(projectID: "project-test-other")))",
            code: "issuer_mismatch"
        ),
    ]

    @Test(arguments: rejections)
    func rejectionIs401WithItsCode(_ rejection: Rejection) async throws {
        let response = try await Self.get("me", ["Authorization": rejection.authorization])
        let token = rejection.authorization.split(separator: " ").dropFirst().first.map(String.init)
        try Self.expectFailure(
            response, status: .unauthorized, code: rejection.code, wwwAuthenticate: #"Bearer error="invalid_token""#,
            token: token.flatMap { $0.contains(".") ? $0 : nil }
        )
    }

    @Test func keysUnavailableIs503() async throws {
        let empty = try Self.verifier(keys: JWKSet(keys: [:]))
        let response = try await Self.get("me", Self.bearer(Self.token()), verifier: empty)
        try Self.expectFailure(response, status: .serviceUnavailable, code: "keys_unavailable", wwwAuthenticate: nil)
    }

    @Test("no configured verifier is a 500 invalid_configuration (the server's fault, not the token's)")
    func noConfiguredVerifierIs500() async throws {
        let response = try await Self.get("me", Self.bearer(Self.token()), verifier: .some(nil))
        try Self.expectFailure(response, status: .internalServerError, code: "invalid_configuration", wwwAuthenticate: nil)
    }

    @Test func requireStytchSessionInAHandlerThrows401() async throws {
        let response = try await Self.get("unauthenticated")
        #expect(response.status == .unauthorized)
        #expect(response.headers.first(name: .wwwAuthenticate) == "Bearer")
    }

    // MARK: Optional mode

    @Test func optionalModeLetsAnonymousThrough() async throws {
        let anonymous = try await Self.get("maybe")
        #expect(anonymous.status == .ok)
        #expect(String(buffer: anonymous.body) == "anonymous")
        let member = try await Self.get("maybe", Self.bearer(Self.token()))
        #expect(String(buffer: member.body) == TestTokens.memberID)
    }

    @Test func optionalModeStillRejectsBadTokens() async throws {
        let bad = TestTokens.withBrokenSignature(Self.token())
        let response = try await Self.get("maybe", Self.bearer(bad))
        try Self.expectFailure(response, status: .unauthorized, code: "invalid_signature", wwwAuthenticate: #"Bearer error="invalid_token""#, token: bad)
        // Another scheme is another authenticator's to judge: optional mode lets it through.
        let otherScheme = try await Self.get("maybe", ["Authorization": "Token abc"])
        #expect(otherScheme.status == .ok)
        #expect(otherScheme.body.string == "anonymous")
    }

    @Test func guardWithoutSessionIs401() async throws {
        let response = try await Self.get("maybe-guarded")
        try Self.expectFailure(response, status: .unauthorized, code: "malformed", wwwAuthenticate: "Bearer")
        let member = try await Self.get("maybe-guarded", Self.bearer(Self.token()))
        #expect(member.status == .ok)
    }

    // MARK: Guards

    struct GuardCase: Sendable, CustomTestStringConvertible {
        let path: String
        let allowed: String
        let denied: String
        let code: String
        var testDescription: String { path }
    }

    static let guardCases: [GuardCase] = [
        GuardCase(path: "any-role", allowed: token(roles: ["stytch_member", "owner"]), denied: token(), code: "permission_denied"),
        GuardCase(path: "all-roles", allowed: token(roles: ["admin", "billing", "x"]), denied: token(roles: ["admin"]), code: "permission_denied"),
        GuardCase(path: "org-id", allowed: token(), denied: token(organizationID: "organization-test-other"), code: "tenancy_mismatch"),
        GuardCase(path: "org-slug", allowed: token(), denied: token(slug: "globex"), code: "tenancy_mismatch"),
        GuardCase(path: "totp", allowed: token(factors: ["password", "totp"]), denied: token(), code: "permission_denied"),
        GuardCase(path: "recent-120", allowed: token(), denied: token(issuedAt: TestTokens.issuedAt - 200), code: "permission_denied"),
        GuardCase(path: "recent-30", allowed: token(issuedAt: TestTokens.issuedAt + 50), denied: token(), code: "permission_denied"),
        GuardCase(path: "direct/admin", allowed: token(roles: ["admin"]), denied: token(roles: ["admin"], factors: ["sso"]), code: "permission_denied"),
    ]

    @Test(arguments: guardCases)
    func guardAllowsAndDenies(_ guardCase: GuardCase) async throws {
        try await withApp { app in
            Self.configure(app, verifier: try Self.verifier())
            let tester = try app.testing()
            let allowed = try await tester.sendRequest(.GET, guardCase.path, headers: Self.bearer(guardCase.allowed))
            #expect(allowed.status == .ok, "\(String(buffer: allowed.body))")
            let denied = try await tester.sendRequest(.GET, guardCase.path, headers: Self.bearer(guardCase.denied))
            try Self.expectFailure(denied, status: .forbidden, code: guardCase.code, wwwAuthenticate: nil, token: guardCase.denied)
            let missing = try await tester.sendRequest(.GET, guardCase.path)
            try Self.expectFailure(missing, status: .unauthorized, code: "malformed", wwwAuthenticate: "Bearer")
        }
    }

    // MARK: Logging

    @Test func loggerCarriesSessionIDsAndNeverTheToken() async throws {
        let logs = CapturedLogs()
        let token = Self.token()
        let bad = TestTokens.withBrokenSignature(Self.token(roles: ["admin"]))
        try await withApp { app in
            Self.configure(app, verifier: try Self.verifier(), logs: logs)
            let tester = try app.testing()
            let response = try await tester.sendRequest(.GET, "me", headers: Self.bearer(token))
            #expect(String(buffer: response.body) == [
                TestTokens.memberID, TestTokens.organizationID, TestTokens.memberID, TestTokens.organizationID, TestTokens.sessionID,
            ].joined(separator: "|"))
            let rejected = try await tester.sendRequest(.GET, "me", headers: Self.bearer(bad))
            #expect(rejected.status == .unauthorized)
            let denied = try await tester.sendRequest(.GET, "any-role", headers: Self.bearer(token))
            #expect(denied.status == .forbidden)
        }
        let handled = try #require(logs.records.first { $0.message == "handled /me" })
        #expect(handled.metadata["stytch.member_id"] == TestTokens.memberID)
        #expect(handled.metadata["stytch.organization_id"] == TestTokens.organizationID)
        #expect(handled.metadata["stytch.member_session_id"] == TestTokens.sessionID)
        #expect(logs.records.contains { $0.metadata["stytch.error_code"] == "invalid_signature" }, "\(logs.text)")
        #expect(logs.records.contains { $0.metadata["stytch.error_code"] == "permission_denied" }, "\(logs.text)")
        for secret in [token, bad] {
            #expect(!logs.text.contains(TestTokens.signatureSegment(of: secret)))
            #expect(!logs.text.contains(secret.split(separator: ".")[1]))
        }
    }
}

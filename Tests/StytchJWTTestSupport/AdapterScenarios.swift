public import Foundation
public import StytchJWT
import StytchJWTTesting

/// One table of requests and the answers both middleware adapters must give, byte for byte where
/// it matters (status, error code, `WWW-Authenticate`, `Cache-Control`, body).
///
/// Each adapter's tests build an application with ``routes`` over ``verifier()`` and run every
/// scenario of ``all`` through it in memory; the two must agree because the rules live in the
/// core's `StytchRequestAuthenticator`, and this table is what proves it.
public enum AdapterScenarios {
    /// The routes every adapter's test application serves, and what each is guarded by.
    ///
    /// - `/health`: no authentication; answers `ok`.
    /// - `/me`: session required; answers `memberID|organizationID`.
    /// - `/maybe`: optional session; answers the member ID or `anonymous`.
    /// - `/maybe-guarded`: optional authenticator, then a guard requiring a session.
    /// - `/any-role`: `.anyRole(["admin", "owner"])`; `/all-roles`: `.allRoles(["admin", "billing"])`.
    /// - `/org-id`, `/org-slug`: `.organization(id: TestTokens.organizationID)`, `.organization(slug: TestTokens.slug)`.
    /// - `/totp`: `.factor(.totp)`; `/recent-120`, `/recent-30`: `.authenticatedWithin(seconds:)` at ``now``.
    /// - `/refreshing`: session required through a ``ScriptedRefresher``; answers the member ID.
    /// - `/chained`: the adapter's identity authenticator in optional mode, mapping the session to
    ///   the application's own user (`member:<memberID>`), then a second authenticator taking an
    ///   API key (``apiKey(fromAuthorization:)``, `api-key:<key>`); answers the user or `anonymous`.
    ///
    /// Token routes (a second router or group over `StytchTokenAuthenticator`):
    /// - `/m2m/users`: M2M tokens only, then `requireScopes("read:users")`; answers the client ID.
    /// - `/any/whoami`: sessions and M2M tokens; answers `session|memberID` or `m2m|clientID`.
    /// - `/apps/documents`: Connected Apps tokens, then a permission guard (`documents`, `read`)
    ///   over ``authorizer``; answers the member ID.
    public static let routes = ["/health", "/me", "/maybe", "/maybe-guarded", "/any-role", "/all-roles", "/org-id", "/org-slug", "/totp", "/recent-120", "/recent-30", "/refreshing", "/chained"]

    /// The `kid` of the scenario tokens.
    public static let kid = "jwk-test-adapter-scenarios"
    /// The verifier's clock: one minute after the tokens' `iat`.
    public static let now = Date(timeIntervalSince1970: TestTokens.now)

    /// A verifier over the scenario key, with the clock at ``now``.
    public static func verifier() throws -> StytchJWTVerifier {
        try StytchJWTVerifier(
            configuration: .init(projectID: TestTokens.projectID, clock: { now }),
            keys: TestTokens.keySet(kid: kid, key: TestJWKS.keyA)
        )
    }

    /// A request and the answer expected from every adapter.
    public struct Scenario: Sendable, CustomStringConvertible {
        public let name: String
        public let path: String
        public let headers: [Header]
        public let status: Int
        /// The error code of the JSON body, for a refusal.
        public let code: String?
        /// `WWW-Authenticate`, when the answer must carry it (nil: must not).
        public let wwwAuthenticate: String?
        /// The body of a success.
        public let body: String?
        /// Response headers that must be present (with a value or a prefix) or absent.
        public var responseHeaders: [HeaderCheck] = []
        public var description: String { name }
    }

    /// What a response header must be.
    public struct HeaderCheck: Sendable {
        public enum Rule: Sendable { case equals(String), hasPrefix(String), absent }
        /// Lower-cased.
        public let name: String
        public let rule: Rule
    }

    /// A stand-in for `StytchSessionRefresher` that needs no network: a presented JWT that is
    /// `expired` (signature and claims otherwise good) comes back refreshed as ``freshToken``.
    public struct ScriptedRefresher: StytchSessionAuthenticating {
        public let verifier: StytchJWTVerifier
        public init(verifier: StytchJWTVerifier) { self.verifier = verifier }
        public func authenticate(sessionJWT: String) async throws(StytchJWTError) -> SessionAuthentication {
            do throws(StytchJWTError) {
                return try await verifier.authenticate(sessionJWT: sessionJWT)
            } catch where error.code == .expired {
                let fresh = AdapterScenarios.freshToken
                return SessionAuthentication(session: try await verifier.verify(sessionJWT: fresh), sessionJWT: fresh, refreshed: true, response: nil)
            }
        }
    }

    /// The JWT ``ScriptedRefresher`` hands out: issued 30 s before ``now``.
    public static let freshToken = token(issuedAt: TestTokens.issuedAt + 30)

    /// A request header.
    public struct Header: Sendable {
        public let name: String
        public let value: String
    }

    static func token(
        issuedAt: Int64 = TestTokens.issuedAt, organizationID: String = TestTokens.organizationID, slug: String? = TestTokens.slug,
        roles: [String] = ["stytch_member"], factors: [String] = ["password"], key: TestingSigningKey = TestJWKS.keyA, kid: String = kid
    ) -> String {
        TestTokens.token(kid: kid, key: key, issuedAt: issuedAt, organizationID: organizationID, slug: slug, roles: roles, factors: factors)
    }

    static func bearer(_ token: String) -> [Header] { [Header(name: "Authorization", value: "Bearer \(token)")] }

    static func ok(_ name: String, _ path: String, _ headers: [Header], body: String, headers checks: [HeaderCheck] = []) -> Scenario {
        Scenario(name: name, path: path, headers: headers, status: 200, code: nil, wwwAuthenticate: nil, body: body, responseHeaders: checks)
    }

    static func refused(_ name: String, _ path: String, _ headers: [Header], _ status: Int, _ code: String, _ challenge: String? = nil) -> Scenario {
        Scenario(name: name, path: path, headers: headers, status: status, code: code, wwwAuthenticate: challenge, body: nil)
    }

    static let invalidToken = "Bearer error=\"invalid_token\""

    /// An M2M access token for client `m2m-client-test-1` with `scope`.
    static func m2m(scope: String = "read:users write:users") -> String {
        var payload = TestTokens.payload()
        payload[TestTokens.sessionClaim] = nil
        payload[TestTokens.organizationClaim] = nil
        payload["sub"] = .string("m2m-client-test-1")
        payload["scope"] = .string(scope)
        return TestTokens.token(kid: kid, key: TestJWKS.keyA, payload: payload)
    }

    /// A Connected Apps access token for the test member and organization with `scope`.
    static func connectedApps(scope: String = "openid read:documents") -> String {
        var payload = TestTokens.payload()
        payload[TestTokens.sessionClaim] = nil
        payload["scope"] = .string(scope)
        payload["client_id"] = .string("connected-app-test-1")
        return TestTokens.token(kid: kid, key: TestJWKS.keyA, payload: payload)
    }

    /// A fixed RBAC policy whose scope `read:documents` grants `read` on `documents`.
    public struct FixedPolicy: RBACPolicySource {
        public init() {}
        public func rbacPolicy() async throws(StytchJWTError) -> RBACPolicy {
            let permission = RBACPermission(resourceID: "documents", actions: ["read"])
            return RBACPolicy(roles: [], scopes: [RBACScope(scope: "read:documents", permissions: [permission])])
        }
        public func organizationPolicy(organizationID: String) async throws(StytchJWTError) -> OrganizationRBACPolicy {
            OrganizationRBACPolicy(roles: [])
        }
    }

    /// The authorizer of `/apps/documents`.
    public static func authorizer() -> StytchRBACAuthorizer {
        StytchRBACAuthorizer(policies: StytchRBACPolicyCache(source: FixedPolicy()))
    }
    static let me = "\(TestTokens.memberID)|\(TestTokens.organizationID)"

    /// Every scenario.
    public static let all: [Scenario] = [
        ok("no authentication on /health", "/health", [], body: "ok"),
        ok("a valid bearer token", "/me", bearer(token()), body: me),
        ok("a valid cookie", "/me", [Header(name: "Cookie", value: "theme=dark; stytch_session_jwt=\(token())")], body: me),
        refused("no token", "/me", [], 401, "malformed", "Bearer"),
        refused("an expired token", "/me", bearer(token(issuedAt: TestTokens.issuedAt - 3600)), 401, "expired", invalidToken),
        refused("a token not valid yet", "/me", bearer(token(issuedAt: TestTokens.issuedAt + 3600)), 401, "not_yet_valid", invalidToken),
        refused("a signature by another key", "/me", bearer(token(key: TestJWKS.keyB)), 401, "invalid_signature", invalidToken),
        refused("an unknown kid", "/me", bearer(token(kid: "jwk-test-unknown")), 401, "unknown_key", invalidToken),
        refused("a broken signature", "/me", bearer(TestTokens.withBrokenSignature(token())), 401, "invalid_signature", invalidToken),
        refused("Basic instead of Bearer", "/me", [Header(name: "Authorization", value: "Basic dXNlcjpwYXNz")], 401, "malformed", invalidToken),
        refused("a bearer header and a good cookie: the header decides", "/me",
                [Header(name: "Authorization", value: "Bearer x.y"), Header(name: "Cookie", value: "stytch_session_jwt=\(token())")], 401, "malformed", invalidToken),
        refused("the session cookie twice", "/me", [Header(name: "Cookie", value: "stytch_session_jwt=\(token()); stytch_session_jwt=\(token())")], 401, "malformed", invalidToken),
        ok("optional mode without a token", "/maybe", [], body: "anonymous"),
        ok("optional mode with a token", "/maybe", bearer(token()), body: TestTokens.memberID),
        refused("optional mode with a bad token", "/maybe", bearer(token(key: TestJWKS.keyB)), 401, "invalid_signature", invalidToken),
        ok("optional mode leaves another scheme to the next authenticator", "/maybe", [Header(name: "Authorization", value: "Basic dXNlcjpwYXNz")], body: "anonymous"),
        ok("optional mode leaves a bearer API key to the next authenticator", "/maybe", [Header(name: "Authorization", value: "Bearer sk_live_1234")], body: "anonymous"),
        ok("optional mode: an API key in the header, the session cookie not read", "/maybe",
           [Header(name: "Authorization", value: "ApiKey abc"), Header(name: "Cookie", value: "stytch_session_jwt=\(token())")], body: "anonymous"),
        refused("a guard behind optional mode without a token", "/maybe-guarded", [], 401, "malformed", "Bearer"),
        refused("any role: the member has none of them", "/any-role", bearer(token()), 403, "permission_denied"),
        ok("any role: the member is an owner", "/any-role", bearer(token(roles: ["owner"])), body: "ok"),
        refused("all roles: admin without billing", "/all-roles", bearer(token(roles: ["admin"])), 403, "permission_denied"),
        ok("all roles: admin and billing", "/all-roles", bearer(token(roles: ["admin", "billing"])), body: "ok"),
        refused("organization by ID: another organization", "/org-id", bearer(token(organizationID: "organization-test-other")), 403, "tenancy_mismatch"),
        ok("organization by ID", "/org-id", bearer(token()), body: "ok"),
        refused("organization by slug: no slug", "/org-slug", bearer(token(slug: nil)), 403, "tenancy_mismatch"),
        refused("a TOTP factor required, password only", "/totp", bearer(token()), 403, "permission_denied"),
        ok("a TOTP factor", "/totp", bearer(token(factors: ["password", "totp"])), body: "ok"),
        ok("authenticated within 120 s", "/recent-120", bearer(token()), body: "ok"),
        refused("authenticated within 30 s, a minute ago", "/recent-30", bearer(token()), 403, "permission_denied"),
        ok("an M2M token with the scope", "/m2m/users", bearer(m2m()), body: "m2m-client-test-1"),
        ok("an M2M token with the scope's wildcard", "/m2m/users", bearer(m2m(scope: "read:*")), body: "m2m-client-test-1"),
        refused("an M2M token without the scope", "/m2m/users", bearer(m2m(scope: "write:users")), 403, "insufficient_scope",
                "Bearer error=\"insufficient_scope\", scope=\"read:users\""),
        refused("a session JWT where M2M tokens are expected", "/m2m/users", bearer(token()), 401, "wrong_token_kind", invalidToken),
        refused("a Connected Apps token where M2M tokens are expected", "/m2m/users", bearer(connectedApps()), 401, "wrong_token_kind", invalidToken),
        refused("a session cookie where M2M tokens are expected: no token", "/m2m/users",
                [Header(name: "Cookie", value: "stytch_session_jwt=\(token())")], 401, "malformed", "Bearer"),
        ok("a session where sessions and M2M tokens are accepted", "/any/whoami", bearer(token()), body: "session|\(TestTokens.memberID)"),
        ok("an M2M token where sessions and M2M tokens are accepted", "/any/whoami", bearer(m2m()), body: "m2m|m2m-client-test-1"),
        refused("a Connected Apps token where sessions and M2M tokens are accepted", "/any/whoami", bearer(connectedApps()), 401, "wrong_token_kind", invalidToken),
        ok("a Connected Apps token whose scope grants the permission", "/apps/documents", bearer(connectedApps()), body: TestTokens.memberID),
        refused("a Connected Apps token whose scopes do not", "/apps/documents", bearer(connectedApps(scope: "openid")), 403, "permission_denied"),
        refused("an M2M token where Connected Apps tokens are expected", "/apps/documents", bearer(m2m()), 401, "wrong_token_kind", invalidToken),
        // A refreshed JWT goes back the way the old one came, never cached.
        ok("an expired bearer JWT refreshed: the fresh JWT in Stytch-Session-JWT", "/refreshing", bearer(expiredToken), body: TestTokens.memberID,
           headers: [.init(name: "stytch-session-jwt", rule: .equals(freshToken)), .init(name: "cache-control", rule: .equals("no-store")),
                     .init(name: "set-cookie", rule: .absent)]),
        ok("an expired session cookie refreshed: a Set-Cookie", "/refreshing", [Header(name: "Cookie", value: "stytch_session_jwt=\(expiredToken)")],
           body: TestTokens.memberID,
           headers: [.init(name: "set-cookie", rule: .hasPrefix("stytch_session_jwt=\(freshToken); Max-Age=")), .init(name: "cache-control", rule: .equals("no-store")),
                     .init(name: "stytch-session-jwt", rule: .absent)]),
        ok("a valid JWT where refreshing is on: no token in the answer", "/refreshing", bearer(token()), body: TestTokens.memberID,
           headers: [.init(name: "stytch-session-jwt", rule: .absent), .init(name: "set-cookie", rule: .absent)]),
        // The application's own identity, and a second authenticator after an optional Stytch one.
        ok("identity mapping: the handler gets the application's user", "/chained", bearer(token()), body: "member:\(TestTokens.memberID)"),
        ok("identity mapping from the session cookie", "/chained", [Header(name: "Cookie", value: "stytch_session_jwt=\(token())")], body: "member:\(TestTokens.memberID)"),
        ok("chaining: another scheme reaches the second authenticator", "/chained", [Header(name: "Authorization", value: "ApiKey abc")], body: "api-key:abc"),
        ok("chaining: a bearer API key (no JWT) reaches the second authenticator", "/chained", [Header(name: "Authorization", value: "Bearer sk_live_1234")],
           body: "api-key:sk_live_1234"),
        refused("chaining: a bad Stytch JWT is refused, never handed on", "/chained", bearer(token(key: TestJWKS.keyB)), 401, "invalid_signature", invalidToken),
        ok("chaining: no credential at all", "/chained", [], body: "anonymous"),
        refused("an expired JWT by another key is never refreshed", "/refreshing", bearer(token(issuedAt: TestTokens.issuedAt - 3600, key: TestJWKS.keyB)),
                401, "invalid_signature", invalidToken),
    ]

    /// The API key the second authenticator of `/chained` takes from an `Authorization` header:
    /// `ApiKey <key>`, or `Bearer sk_…` (a bearer value that is no JWT).
    public static func apiKey(fromAuthorization value: String) -> String? {
        if value.hasPrefix("ApiKey ") { return String(value.dropFirst(7)) }
        if value.hasPrefix("Bearer sk_") { return String(value.dropFirst(7)) }
        return nil
    }

    /// An expired scenario JWT (issued an hour before ``now``).
    static let expiredToken = token(issuedAt: TestTokens.issuedAt - 3600)

    /// What an adapter answered, normalized for comparison.
    public struct Answer: Sendable {
        public let status: Int
        /// Header values by lower-cased name.
        public let headers: [String: [String]]
        public let body: String

        public init(status: Int, headers: [(String, String)], body: String) {
            self.status = status
            self.headers = Dictionary(grouping: headers, by: { $0.0.lowercased() }).mapValues { $0.map(\.1) }
            self.body = body
        }
    }

    /// The differences between `answer` and what `scenario` expects; empty when they agree.
    public static func mismatches(_ answer: Answer, _ scenario: Scenario) -> [String] {
        var problems: [String] = []
        if answer.status != scenario.status { problems.append("status \(answer.status), expected \(scenario.status)") }
        if answer.headers["www-authenticate"] != scenario.wwwAuthenticate.map({ [$0] }) {
            problems.append("WWW-Authenticate \(answer.headers["www-authenticate"] ?? []), expected \(scenario.wwwAuthenticate ?? "none")")
        }
        if let code = scenario.code {
            let object = (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: [String: String]]
            if object?["error"]?["code"] != code { problems.append("body \(answer.body), expected code \(code)") }
            if object?["error"]?["message"]?.isEmpty != false { problems.append("body \(answer.body) has no message") }
            if answer.headers["cache-control"] != ["no-store"] { problems.append("Cache-Control \(answer.headers["cache-control"] ?? [])") }
            if answer.headers["content-type"]?.first?.hasPrefix("application/json") != true { problems.append("Content-Type \(answer.headers["content-type"] ?? [])") }
        }
        if let body = scenario.body, answer.body != body { problems.append("body \(answer.body), expected \(body)") }
        for check in scenario.responseHeaders {
            let values = answer.headers[check.name] ?? []
            switch check.rule {
            case .equals(let value) where values != [value]: problems.append("\(check.name) \(values.count) value(s), expected one")
            case .hasPrefix(let prefix) where !(values.count == 1 && values[0].hasPrefix(prefix)): problems.append("\(check.name) lacks its expected start")
            case .absent where !values.isEmpty: problems.append("\(check.name) present, expected absent")
            default: break
            }
        }
        return problems
    }
}

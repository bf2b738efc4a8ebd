import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import HummingbirdTesting
import StytchJWTHummingbird
import StytchJWTTestSupport
import Testing

/// Stytch's rules as hummingbird-auth policies, mixed with hummingbird-auth's own (`RolePolicy`,
/// `anyOf`, `allOf`, `Not`) on an application's identity type.
@Suite("Hummingbird: Stytch rules as hummingbird-auth policies")
struct AuthorizationPolicyTests {
    struct User: StytchIdentity, RoleProviding {
        let session: VerifiedSession
        var stytchCredential: StytchCredential { .session(session) }
        var roles: Set<StytchRole> { stytchRoles }
    }

    typealias AppContext = TestAppContext<User>

    /// Grants `documents`/`edit` to editors; `unavailable` stands for an RBAC policy that could not be fetched.
    struct EditorAuthorizer: StytchPermissionAuthorizing {
        var unavailable = false
        func authorize(_ session: VerifiedSession, _ check: AuthorizationCheck) async throws(StytchJWTError) -> [String] {
            if unavailable { throw StytchJWTError(.stytchAPIError, "the RBAC policy is unavailable") }
            guard session.organizationID.hasSameUTF8(as: check.organizationID) else { throw StytchJWTError(.tenancyMismatch, "another organization") }
            guard session.roles.containsUTF8("editor"), check.resourceID.hasSameUTF8(as: "documents"), check.action.hasSameUTF8(as: "edit") else {
                throw StytchJWTError(.permissionDenied, "not an editor")
            }
            return ["editor"]
        }
        func authorize(accessToken: VerifiedAccessToken, _ check: AuthorizationCheck) async throws(StytchJWTError) {
            throw StytchJWTError(.permissionDenied, "no scopes")
        }
    }

    static func app() throws -> some ApplicationProtocol {
        let router = Router(context: AppContext.self)
        let members = router.group().add(middleware: StytchIdentityAuthenticator<AppContext>(verifier: try AdapterScenarios.verifier()) { session, _ in
            User(session: session)
        })
        members.group().add(middleware: AuthorizationPolicyMiddleware(anyOf {
            StytchSessionPolicy(.mfaCompleted)
            RolePolicy("owner")
        }, deniedError: StytchHTTPError.permissionDenied)).get("/mfa-or-owner") { _, _ in "ok" }
        members.group().add(middleware: AuthorizationPolicyMiddleware(allOf {
            RolePolicy("admin")
            Not(RolePolicy("banned"))
        })).get("/admin-not-banned") { _, _ in "ok" }
        members.group().add(middleware: AuthorizationPolicyMiddleware(
            StytchSessionPolicy(.authenticatedWithin(seconds: 30), clock: { AdapterScenarios.now })
        )).get("/recent") { _, _ in "ok" }
        members.group().add(middleware: AuthorizationPolicyMiddleware(
            StytchPermissionPolicy(authorizer: EditorAuthorizer(), resource: "documents", action: "edit")
        )).get("/edit") { _, _ in "ok" }
        members.group().add(middleware: AuthorizationPolicyMiddleware(
            Not(StytchPermissionPolicy(authorizer: EditorAuthorizer(unavailable: true), resource: "documents", action: "edit"))
        )).get("/not-edit-outage") { _, _ in "ok" }
        members.group().add(middleware: AuthorizationPolicyMiddleware(StytchScopePolicy(["read:users"]))).get("/scoped") { _, _ in "ok" }
        return Application(router: router)
    }

    static func get(_ path: String, roles: [String] = ["stytch_member"], factors: [String] = ["password"]) async throws -> (status: Int, code: String?) {
        let token = TestTokens.token(kid: AdapterScenarios.kid, key: TestJWKS.keyA, roles: roles, factors: factors)
        return try await Self.app().test(.router) { client in
            let response = try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(token)"])
            let object = try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: [String: String]]
            return (Int(response.status.code), object?["error"]?["code"])
        }
    }

    @Test("anyOf a Stytch rule and a RolePolicy; a denial answered with the library's body")
    func anyOfStytchAndRole() async throws {
        #expect(try await Self.get("/mfa-or-owner") == (403, "permission_denied"))
        #expect(try await Self.get("/mfa-or-owner", factors: ["password", "totp"]) == (200, nil))
        #expect(try await Self.get("/mfa-or-owner", roles: ["owner"]) == (200, nil))
    }

    @Test("RolePolicy and Not over the session's roles, compared byte for byte")
    func rolesOfTheSession() async throws {
        #expect(try await Self.get("/admin-not-banned", roles: ["admin"]).status == 200)
        #expect(try await Self.get("/admin-not-banned", roles: ["admin", "banned"]).status == 403)
        #expect(try await Self.get("/admin-not-banned", roles: ["stytch_member"]).status == 403)
        // "é" precomposed and decomposed are equal as Strings, not as bytes.
        #expect(User.Roles(["\u{E9}"]).contains(StytchRole("e\u{301}")) == false)
        #expect(User.Roles(["admin"]).contains("admin"))
    }

    @Test("a time rule as a policy reads its clock")
    func timeRule() async throws {
        #expect(try await Self.get("/recent").status == 403)  // authenticated a minute before the clock
    }

    @Test("a permission policy grants, denies, and throws (never passes) when the RBAC policy is unavailable, even under Not")
    func permission() async throws {
        #expect(try await Self.get("/edit", roles: ["editor"]).status == 200)
        #expect(try await Self.get("/edit").status == 403)
        #expect(try await Self.get("/not-edit-outage") == (503, "stytch_api_error"))
    }

    @Test("a scope policy: a session has no scopes")
    func scopes() async throws {
        #expect(try await Self.get("/scoped").status == 403)
    }
}

import Foundation
import StytchJWT
import StytchJWTTestSupport
import Testing

/// M2M scope checks and Connected Apps authorization against stytch-python 15.3.0's own answers
/// (Fixtures/sdk-reference/m2m-scopes.json and connected-apps.json), through the whole path: a
/// signed token, the verifier, and the authorizer.
@Suite("Access tokens agree with stytch-python")
struct AccessTokenReferenceTests {
    struct M2MCase: Decodable, Sendable, CustomTestStringConvertible {
        struct PerScope: Decodable, Sendable { let scope: String; let result: String }
        let description: String
        let token_scope: String
        let required_scopes: [String]?
        let token_scopes: [String]?
        let per_required_scope: [PerScope]
        let missing: [String]?
        let outcome: String
        var testDescription: String { description }
    }

    struct ConnectedAppsCase: Decodable, Sendable, CustomTestStringConvertible {
        struct Token: Decodable, Sendable { let scope: String; let organization_id: String }
        struct Check: Decodable, Sendable { let organization_id: String; let resource_id: String; let action: String }
        let description: String
        let policy: String
        let token: Token
        let check: Check
        let token_scopes: [String]
        let outcome: String
        var testDescription: String { description }
    }

    struct Policies: Decodable, Sendable {
        let project_policy: RBACPolicy
    }

    struct File<Case: Decodable & Sendable>: Decodable, Sendable {
        let cases: [Case]
        let policies: [String: Policies]?
    }

    static let m2m = try! JSONDecoder().decode(File<M2MCase>.self, from: PackageFiles.data("Fixtures/sdk-reference/m2m-scopes.json"))
    static let connectedApps = try! JSONDecoder().decode(File<ConnectedAppsCase>.self, from: PackageFiles.data("Fixtures/sdk-reference/connected-apps.json"))

    @Test("the reference tables are all there")
    func tablesLoad() {
        #expect(Self.m2m.cases.count >= 60)
        #expect(Self.connectedApps.cases.count >= 50)
    }

    @Test("M2M: granted and denied as the SDK decides; where the SDK raises on a second ':', the scopes it answered agree", arguments: m2m.cases)
    func m2mCase(_ reference: M2MCase) throws {
        var payload = TokenFactory.payload(removing: TokenFactory.organizationClaim, from: TokenFactory.payload(removing: TokenFactory.sessionClaim))
        payload["sub"] = .string("m2m-client-test-reference")
        payload["scope"] = .string(reference.token_scope)
        let token = TokenFactory.token(payload: payload)
        let required = reference.required_scopes ?? []
        if let parsed = reference.token_scopes { #expect(M2MScopes.parse(reference.token_scope) == parsed) }
        let missing = M2MScopes.missing(required: required, granted: M2MScopes.parse(reference.token_scope))
        switch reference.outcome {
        case "granted":
            #expect(throws: Never.self) { try TokenFactory.verifier().verify(m2mToken: token, requiredScopes: required) }
        case "denied":
            let error = #expect(throws: StytchJWTError.self) { try TokenFactory.verifier().verify(m2mToken: token, requiredScopes: required) }
            #expect(error?.code == .insufficientScope)
            // We name every missing scope; the SDK stops at the first it finds missing.
            let named = Set(error?.missingScopes ?? [])
            #expect(Set(reference.missing ?? []).isSubset(of: named))
            #expect(named.isSubset(of: Set(required)))
            #expect(error?.missingScopes.first == reference.missing?.first)
        default:
            // Deliberate difference (the migration guide): the SDK raises on a scope with two ':'; we keep
            // everything after the first ':' as the resource and answer. Every required scope the
            // SDK did answer before raising gets the same answer here.
            #expect(reference.outcome == "error")
            for answered in reference.per_required_scope where answered.result != "error" {
                #expect(missing.contains(answered.scope) == (answered.result == "denied"), "\(answered.scope)")
            }
        }
    }

    /// A fixed policy source holding the project policy.
    struct FixedPolicy: RBACPolicySource {
        let policy: RBACPolicy
        func rbacPolicy() async throws(StytchJWTError) -> RBACPolicy { policy }
        func organizationPolicy(organizationID: String) async throws(StytchJWTError) -> OrganizationRBACPolicy { OrganizationRBACPolicy(roles: []) }
    }

    @Test("Connected Apps: allowed, tenancy_mismatch and permission_denied as the SDK decides", arguments: connectedApps.cases)
    func connectedAppsCase(_ reference: ConnectedAppsCase) async throws {
        let policy = try #require(Self.connectedApps.policies?[reference.policy]?.project_policy)
        var payload = TokenFactory.payload(removing: TokenFactory.sessionClaim)
        payload["scope"] = .string(reference.token.scope)
        payload = TokenFactory.payload(setting: TokenFactory.organizationClaim, "organization_id", to: .string(reference.token.organization_id), in: payload)
        let signed = TokenFactory.token(payload: payload)
        if reference.token.organization_id.isEmpty {
            // Deliberate difference (the migration guide): an empty organization ID makes the token malformed
            // here; the SDK reads it and then fails the tenancy check.
            #expect(reference.outcome == "tenancy_mismatch")
            await #expect(throws: StytchJWTError(.malformed, "")) { try await TokenFactory.verifier().verify(accessToken: signed) }
            return
        }
        let token = try await TokenFactory.verifier().verify(accessToken: signed)
        #expect(token.scopes == reference.token_scopes)
        let authorizer = StytchRBACAuthorizer(policies: StytchRBACPolicyCache(source: FixedPolicy(policy: policy)))
        let check = AuthorizationCheck(organizationID: reference.check.organization_id, resourceID: reference.check.resource_id, action: reference.check.action)
        let ours: String
        do {
            try await authorizer.authorize(accessToken: token, check)
            ours = "allowed"
        } catch {
            ours = error.code.description
        }
        #expect(ours == reference.outcome)
    }
}

import Foundation
import StytchJWT
import StytchJWTTestSupport
import Testing

/// Our local RBAC against stytch-python 15.3.0's own `rbac_local` (Fixtures/sdk-reference/rbac.json,
/// recorded by Fixtures/make_sdk_reference.py). Same answer for every case, except the documented
/// differences of the roles claim (the migration guide, `MigratingFromStytchSDKs.md`).
@Suite("RBAC agrees with stytch-python")
struct RBACReferenceTests {
    struct Policies: Decodable {
        let project: RBACPolicy
        let organizations: [String: OrganizationRBACPolicy]
        enum CodingKeys: String, CodingKey { case project = "project_policy", organizations = "org_policies" }
    }

    struct Case: Decodable, CustomTestStringConvertible {
        struct Session: Decodable {
            let organizationID: String
            let roles: JSONValue
            enum CodingKeys: String, CodingKey { case organizationID = "organization_id", roles }
        }
        struct Check: Decodable {
            let organizationID: String
            let resourceID: String
            let action: String
            enum CodingKeys: String, CodingKey { case organizationID = "organization_id", resourceID = "resource_id", action }
        }
        let description: String
        let policy: String
        let session: Session
        let check: Check
        let outcome: String
        var testDescription: String { description }
    }

    struct Reference: Decodable {
        let policies: [String: Policies]
        let cases: [Case]
    }

    static let reference: Reference = {
        try! JSONDecoder().decode(Reference.self, from: PackageFiles.data("Fixtures/sdk-reference/rbac.json"))
    }()

    /// A fixed policy source: what Stytch's API would answer.
    struct FixedPolicies: RBACPolicySource {
        let policies: Policies
        func rbacPolicy() async throws(StytchJWTError) -> RBACPolicy { policies.project }
        func organizationPolicy(organizationID: String) async throws(StytchJWTError) -> OrganizationRBACPolicy {
            for (id, policy) in policies.organizations where id.hasSameUTF8(as: organizationID) { return policy }
            return OrganizationRBACPolicy(roles: [])
        }
    }

    @Test("the reference table is all there")
    func tableLoads() {
        #expect(Self.reference.cases.count >= 50)
        #expect(Set(Self.reference.cases.map(\.outcome)) == ["allowed", "permission_denied", "tenancy_mismatch", "invalid_roles_claim"])
    }

    @Test("each case: our answer is the SDK's", arguments: reference.cases)
    func agrees(_ reference: Case) async throws {
        let policies = try #require(Self.reference.policies[reference.policy])
        let authorizer = StytchRBACAuthorizer(policies: StytchRBACPolicyCache(source: FixedPolicies(policies: policies)))
        let payload = TokenFactory.payload(
            setting: TokenFactory.organizationClaim, "organization_id", to: .string(reference.session.organizationID),
            in: TokenFactory.payload(setting: TokenFactory.sessionClaim, "roles", to: reference.session.roles == .null ? nil : reference.session.roles)
        )
        let check = AuthorizationCheck(
            organizationID: reference.check.organizationID, resourceID: reference.check.resourceID, action: reference.check.action
        )
        let session: VerifiedSession
        do {
            session = try await TokenFactory.verifier().verify(sessionJWT: TokenFactory.token(payload: payload))
        } catch {
            // Deliberate difference: a roles claim that is not an array of strings makes the JWT
            // malformed here (SPEC §2), before any authorization; the SDK raises ValueError.
            #expect(reference.outcome == "invalid_roles_claim")
            #expect(error.code == .malformed)
            return
        }
        let ours: String
        do {
            _ = try await authorizer.authorize(session, check)
            ours = "allowed"
        } catch {
            ours = error.code.description
        }
        if reference.outcome == "invalid_roles_claim" {
            // Deliberate difference: an absent roles claim is an empty list (SPEC §2): the
            // tenancy check still comes first, then no role can grant anything.
            #expect(reference.session.roles == .null)
            let sameOrganization = reference.session.organizationID.hasSameUTF8(as: reference.check.organizationID)
            #expect(ours == (sameOrganization ? "permission_denied" : "tenancy_mismatch"))
        } else {
            #expect(ours == reference.outcome)
        }
    }
}

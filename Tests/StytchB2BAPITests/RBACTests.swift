import Foundation
import StytchJWT
import StytchJWTTestSupport
import Testing

/// Local RBAC with Stytch's semantics, with policies from the stand-in server.
@Suite struct RBACTests {
    static let kid = "jwk-test-rbac-a"
    static let key = TestJWKS.keyA
    static let otherOrganization = "organization-test-00000000-0000-4000-8000-0000000000aa"

    static let verifier = try! StytchJWTVerifier(
        configuration: .init(projectID: TestTokens.projectID, clock: { Date(timeIntervalSince1970: TestTokens.now) }),
        keys: TestTokens.keySet(kid: kid, key: key)
    )

    /// A verified session with `roles` (nil: a token with no roles claim at all).
    static func session(roles: [String]?, organizationID: String = TestTokens.organizationID) throws -> VerifiedSession {
        var payload = TestTokens.payload(organizationID: organizationID, roles: roles ?? [])
        if roles == nil, var claim = payload["https://stytch.com/session"]?.objectValue {
            claim["roles"] = nil
            payload["https://stytch.com/session"] = .object(claim)
        }
        return try verifier.verify(sessionJWT: TestTokens.token(kid: kid, key: key, payload: payload))
    }

    static func check(_ resource: String, _ action: String, organizationID: String = TestTokens.organizationID) -> AuthorizationCheck {
        AuthorizationCheck(organizationID: organizationID, resourceID: resource, action: action)
    }

    static func authorizer(_ standIn: StytchStandIn, clock: ManualClock = ManualClock(), organizationPolicies: Bool = true) throws -> StytchRBACAuthorizer {
        var configuration = StytchRBACPolicyCache.Configuration()
        configuration.organizationPolicies = organizationPolicies
        let client = try StytchB2BClient(projectID: standIn.projectID, secret: standIn.secret, baseURL: standIn.baseURL, timeout: 20)
        return StytchRBACAuthorizer(policies: StytchRBACPolicyCache(source: client, configuration: configuration, clock: clock.clock))
    }

    static func withStandIn(_ body: (StytchStandIn) async throws -> Void) async throws {
        try await withStytchStandIn(kid: kid, signingKey: key) { standIn in
            standIn.setOrganizationPolicy(TestTokens.organizationID, StytchStandIn.organizationPolicy([
                StytchStandIn.role("auditor", [("reports", ["read"])]),
                StytchStandIn.role("editor", [("invoices", ["approve"])]),
            ]))
            try await body(standIn)
        }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let roles: [String]?
        let check: AuthorizationCheck
        let sessionOrganization: String
        let allowed: [String]?
        let code: StytchJWTError.Code?
        var testDescription: String { name }

        init(_ name: String, roles: [String]?, _ check: AuthorizationCheck, sessionOrganization: String = TestTokens.organizationID,
             allowedBy: [String]? = nil, denied code: StytchJWTError.Code? = nil) {
            self.name = name
            self.roles = roles
            self.check = check
            self.sessionOrganization = sessionOrganization
            self.allowed = allowedBy
            self.code = code
        }
    }

    static let truthTable: [Row] = [
        Row("exact action", roles: ["editor"], check("documents", "write"), allowedBy: ["editor"]),
        Row("wildcard action", roles: ["editor"], check("reports", "delete"), allowedBy: ["editor"]),
        Row("wildcard on a Stytch resource", roles: ["stytch_admin"], check("stytch.member", "update.settings.roles"), allowedBy: ["stytch_admin"]),
        Row("action not granted", roles: ["stytch_member"], check("documents", "write"), denied: .permissionDenied),
        Row("wrong resource", roles: ["stytch_member"], check("reports", "read"), denied: .permissionDenied),
        Row("resource id is exact", roles: ["editor"], check("Documents", "write"), denied: .permissionDenied),
        Row("action is exact", roles: ["stytch_member"], check("documents", "read.all"), denied: .permissionDenied),
        Row("a literal * action needs a * grant", roles: ["stytch_member"], check("documents", "*"), denied: .permissionDenied),
        Row("unknown role", roles: ["ghost"], check("documents", "read"), denied: .permissionDenied),
        Row("unknown role beside a granting one", roles: ["ghost", "stytch_member"], check("documents", "read"), allowedBy: ["stytch_member"]),
        Row("every granting role named", roles: ["stytch_member", "editor"], check("documents", "read"), allowedBy: ["stytch_member", "editor"]),
        Row("organization role merged", roles: ["auditor"], check("reports", "read"), allowedBy: ["auditor"]),
        Row("organization adds to a project role", roles: ["editor"], check("invoices", "approve"), allowedBy: ["editor"]),
        Row("organization role not in another organization", roles: ["auditor"],
            check("reports", "read", organizationID: otherOrganization), sessionOrganization: otherOrganization, denied: .permissionDenied),
        Row("tenancy mismatch", roles: ["stytch_admin"], check("stytch.member", "delete", organizationID: otherOrganization),
            denied: .tenancyMismatch),
        Row("empty roles claim", roles: [], check("documents", "read"), denied: .permissionDenied),
        Row("no roles claim", roles: nil, check("documents", "read"), denied: .permissionDenied),
    ]

    @Test(arguments: truthTable)
    func decides(_ row: Row) async throws {
        try await Self.withStandIn { standIn in
            let authorizer = try Self.authorizer(standIn)
            let session = try Self.session(roles: row.roles, organizationID: row.sessionOrganization)
            if let allowed = row.allowed {
                let granting = try await authorizer.authorize(session, row.check)
                #expect(granting == allowed)
            } else {
                await #expect(throws: StytchJWTError(try #require(row.code), "")) { try await authorizer.authorize(session, row.check) }
            }
            if row.code == .tenancyMismatch || row.roles?.isEmpty != false {
                #expect(standIn.totalCalls == 0, "decided before any policy is needed")
            }
        }
    }

    @Test func policiesAreCachedForTheirTTLAndRefetchedAfter() async throws {
        try await Self.withStandIn { standIn in
            let clock = ManualClock()
            let authorizer = try Self.authorizer(standIn, clock: clock)
            let editor = try Self.session(roles: ["editor"])
            for _ in 0..<20 { try await authorizer.authorize(editor, Self.check("documents", "write")) }
            #expect(standIn.policyCalls == 1)
            #expect(standIn.organizationPolicyCalls(TestTokens.organizationID) == 1)
            clock.advance(by: 599)
            try await authorizer.authorize(editor, Self.check("documents", "write"))
            #expect(standIn.policyCalls == 1)
            // A changed policy is seen once the TTL has passed.
            standIn.setPolicy(.object(["policy": .object(["roles": .array([StytchStandIn.role("editor", [("documents", ["read"])])])])]))
            clock.advance(by: 2)
            await #expect(throws: StytchJWTError(.permissionDenied, "")) {
                try await authorizer.authorize(editor, Self.check("documents", "write"))
            }
            #expect(standIn.policyCalls == 2)
            #expect(standIn.organizationPolicyCalls(TestTokens.organizationID) == 2)
            #expect(await authorizer.policies.fetchCount == 4)
        }
    }

    @Test func concurrentChecksShareOneFetch() async throws {
        try await Self.withStandIn { standIn in
            let authorizer = try Self.authorizer(standIn)
            let member = try Self.session(roles: ["stytch_member"])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<200 {
                    group.addTask { try await authorizer.authorize(member, Self.check("documents", "read")) }
                }
                try await group.waitForAll()
            }
            #expect(standIn.policyCalls == 1)
            #expect(standIn.organizationPolicyCalls(TestTokens.organizationID) == 1)
        }
    }

    @Test func theLastGoodPolicyAnswersWhileFetchesFail() async throws {
        try await Self.withStandIn { standIn in
            let clock = ManualClock()
            let authorizer = try Self.authorizer(standIn, clock: clock)
            let editor = try Self.session(roles: ["editor"])
            try await authorizer.authorize(editor, Self.check("documents", "write"))
            standIn.setPolicyFault((status: 500, errorType: "internal_server_error"))
            clock.advance(by: 601)
            // Stale but good: still allowed, and still denied what it denied.
            try await authorizer.authorize(editor, Self.check("documents", "write"))
            await #expect(throws: StytchJWTError(.permissionDenied, "")) { try await authorizer.authorize(editor, Self.check("billing", "read")) }
            #expect(standIn.policyCalls == 2)
            // No new attempt before the retry interval.
            clock.advance(by: 29)
            try await authorizer.authorize(editor, Self.check("documents", "write"))
            #expect(standIn.policyCalls == 2)
            clock.advance(by: 2)
            try await authorizer.authorize(editor, Self.check("documents", "write"))
            #expect(standIn.policyCalls == 3)
            // Recovery.
            standIn.setPolicyFault(nil)
            clock.advance(by: 31)
            try await authorizer.authorize(editor, Self.check("documents", "write"))
            #expect(standIn.policyCalls == 4)
            // Beyond the maximum staleness, a failing source means no answer at all.
            standIn.setPolicyFault((status: 503, errorType: "service_unavailable"))
            clock.advance(by: 600 + 86_400 + 1)
            await #expect(throws: StytchJWTError(.stytchAPIError, "")) { try await authorizer.authorize(editor, Self.check("documents", "write")) }
        }
    }

    @Test func withoutAnyPolicyNothingIsAllowed() async throws {
        try await Self.withStandIn { standIn in
            standIn.setPolicyFault((status: 401, errorType: "unauthorized_credentials"))
            let authorizer = try Self.authorizer(standIn)
            let admin = try Self.session(roles: ["stytch_admin"])
            let error = await #expect(throws: StytchJWTError.self) { try await authorizer.authorize(admin, Self.check("stytch.member", "delete")) }
            #expect(error?.code == .stytchAPIError)
            #expect(error?.apiFailure?.statusCode == 401)
            #expect(error?.apiFailure?.errorType == "unauthorized_credentials")
            // The failure is remembered for the retry interval: a flood of checks is one request.
            for _ in 0..<50 { _ = try? await authorizer.authorize(admin, Self.check("stytch.member", "delete")) }
            #expect(standIn.policyCalls == 1)
        }
    }

    @Test func anOrganizationWithoutAPolicyAddsNoRolesAndIsCached() async throws {
        try await Self.withStandIn { standIn in
            let authorizer = try Self.authorizer(standIn)
            let auditor = try Self.session(roles: ["auditor"], organizationID: Self.otherOrganization)
            let member = try Self.session(roles: ["stytch_member"], organizationID: Self.otherOrganization)
            await #expect(throws: StytchJWTError(.permissionDenied, "")) {
                try await authorizer.authorize(auditor, Self.check("reports", "read", organizationID: Self.otherOrganization))
            }
            try await authorizer.authorize(member, Self.check("documents", "read", organizationID: Self.otherOrganization))
            #expect(standIn.organizationPolicyCalls(Self.otherOrganization) == 1)
        }
    }

    @Test func organizationPoliciesCanBeTurnedOff() async throws {
        try await Self.withStandIn { standIn in
            let authorizer = try Self.authorizer(standIn, organizationPolicies: false)
            let auditor = try Self.session(roles: ["auditor"])
            await #expect(throws: StytchJWTError(.permissionDenied, "")) { try await authorizer.authorize(auditor, Self.check("reports", "read")) }
            #expect(standIn.organizationPolicyCalls(TestTokens.organizationID) == 0)
            #expect(standIn.policyCalls == 1)
        }
    }

    @Test func policyDocumentsDecodeStytchsShapes() async throws {
        try await Self.withStandIn { standIn in
            let client = try StytchB2BClient(projectID: standIn.projectID, secret: standIn.secret, baseURL: standIn.baseURL)
            let policy = try await client.rbacPolicy()
            #expect(policy.roles.map(\.roleID) == ["stytch_admin", "stytch_member", "editor", "viewer"])
            #expect(policy.resources.map(\.resourceID) == ["documents", "reports"])
            #expect(policy.roles[2].permissions == [
                RBACPermission(resourceID: "documents", actions: ["read", "write"]), RBACPermission(resourceID: "reports", actions: ["*"]),
            ])
            let organization = try await client.organizationPolicy(organizationID: TestTokens.organizationID)
            #expect(organization.roles.map(\.roleID) == ["auditor", "editor"])
            let missing = await #expect(throws: StytchJWTError.self) { try await client.organizationPolicy(organizationID: Self.otherOrganization) }
            #expect(missing?.apiFailure?.statusCode == 404)
        }
    }
}

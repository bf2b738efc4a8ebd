import Foundation
import MetricsTestKit
import StytchJWT
import StytchJWTTestSupport
import Testing

/// Stytch API calls and RBAC policy fetches are counted and timed through swift-metrics.
@Suite("Stytch API metrics")
struct APIMetricsTests {
    @Test("each API call is counted by endpoint and outcome and timed; each policy fetch is counted")
    func counted() async throws {
        let metrics = MetricsBootstrap.testMetrics
        try await withStytchStandIn(kid: TestJWKS.randomKid(), signingKey: TestJWKS.keyA) { standIn in
            let client = try StytchB2BClient(projectID: standIn.projectID, secret: standIn.secret, baseURL: standIn.baseURL, timeout: 20)
            let wrongSecret = try StytchB2BClient(projectID: standIn.projectID, secret: "wrong-secret", baseURL: standIn.baseURL, timeout: 20)
            func value(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
                (try? metrics.expectCounter(label, dimensions).totalValue) ?? 0
            }
            let successes = value("stytch_api_requests_total", [("endpoint", "rbac/policy"), ("outcome", "success")])
            let failures = value("stytch_api_requests_total", [("endpoint", "rbac/policy"), ("outcome", "http_4xx")])
            let fetches = value("stytch_rbac_policy_fetches_total", [("policy", "project"), ("outcome", "success")])
            _ = try await client.rbacPolicy()
            _ = try await client.rbacPolicy()
            await #expect(throws: StytchJWTError(.stytchAPIError, "")) { try await wrongSecret.rbacPolicy() }
            let authorizer = StytchRBACAuthorizer(client: client)
            _ = try await authorizer.policies.projectPolicy()
            #expect(value("stytch_api_requests_total", [("endpoint", "rbac/policy"), ("outcome", "success")]) >= successes + 3)
            #expect(value("stytch_api_requests_total", [("endpoint", "rbac/policy"), ("outcome", "http_4xx")]) >= failures + 1)
            #expect(value("stytch_rbac_policy_fetches_total", [("policy", "project"), ("outcome", "success")]) >= fetches + 1)
            let timer = try metrics.expectTimer("stytch_api_request_duration_seconds", [("endpoint", "rbac/policy")])
            #expect(timer.values.count >= 4)
        }
    }
}

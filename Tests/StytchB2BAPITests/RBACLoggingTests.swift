import Foundation
import StytchJWT
import StytchJWTTestSupport
import Testing

/// The RBAC policy cache logs per swift-log's library guidance: a warning when fetches of a policy
/// start failing, debug for the retries of the same outage, info once when it recovers.
@Suite("RBAC policy fetch logging")
struct RBACLoggingTests {
    /// A policy source that fails while `failing` is set.
    final class FlakySource: RBACPolicySource {
        let failing = LockedState(true)
        func rbacPolicy() async throws(StytchJWTError) -> RBACPolicy {
            if failing.withLock({ $0 }) { throw StytchJWTError(.stytchAPIError, "Stytch answered 500") }
            return RBACPolicy(roles: [], scopes: [])
        }
        func organizationPolicy(organizationID: String) async throws(StytchJWTError) -> OrganizationRBACPolicy {
            OrganizationRBACPolicy(roles: [])
        }
    }

    @Test("one warning per outage, retries at debug, the recovery at info")
    func levelsPerStateChange() async throws {
        let source = FlakySource(), clock = ManualClock(), logs = CapturedLogs()
        let policies = StytchRBACPolicyCache(source: source, clock: clock.clock, logger: logs.logger)
        func attempt() async {
            _ = try? await policies.projectPolicy()
            clock.advance(by: policies.configuration.retryInterval + 1)
        }
        func levels() -> [String] {
            logs.records.filter { ["RBAC policy fetch failed", "RBAC policy fetch recovered"].contains($0.message) }.map { "\($0.level)" }
        }

        for _ in 0..<3 { await attempt() }
        #expect(levels() == ["warning", "debug", "debug"])
        source.failing.withLock { $0 = false }
        await attempt()
        #expect(levels() == ["warning", "debug", "debug", "info"])
        // A new outage after the policy's TTL: a warning again.
        source.failing.withLock { $0 = true }
        clock.advance(by: policies.configuration.ttl + 1)
        await attempt()
        await attempt()
        #expect(levels() == ["warning", "debug", "debug", "info", "warning", "debug"])
    }
}

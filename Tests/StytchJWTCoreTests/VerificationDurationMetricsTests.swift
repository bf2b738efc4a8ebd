import Foundation
import MetricsTestKit
import StytchJWTCore
import StytchJWTTestSupport
import StytchJWTTesting
import Testing

/// Each session JWT verification is timed under its outcome (`ok` or the error code), through
/// swift-metrics. The metrics system is process-wide and other suites verify at the same time, so
/// the checks count what this test added at least.
@Suite("Verification duration metric")
struct VerificationDurationMetricsTests {
    @Test("verifications are timed by outcome: ok, or the error code; sync and async, cached or not")
    func durationByOutcome() async throws {
        let metrics = MetricsBootstrap.testMetrics
        let verifier = try TokenFactory.verifier()  // after the bootstrap: its timers report to the test backend
        let ok = try metrics.expectTimer("stytch_jwt_verification_duration_seconds", [("outcome", "ok")])
        let expired = try metrics.expectTimer("stytch_jwt_verification_duration_seconds", [("outcome", "expired")])
        let badSignature = try metrics.expectTimer("stytch_jwt_verification_duration_seconds", [("outcome", "invalid_signature")])
        let (okBefore, expiredBefore, badBefore) = (ok.values.count, expired.values.count, badSignature.values.count)

        let token = TokenFactory.token()
        let verifySync: (String) throws -> VerifiedSession = { try verifier.verify(sessionJWT: $0) }
        _ = try verifySync(token)
        _ = try verifySync(token)  // from the token cache
        _ = try await verifier.verify(sessionJWT: token)
        #expect(throws: StytchJWTError.self) { try verifySync(TokenFactory.token(payload: TokenFactory.payload(setting: "exp", to: TokenFactory.int(TokenFactory.iat + 1)))) }
        await #expect(throws: StytchJWTError.self) { try await verifier.verify(sessionJWT: TestTokens.withBrokenSignature(token)) }

        #expect(ok.values.count >= okBefore + 3)
        #expect(expired.values.count >= expiredBefore + 1)
        #expect(badSignature.values.count >= badBefore + 1)
        #expect(ok.values.allSatisfy { $0 >= 0 })
        #expect(ok.values.contains { $0 > 0 })  // a verification takes some time
    }
}

import StytchJWTTestSupport
import Testing

/// The built `stytch-jwt-vapor-example` as a child process, over loopback, against the loopback
/// JWKS server: real sockets, real clock, a real key rotation (the scenario is shared with the
/// other adapter's live test: `LiveExampleScenario`).
@Suite struct VaporLiveExampleTests {
    @Test(.timeLimit(.minutes(3)))
    func exampleServesAndFollowsAKeyRotation() async throws {
        let lines = try await LiveExampleScenario.run(executable: "stytch-jwt-vapor-example")
        #expect(lines == LiveExampleScenario.expected, "\(lines.joined(separator: "\n"))")
    }
}

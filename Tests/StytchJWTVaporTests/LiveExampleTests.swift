import Foundation
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

    @Test("SIGTERM and SIGINT stop the example cleanly (exit 0), and a request logs nothing at the default level",
          .timeLimit(.minutes(3)), arguments: [SIGTERM, SIGINT])
    func cleanShutdown(_ signal: Int32) async throws {
        let result = try await LiveExampleScenario.shutdown(executable: "stytch-jwt-vapor-example", signal: signal)
        #expect(result.status == 200)
        #expect(result.ended == "exit 0")
        #expect(result.logBytes == 0)
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StytchJWTTestSupport
import Testing

/// The built `stytch-jwt-hummingbird-example` as a child process, over loopback, against the
/// loopback JWKS server: real sockets, real clock, a real key rotation.
@Suite struct HummingbirdLiveExampleTests {
    @Test(.timeLimit(.minutes(3)))
    func exampleServesAndFollowsAKeyRotation() async throws {
        let statuses = try await LiveScenario.run(executable: "stytch-jwt-hummingbird-example")
        print("hummingbird live statuses: \(statuses.map { "\($0.step)=\($0.status)" }.joined(separator: " "))")
    }
}

/// The live scenario shared in shape with the Vapor target's: /health, /me by bearer and cookie,
/// 401 without a token, /admin 403 then 200, /maybe, then a key rotation.
enum LiveScenario {
    struct Seen: Sendable {
        let step: String
        let status: Int
    }

    static func run(executable: String) async throws -> [Seen] {
        let kidA = TestJWKS.randomKid(), kidB = TestJWKS.randomKid()
        let path = "/v1/b2b/sessions/jwks/\(TestTokens.projectID)"
        return try await withJWKSTestServer(responding: .json(TestJWKS.document([(kidA, TestJWKS.keyA)]))) { jwks in
            let environment = ["STYTCH_PROJECT_ID": TestTokens.projectID, "STYTCH_JWKS_URL": jwks.url(path: path), "PORT": "0"]
            return try await withExampleServer(executable, environment: environment) { server in
                var seen: [Seen] = []
                func get(_ step: String, _ route: String, _ headers: [(String, String)] = []) async throws -> (status: Int, body: String) {
                    var request = HTTPClientRequest(url: server.baseURL + route)
                    for (name, value) in headers { request.headers.add(name: name, value: value) }
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
                    let body = try await response.body.collect(upTo: 1 << 16)
                    seen.append(Seen(step: step, status: Int(response.status.code)))
                    return (Int(response.status.code), String(buffer: body))
                }
                // Tokens issued a few seconds ago, so the example's real clock accepts them.
                let issuedAt = TestTokens.currentUnixTime() - 5
                let member = TestTokens.token(kid: kidA, key: TestJWKS.keyA, issuedAt: issuedAt)
                let admin = TestTokens.token(kid: kidA, key: TestJWKS.keyA, issuedAt: issuedAt, roles: ["stytch_member", "admin"])

                #expect(try await get("health", "/health").status == 200)
                let me = try await get("me-bearer", "/me", [("Authorization", "Bearer \(member)")])
                #expect(me.status == 200)
                let object = try JSONSerialization.jsonObject(with: Data(me.body.utf8)) as? [String: Any]
                #expect(object?["member_id"] as? String == TestTokens.memberID)
                #expect(object?["organization_id"] as? String == TestTokens.organizationID)
                #expect(object?["roles"] as? [String] == ["stytch_member"])
                #expect(try await get("me-cookie", "/me", [("Cookie", "stytch_session_jwt=\(member)")]).status == 200)
                let missing = try await get("me-none", "/me")
                #expect(missing.status == 401)
                #expect(missing.body.contains("\"code\":\"malformed\""))
                #expect(try await get("admin-member", "/admin", [("Authorization", "Bearer \(member)")]).status == 403)
                #expect(try await get("admin-admin", "/admin", [("Authorization", "Bearer \(admin)")]).status == 200)
                #expect(try await get("maybe-none", "/maybe").body == "anonymous")
                #expect(try await get("maybe-member", "/maybe", [("Authorization", "Bearer \(member)")]).body == TestTokens.memberID)

                // Rotation: the server now publishes only key B. A token under B's new kid is accepted
                // after one forced refresh; a token under the removed kid A is then refused.
                jwks.respond(with: .json(TestJWKS.document([(kidB, TestJWKS.keyB)])))
                let fetchesBefore = jwks.requestCount(path: path)
                let rotated = TestTokens.token(kid: kidB, key: TestJWKS.keyB, issuedAt: issuedAt, roles: ["admin"])
                #expect(try await get("me-new-kid", "/me", [("Authorization", "Bearer \(rotated)")]).status == 200)
                #expect(jwks.requestCount(path: path) == fetchesBefore + 1)
                let removed = try await get("me-removed-kid", "/me", [("Authorization", "Bearer \(member)")])
                #expect(removed.status == 401)
                #expect(removed.body.contains("\"code\":\"unknown_key\""))
                #expect(try await get("admin-new-kid", "/admin", [("Authorization", "Bearer \(rotated)")]).status == 200)
                #expect(jwks.requestCount(path: path) == fetchesBefore + 1)

                // The request logger carried the member ID; no output ever held a token.
                let output = server.outputSoFar
                #expect(output.contains(TestTokens.memberID), "\(output)")
                for token in [member, admin, rotated] {
                    #expect(!output.contains(TestTokens.signatureSegment(of: token)))
                }
                return seen
            }
        }
    }
}

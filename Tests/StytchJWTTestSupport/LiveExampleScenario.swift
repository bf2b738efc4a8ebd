import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StytchJWT

/// The live scenario both middleware's example applications run as child processes, over
/// loopback, against the JWKS test server: real sockets, a real clock, a real key rotation.
/// `/health`, `/me` by bearer and cookie, 401 without a token, `/admin` 403 then 200, `/maybe`,
/// `/whoami` (the application's own user type), then a rotation. It returns one line per
/// observation; the tests compare them with ``expected``.
public enum LiveExampleScenario {
    /// What both examples must show.
    public static let expected: [String] = [
        "health: 200",
        "me-bearer: 200 member=\(TestTokens.memberID) organization=\(TestTokens.organizationID) roles=stytch_member",
        "me-cookie: 200",
        "me-none: 401 malformed",
        "admin-member: 403",
        "admin-admin: 200",
        "maybe-none: 200 anonymous",
        "maybe-member: 200 \(TestTokens.memberID)",
        "whoami: 200 member \(TestTokens.memberID) of \(TestTokens.organizationID)",
        "whoami-none: 401 malformed",
        "api-m2m: 200 users for m2m-client-test-live",
        "api-m2m-no-scope: 403 insufficient_scope",
        "api-session: 401 wrong_token_kind",
        "me-new-kid: 200 jwks-fetches=+1",
        "me-removed-kid: 401 unknown_key",
        "admin-new-kid: 200 jwks-fetches=+1",
        "output names the member: true",
        "output holds a token: false",
    ]

    /// Runs the scenario against the built `executable`.
    public static func run(executable: String) async throws -> [String] {
        let kidA = TestJWKS.randomKid(), kidB = TestJWKS.randomKid()
        let path = "/v1/b2b/sessions/jwks/\(TestTokens.projectID)"
        return try await withJWKSTestServer(responding: .json(TestJWKS.document([(kidA, TestJWKS.keyA)]))) { jwks in
            let environment = ["STYTCH_PROJECT_ID": TestTokens.projectID, "STYTCH_JWKS_URL": jwks.url(path: path), "PORT": "0", "LOG_LEVEL": "info"]
            return try await withExampleServer(executable, environment: environment) { server in
                var lines: [String] = []
                func get(_ route: String, _ headers: [(String, String)] = []) async throws -> (status: Int, body: String) {
                    var request = HTTPClientRequest(url: server.baseURL + route)
                    for (name, value) in headers { request.headers.add(name: name, value: value) }
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
                    let body = try await response.body.collect(upTo: 1 << 16)
                    return (Int(response.status.code), String(buffer: body))
                }
                func code(_ body: String) -> String {
                    (try? StrictJSON.parseObject(Array(body.utf8), maximumDepth: 8))?["error"]?.objectValue?["code"]?.stringValue ?? "-"
                }
                // Tokens issued a few seconds ago, so the example's real clock accepts them.
                let issuedAt = TestTokens.currentUnixTime() - 5
                let member = TestTokens.token(kid: kidA, key: TestJWKS.keyA, issuedAt: issuedAt)
                let admin = TestTokens.token(kid: kidA, key: TestJWKS.keyA, issuedAt: issuedAt, roles: ["stytch_member", "admin"])

                lines.append("health: \(try await get("/health").status)")
                let me = try await get("/me", [("Authorization", "Bearer \(member)")])
                let object = (try? StrictJSON.parseObject(Array(me.body.utf8), maximumDepth: 8)) ?? [:]
                let roles = object["roles"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",") ?? "-"
                lines.append("me-bearer: \(me.status) member=\(object["member_id"]?.stringValue ?? "-") organization=\(object["organization_id"]?.stringValue ?? "-") roles=\(roles)")
                lines.append("me-cookie: \(try await get("/me", [("Cookie", "stytch_session_jwt=\(member)")]).status)")
                let missing = try await get("/me")
                lines.append("me-none: \(missing.status) \(code(missing.body))")
                lines.append("admin-member: \(try await get("/admin", [("Authorization", "Bearer \(member)")]).status)")
                lines.append("admin-admin: \(try await get("/admin", [("Authorization", "Bearer \(admin)")]).status)")
                let maybeNone = try await get("/maybe")
                lines.append("maybe-none: \(maybeNone.status) \(maybeNone.body)")
                let maybeMember = try await get("/maybe", [("Authorization", "Bearer \(member)")])
                lines.append("maybe-member: \(maybeMember.status) \(maybeMember.body)")
                let whoami = try await get("/whoami", [("Authorization", "Bearer \(member)")])
                lines.append("whoami: \(whoami.status) \(whoami.body)")
                let whoamiNone = try await get("/whoami")
                lines.append("whoami-none: \(whoamiNone.status) \(code(whoamiNone.body))")

                // Machines: an M2M token granting read:users, one that does not, and a session JWT.
                func m2m(_ scope: String) -> String {
                    var payload = TestTokens.payload(issuedAt: issuedAt)
                    payload[TestTokens.sessionClaim] = nil
                    payload[TestTokens.organizationClaim] = nil
                    payload["sub"] = .string("m2m-client-test-live")
                    payload["scope"] = .string(scope)
                    return TestTokens.token(kid: kidA, key: TestJWKS.keyA, payload: payload)
                }
                let m2mOK = try await get("/api/users", [("Authorization", "Bearer \(m2m("read:users"))")])
                lines.append("api-m2m: \(m2mOK.status) \(m2mOK.body)")
                let m2mNoScope = try await get("/api/users", [("Authorization", "Bearer \(m2m("write:users"))")])
                lines.append("api-m2m-no-scope: \(m2mNoScope.status) \(code(m2mNoScope.body))")
                let session = try await get("/api/users", [("Authorization", "Bearer \(member)")])
                lines.append("api-session: \(session.status) \(code(session.body))")

                // Rotation: the server now publishes only key B. A token under B's new kid is accepted
                // after one forced refresh; a token under the removed kid A is then refused.
                jwks.respond(with: .json(TestJWKS.document([(kidB, TestJWKS.keyB)])))
                let fetchesBefore = jwks.requestCount(path: path)
                let rotated = TestTokens.token(kid: kidB, key: TestJWKS.keyB, issuedAt: issuedAt, roles: ["admin"])
                let newKid = try await get("/me", [("Authorization", "Bearer \(rotated)")])
                lines.append("me-new-kid: \(newKid.status) jwks-fetches=+\(jwks.requestCount(path: path) - fetchesBefore)")
                let removed = try await get("/me", [("Authorization", "Bearer \(member)")])
                lines.append("me-removed-kid: \(removed.status) \(code(removed.body))")
                let adminNewKid = try await get("/admin", [("Authorization", "Bearer \(rotated)")])
                lines.append("admin-new-kid: \(adminNewKid.status) jwks-fetches=+\(jwks.requestCount(path: path) - fetchesBefore)")

                // The request logger carried the member ID; no output ever held a token.
                let output = server.outputSoFar
                lines.append("output names the member: \(output.contains(TestTokens.memberID))")
                let leaked = [member, admin, rotated].contains { output.contains(TestTokens.signatureSegment(of: $0)) }
                lines.append("output holds a token: \(leaked)")
                return lines
            }
        }
    }

    /// Starts the built `executable`, serves one authenticated request, sends `signal` (SIGTERM or
    /// SIGINT) and returns how the process ended (`"exit 0"` for a clean shutdown) and how many
    /// bytes it wrote while serving that request at the default log level.
    public static func shutdown(executable: String, signal: Int32) async throws -> (ended: String, status: Int, logBytes: Int) {
        let kid = TestJWKS.randomKid()
        let path = "/v1/b2b/sessions/jwks/\(TestTokens.projectID)"
        return try await withJWKSTestServer(responding: .json(TestJWKS.document([(kid, TestJWKS.keyA)]))) { jwks in
            let environment = ["STYTCH_PROJECT_ID": TestTokens.projectID, "STYTCH_JWKS_URL": jwks.url(path: path), "PORT": "0"]
            return try await withExampleServer(executable, environment: environment) { server in
                let token = TestTokens.token(kid: kid, key: TestJWKS.keyA, issuedAt: TestTokens.currentUnixTime() - 5)
                let before = server.outputSoFar.utf8.count
                var request = HTTPClientRequest(url: server.baseURL + "/me")
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
                _ = try await response.body.collect(upTo: 1 << 16)
                try await Task.sleep(for: .milliseconds(200))
                let logBytes = server.outputSoFar.utf8.count - before
                return (await server.stop(with: signal), Int(response.status.code), logBytes)
            }
        }
    }
}

import Foundation
import StytchJWT
import StytchJWTTestSupport
import Testing

/// `stytch-jwt` fetching keys over HTTP from a real server on 127.0.0.1 (SPEC §6, §7).
@Suite("stytch-jwt: keys over HTTP")
struct CLIRemoteTests {
    static let demoJWKS: [UInt8] = Array((try? Fixture.data(Fixture.jwksPath)) ?? Data())
    static let jwksPath = "/v1/b2b/sessions/jwks/\(Fixture.projectID)"
    static let now = ["--now", String(Fixture.now)]

    @Test("--jwks-url: the fixture token verifies with keys fetched once")
    func jwksURL() async throws {
        try #require(!Self.demoJWKS.isEmpty)
        try await withJWKSTestServer(responding: .jwks(body: Self.demoJWKS)) { server in
            let result = try await CLI.run([
                "verify", try Fixture.token(), "--jwks-url", server.url(path: "/keys"), "--project-id", Fixture.projectID, "--json",
            ] + Self.now)
            #expect(result.status == 0, "\(result)")
            #expect(result.jsonBool("valid") == true, "\(result)")
            #expect(server.requestCount(path: "/keys") == 1)
        }
    }

    @Test("--base-url: keys come from {base}/v1/b2b/sessions/jwks/{project_id}, and its issuer form is accepted")
    func baseURL() async throws {
        try await withJWKSTestServer(responding: .jwks(body: Self.demoJWKS)) { server in
            let fixture = try await CLI.run(["verify", try Fixture.token(), "--base-url", server.baseURL, "--project-id", Fixture.projectID] + Self.now)
            #expect(fixture.status == 0, "\(fixture)")
            #expect(fixture.stdout.hasPrefix("VERIFIED"), "\(fixture)")
            #expect(server.requestCount(path: Self.jwksPath) == 1)
            #expect(server.requestCount == 1, "only the B2B endpoint is asked, never /v1/sessions/jwks")

            let customIssuer = try Tokens.fixtureVariant(changes: ["iss": server.baseURL])
            let accepted = try await CLI.run(["verify", customIssuer, "--base-url", server.baseURL + "/", "--project-id", Fixture.projectID] + Self.now)
            #expect(accepted.status == 0, "\(accepted)")

            let otherIssuer = try Tokens.fixtureVariant(changes: ["iss": "http://127.0.0.2:1"])
            let rejected = try await CLI.run(["verify", otherIssuer, "--base-url", server.baseURL, "--project-id", Fixture.projectID, "--json"] + Self.now)
            #expect(rejected.status == 1, "\(rejected)")
            #expect(try rejected.rejection().code == "issuer_mismatch")
        }
    }

    @Test("--base-url must be https, except plain http to a loopback host")
    func baseURLScheme() async throws {
        let refused = try await CLI.run(["verify", try Fixture.token(), "--base-url", "http://login.example.com", "--project-id", Fixture.projectID] + Self.now)
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains("--base-url"), "\(refused)")
    }

    enum Failure: String, CaseIterable, Sendable {
        case serverError, hang, oversizeDeclared, oversizeChunked, invalidJSON, allKeysRefused, redirect, dropped

        var behaviour: JWKSTestServer.Behaviour {
            switch self {
            case .serverError: .status(500)
            case .hang: .hang
            case .oversizeDeclared: .oversize(bytes: (1 << 20) + 1, declaresLength: true)
            case .oversizeChunked: .oversize(bytes: (1 << 20) + 1, declaresLength: false)
            case .invalidJSON: .invalidJSON
            case .allKeysRefused:
                .jwks(body: Array(String(decoding: CLIRemoteTests.demoJWKS, as: UTF8.self)
                    .replacingOccurrences(of: "\"use\": \"sig\"", with: "\"use\": \"enc\"").utf8))
            case .redirect: .redirect(to: "/elsewhere")
            case .dropped: .dropConnection
            }
        }
    }

    @Test("exit 3 with keys_unavailable on each failure kind, for verify and keys pull", arguments: Failure.allCases)
    func failures(_ failure: Failure) async throws {
        if failure == .allKeysRefused {
            // Guard: the replacement above must really have changed the document.
            #expect(!String(decoding: Self.demoJWKS, as: UTF8.self).contains("\"use\": \"enc\""))
        }
        try await withJWKSTestServer(responding: failure.behaviour) { server in
            let url = server.url(path: "/keys")
            let verify = try await CLI.run(["verify", try Fixture.token(), "--jwks-url", url, "--project-id", Fixture.projectID, "--json"] + Self.now)
            #expect(verify.status == 3, "\(verify)")
            #expect(try verify.rejection().code == "keys_unavailable")
            #expect(verify.jsonBool("valid") == false)

            let human = try await CLI.run(["verify", try Fixture.token(), "--jwks-url", url, "--project-id", Fixture.projectID] + Self.now)
            #expect(human.status == 3, "\(human)")
            #expect(human.stderr.contains("keys unavailable"), "\(human)")
            #expect(!human.stdout.contains("VERIFIED"), "\(human)")

            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let output = directory.path("pinned.json")
            let pull = try await CLI.run(["keys", "pull", "--project-id", Fixture.projectID, "--jwks-url", url, "-o", output])
            #expect(pull.status == 3, "\(pull)")
            #expect(!FileManager.default.fileExists(atPath: output), "nothing is written when keys are unavailable")
        }
    }

    @Test("keys pull writes the admitted keys, reports the ones left out, and the file verifies offline")
    func keysPull() async throws {
        let good = try Tokens.signingKey()
        let document = TestJWKS.document(
            [(kid: Fixture.kid, key: good)],
            extraKeys: [TestJWKS.jwk(kid: "jwk-test-encryption", key: TestJWKS.keyB, overriding: ["use": .string("enc")])]
        )
        try await withJWKSTestServer(responding: .json(document)) { server in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let output = directory.path("pinned.json")
            let pull = try await CLI.run(["keys", "pull", "--project-id", Fixture.projectID, "--base-url", server.baseURL, "-o", output])
            #expect(pull.status == 0, "\(pull)")
            #expect(server.requestCount(path: Self.jwksPath) == 1)
            #expect(pull.stdout.contains("left out  key #1 kid jwk-test-encryption: use is not sig"), "\(pull)")
            #expect(pull.stdout.contains("kept      kid \(Fixture.kid)"), "\(pull)")

            let pinned = try JWKSet(contentsOfFile: output)
            #expect(pinned.kids == [Fixture.kid])
            #expect(pinned.rejectedKeys.isEmpty)

            let offline = try await CLI.run(["verify", try Fixture.token(), "--jwks", output, "--project-id", Fixture.projectID] + Self.now)
            #expect(offline.status == 0, "\(offline)")
            #expect(server.requestCount == 1, "verifying with the pinned file makes no request")
        }
    }

    @Test("an unknown kid with fetched keys is unknown_key (exit 1), not keys_unavailable")
    func unknownKid() async throws {
        try await withJWKSTestServer(responding: .jwks(body: Self.demoJWKS)) { server in
            let token = try Tokens.fixtureVariant(header: ["alg": "RS256", "kid": "jwk-test-unknown", "typ": "JWT"], changes: [:])
            let result = try await CLI.run(["verify", token, "--jwks-url", server.url(path: "/keys"), "--project-id", Fixture.projectID, "--json"] + Self.now)
            #expect(result.status == 1, "\(result)")
            #expect(try result.rejection().code == "unknown_key")
        }
    }
}

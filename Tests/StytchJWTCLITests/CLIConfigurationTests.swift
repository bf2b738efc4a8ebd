import Foundation
import StytchJWT
import StytchJWTTestSupport
import Testing

/// SPEC §6: a configuration that cannot work is a usage error (exit 2), not "keys unavailable";
/// with `--json`, `verify` prints the error object with SPEC §4's code `invalid_configuration`.
/// `STYTCH_PROJECT_ID` and `STYTCH_BASE_URL` stand in for `--project-id` and `--base-url`.
@Suite("stytch-jwt: configuration and its environment variables")
struct CLIConfigurationTests {
    static let now = ["--now", String(Fixture.now)]
    /// A closed loopback port: if a broken check let a fetch through, it would fail at once
    /// without leaving the machine.
    static let closedPort = "http://127.0.0.1:1"

    enum Case: String, CaseIterable, Sendable {
        case projectIDWithPath, projectIDWithPathAndBaseURL, emptyProjectIDFetched, projectIDWithoutKnownPrefix,
             jwksURLNotHTTPS, jwksURLNotAbsolute, baseURLNotHTTPS, baseURLWithPath,
             environmentProjectIDWithPath, environmentBaseURLNotHTTPS

        /// The key and project arguments (no --jwks: these go through the fetcher's checks).
        var arguments: [String] {
            switch self {
            case .projectIDWithPath: ["--project-id", "project-test-a/../b"]
            case .projectIDWithPathAndBaseURL: ["--project-id", "a/../b", "--base-url", CLIConfigurationTests.closedPort]
            case .emptyProjectIDFetched: ["--project-id", "", "--base-url", CLIConfigurationTests.closedPort]
            case .projectIDWithoutKnownPrefix: ["--project-id", "project-other-1"]
            case .jwksURLNotHTTPS: ["--project-id", Fixture.projectID, "--jwks-url", "http://keys.example.com/jwks"]
            case .jwksURLNotAbsolute: ["--project-id", Fixture.projectID, "--jwks-url", "/keys"]
            case .baseURLNotHTTPS: ["--project-id", Fixture.projectID, "--base-url", "http://login.example.com"]
            case .baseURLWithPath: ["--project-id", Fixture.projectID, "--base-url", "https://login.example.com/v1"]
            case .environmentProjectIDWithPath: []
            case .environmentBaseURLNotHTTPS: ["--project-id", Fixture.projectID, "--jwks-url", CLIConfigurationTests.closedPort + "/keys"]
            }
        }

        var environment: [String: String] {
            switch self {
            case .environmentProjectIDWithPath: ["STYTCH_PROJECT_ID": "project-test-a/../b"]
            case .environmentBaseURLNotHTTPS: ["STYTCH_BASE_URL": "http://login.example.com"]
            default: [:]
            }
        }

        /// What the message must name: the flag or variable the value came from.
        var names: String {
            switch self {
            case .projectIDWithPath, .projectIDWithPathAndBaseURL, .emptyProjectIDFetched, .projectIDWithoutKnownPrefix: "--project-id"
            case .jwksURLNotHTTPS, .jwksURLNotAbsolute: "--jwks-url"
            case .baseURLNotHTTPS, .baseURLWithPath: "--base-url"
            case .environmentProjectIDWithPath: "STYTCH_PROJECT_ID"
            case .environmentBaseURLNotHTTPS: "STYTCH_BASE_URL"
            }
        }
    }

    @Test("verify --json: exit 2 and invalid_configuration naming the flag or variable", arguments: Case.allCases)
    func verifyJSON(_ case_: Case) async throws {
        let result = try await CLI.run(["verify", try Fixture.token(), "--json"] + case_.arguments + Self.now, environment: case_.environment)
        #expect(result.status == 2, "\(result)")
        let rejection = try result.rejection()
        #expect(rejection.code == "invalid_configuration", "\(result)")
        #expect(rejection.message.contains(case_.names), "\(result)")
        #expect(result.stderr.isEmpty, "the JSON object is the report\n\(result)")
    }

    @Test("verify: exit 2, the message on stderr, nothing on stdout", arguments: Case.allCases)
    func verifyHuman(_ case_: Case) async throws {
        let result = try await CLI.run(["verify", try Fixture.token()] + case_.arguments + Self.now, environment: case_.environment)
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderr.contains(case_.names), "\(result)")
        #expect(!result.stderr.contains("keys unavailable"), "\(result)")
    }

    @Test("verify --batch: exit 2 before reading any line", arguments: [Case.projectIDWithPath, .baseURLNotHTTPS])
    func verifyBatch(_ case_: Case) async throws {
        let result = try await CLI.run(["verify", "--batch", "--json"] + case_.arguments + Self.now, stdin: Data((try Fixture.token() + "\n").utf8))
        #expect(result.status == 2, "\(result)")
        #expect(try result.rejection().code == "invalid_configuration", "\(result)")
    }

    @Test("keys pull: exit 2, nothing written", arguments: Case.allCases)
    func keysPull(_ case_: Case) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let output = directory.path("pinned.json")
        let result = try await CLI.run(["keys", "pull", "-o", output] + case_.arguments, environment: case_.environment)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains(case_.names), "\(result)")
        #expect(!result.stderr.contains("keys unavailable"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test("verifier settings that cannot work: invalid_configuration with --json", arguments: [
        ["--leeway=-1"], ["--leeway", "inf"], ["--max-token-age=-5"], ["--project-id", ""],
    ])
    func verifierSettings(_ flags: [String]) async throws {
        // --project-id given last wins over the fixture's.
        let result = try await CLI.run(["verify", try Fixture.token(), "--json"] + CLI.keysAndProject + Self.now + flags)
        #expect(result.status == 2, "\(result)")
        #expect(try result.rejection().code == "invalid_configuration", "\(result)")
    }

    // MARK: Environment variables

    @Test("STYTCH_PROJECT_ID stands in for --project-id; the flag wins over it")
    func projectIDVariable() async throws {
        let token = try Fixture.token()
        let keys = ["--jwks", Fixture.jwksPath]
        let fromEnvironment = try await CLI.run(["verify", token, "--json"] + keys + Self.now, environment: ["STYTCH_PROJECT_ID": Fixture.projectID])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment)")
        #expect(fromEnvironment.jsonBool("valid") == true, "\(fromEnvironment)")

        let flagWins = try await CLI.run(
            ["verify", token, "--json", "--project-id", Fixture.projectID] + keys + Self.now,
            environment: ["STYTCH_PROJECT_ID": "project-test-99999999-9999-4999-8999-999999999999"]
        )
        #expect(flagWins.status == 0, "\(flagWins)")

        let environmentOnlyWrong = try await CLI.run(
            ["verify", token, "--json"] + keys + Self.now,
            environment: ["STYTCH_PROJECT_ID": "project-test-99999999-9999-4999-8999-999999999999"]
        )
        try expectOutcome(environmentOnlyWrong, status: 1, code: "issuer_mismatch")
    }

    @Test("neither --project-id nor STYTCH_PROJECT_ID (or an empty one): usage error naming both", arguments: [false, true])
    func noProjectID(emptyVariable: Bool) async throws {
        let result = try await CLI.run(
            ["verify", try Fixture.token(), "--jwks", Fixture.jwksPath] + Self.now,
            environment: emptyVariable ? ["STYTCH_PROJECT_ID": ""] : [:]
        )
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderr.contains("--project-id") && result.stderr.contains("STYTCH_PROJECT_ID"), "\(result)")
    }

    @Test("STYTCH_BASE_URL stands in for --base-url: its issuer form is accepted; the flag wins over it")
    func baseURLVariable() async throws {
        let customDomain = "https://login.example.com"
        let token = try Tokens.fixtureVariant(changes: ["iss": customDomain])
        let run = { (flags: [String], environment: [String: String]) in
            try await CLI.run(["verify", token, "--json"] + CLI.keysAndProject + Self.now + flags, environment: environment)
        }
        try expectOutcome(try await run([], [:]), status: 1, code: "issuer_mismatch")
        try expectOutcome(try await run([], ["STYTCH_BASE_URL": customDomain]), status: 0, code: nil)
        try expectOutcome(try await run(["--base-url", "https://other.example.com"], ["STYTCH_BASE_URL": customDomain]), status: 1, code: "issuer_mismatch")
        // An empty variable is as if unset.
        try expectOutcome(try await run([], ["STYTCH_BASE_URL": ""]), status: 1, code: "issuer_mismatch")
    }

    @Test("STYTCH_PROJECT_ID and STYTCH_BASE_URL: keys fetched from {base}/v1/b2b/sessions/jwks/{project}, by verify and keys pull")
    func variablesFetch() async throws {
        let jwks = Array(try Fixture.data(Fixture.jwksPath))
        try await withJWKSTestServer(responding: .jwks(body: jwks)) { server in
            let environment = ["STYTCH_PROJECT_ID": Fixture.projectID, "STYTCH_BASE_URL": server.baseURL]
            let verified = try await CLI.run(["verify", try Fixture.token()] + Self.now, environment: environment)
            #expect(verified.status == 0, "\(verified)")
            #expect(server.requestCount(path: "/v1/b2b/sessions/jwks/\(Fixture.projectID)") == 1)

            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let output = directory.path("pinned.json")
            let pulled = try await CLI.run(["keys", "pull", "-o", output], environment: environment)
            #expect(pulled.status == 0, "\(pulled)")
            #expect(server.requestCount(path: "/v1/b2b/sessions/jwks/\(Fixture.projectID)") == 2)
            #expect(try JWKSet(contentsOfFile: output).kids == [Fixture.kid])
        }
    }
}

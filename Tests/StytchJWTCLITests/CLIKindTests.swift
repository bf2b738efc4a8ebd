import Foundation
import StytchJWT
import StytchJWTTestSupport
import Testing

/// `verify --kind session|m2m|access-token` and `--scope` (SPEC §6 and §9), on the fixtures that
/// `Fixtures/make_fixtures.py` signs with the test-only demo key.
@Suite("stytch-jwt verify --kind")
struct CLIKindTests {
    static func token(_ file: String) throws -> String {
        String(decoding: try PackageFiles.data(file), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static let m2m = "Fixtures/m2m-access-token.jwt"
    static let connectedApps = "Fixtures/connected-apps-access-token.jwt"
    static let keyArguments = ["--jwks", Fixture.jwksPath, "--project-id", Fixture.projectID, "--now", String(Fixture.now)]

    @Test("an M2M token verifies with --kind m2m and the scopes it grants; the JSON names the kind and its fields")
    func m2mVerifies() async throws {
        let result = try await CLI.run(["verify", try Self.token(Self.m2m), "--kind", "m2m", "--scope", "read:users", "--scope", "admin", "--json"] + Self.keyArguments)
        #expect(result.status == 0, "\(result)")
        let object = try result.json()
        #expect(object["kind"] as? String == "m2m")
        #expect((object["client_id"] as? String)?.hasPrefix("m2m-client-test-") == true)
        #expect(object["scopes"] as? [String] == ["read:users", "write:users", "admin"])
        #expect((object["custom_claims"] as? [String: String]) == ["tenant": "acme"])
        #expect((object["jwt"] as? [String: Any])?["exp"] as? Int == 1_767_229_200)
    }

    @Test("a missing scope is exit 1 insufficient_scope naming it")
    func m2mMissingScope() async throws {
        let result = try await CLI.run(["verify", try Self.token(Self.m2m), "--kind", "m2m", "--scope", "delete:users", "--json"] + Self.keyArguments)
        #expect(result.status == 1, "\(result)")
        let error = try result.json()["error"] as? [String: String]
        #expect(error?["code"] == "insufficient_scope")
        #expect(error?["message"]?.contains("delete:users") == true)
    }

    @Test("a Connected Apps token verifies with --kind access-token, with a human summary")
    func connectedAppsVerifies() async throws {
        let result = try await CLI.run(["verify", try Self.token(Self.connectedApps), "--kind", "access-token"] + Self.keyArguments)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("VERIFIED  Connected Apps access token of member \(Fixture.memberID)"), "\(result)")
        #expect(result.stdout.contains("openid profile read:documents"), "\(result)")
        let json = try await CLI.run(["verify", try Self.token(Self.connectedApps), "--kind", "access-token", "--json"] + Self.keyArguments)
        let object = try json.json()
        #expect(object["kind"] as? String == "access_token")
        #expect(object["organization_id"] as? String == Fixture.organizationID)
    }

    @Test("each kind where another is expected is exit 1 wrong_token_kind", arguments: [
        ("Fixtures/session.jwt", "m2m"), ("Fixtures/session.jwt", "access-token"),
        (m2m, "session"), (m2m, "access-token"), (connectedApps, "session"), (connectedApps, "m2m"),
    ])
    func wrongKinds(_ file: String, _ kind: String) async throws {
        let result = try await CLI.run(["verify", try Self.token(file), "--kind", kind, "--json"] + Self.keyArguments)
        #expect(result.status == 1, "\(result)")
        #expect((try result.json()["error"] as? [String: String])?["code"] == "wrong_token_kind")
    }

    @Test("without --kind the session JSON is unchanged (no kind member); with it, it names the kind")
    func sessionKindMember() async throws {
        let session = try Self.token("Fixtures/session.jwt")
        let plain = try await CLI.run(["verify", session, "--json"] + Self.keyArguments)
        #expect(try plain.json()["kind"] == nil)
        let named = try await CLI.run(["verify", session, "--kind", "session", "--json"] + Self.keyArguments)
        #expect(try named.json()["kind"] as? String == "session")
    }

    @Test("--batch verifies every kind, one JSON line each in input order")
    func batch() async throws {
        let lines = [try Self.token(Self.m2m), try Self.token("Fixtures/session.jwt"), try Self.token(Self.m2m)].joined(separator: "\n") + "\n"
        let result = try await CLI.run(["verify", "--batch", "--kind", "m2m", "--scope", "read:users"] + Self.keyArguments, stdin: Data(lines.utf8))
        #expect(result.status == 1, "\(result)")
        let outputs = result.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(outputs.count == 3)
        #expect(outputs[0]?["kind"] as? String == "m2m")
        #expect((outputs[1]?["error"] as? [String: String])?["code"] == "wrong_token_kind")
        #expect(outputs[2]?["kind"] as? String == "m2m")
    }

    @Test("--scope without --kind m2m, and --response with another kind, are usage errors (exit 2)")
    func usage() async throws {
        let scopeAlone = try await CLI.run(["verify", try Self.token(Self.m2m), "--scope", "read:users"] + Self.keyArguments)
        #expect(scopeAlone.status == 2, "\(scopeAlone)")
        let responseAsM2M = try await CLI.run(["verify", "--response", Fixture.responsePath, "--kind", "m2m"] + Self.keyArguments)
        #expect(responseAsM2M.status == 2, "\(responseAsM2M)")
    }
}

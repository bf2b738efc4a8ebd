import Foundation
import StytchJWT
import StytchJWTTestSupport
import StytchJWTTesting
import Testing

/// Strings from a token, a response or a fetched JWKS never reach a terminal raw: a `kid` holding
/// `ESC ] 0 ; … BEL`, `ESC [ 2 J` and a newline would retitle the terminal, clear it and forge an
/// output line. Human output shows such characters escaped (`\u{1B}`); JSON output escapes them
/// as JSON does (`\u001b`), so it stays valid JSON with the same values.
@Suite("stytch-jwt: untrusted strings are escaped in every output")
struct CLIEscapeTests {
    /// Characters a terminal acts on: C0 controls, DEL, C1 controls, and the bidi embeddings,
    /// overrides and isolates. Written out here as ranges, independently of the code under test.
    static func isTerminalControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// The terminal controls in `text`, newlines (the output's own line breaks) excepted.
    static func controls(in text: String) -> [String] {
        text.unicodeScalars.filter { $0 != "\n" && isTerminalControl($0) }.map { String(format: "U+%04X", $0.value) }
    }

    /// A string that retitles the terminal, clears it, forges a line, and reorders what follows.
    static let hostile = "x\u{1B}]0;pwned\u{07}\u{1B}[2J\nkept      kid forged\u{9B}31m\u{202E}evil\u{2066}\u{7F}\u{85}"

    /// Every C0 control, DEL, every C1 control, and the bidi controls, in one string.
    static let everyControl: String = {
        let values: [UInt32] = Array(0x00...0x1F) + [0x7F] + Array(0x80...0x9F)
            + [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]
        var text = ""
        for value in values { text.unicodeScalars.append(Unicode.Scalar(value)!) }
        return text
    }()

    // MARK: keys pull

    @Test("keys pull: a fetched kid is shown escaped, on its own line, kept or left out")
    func keysPull() async throws {
        let keptKid = "jwk-test-" + Self.hostile
        let leftOutKid = "jwk-test-enc-" + Self.hostile
        let document = TestJWKS.document(
            [(kid: keptKid, key: try Tokens.signingKey())],
            extraKeys: [TestJWKS.jwk(kid: leftOutKid, key: TestJWKS.keyB, overriding: ["use": .string("enc")])]
        )
        try await withJWKSTestServer(responding: .json(document)) { server in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let output = directory.path("pinned.json")
            let pull = try await CLI.run(["keys", "pull", "--project-id", Fixture.projectID, "--jwks-url", server.url(path: "/keys"), "-o", output])
            #expect(pull.status == 0, "\(pull)")
            #expect(Self.controls(in: pull.stdout + pull.stderr).isEmpty, "raw controls: \(Self.controls(in: pull.stdout + pull.stderr))\n\(pull)")
            let lines = pull.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
            #expect(lines.count == 3, "one line per key and the summary, no forged line\n\(pull)")
            #expect(lines.filter { $0.hasPrefix("kept") }.count == 1, "\(pull)")
            #expect(pull.stdout.contains(#"jwk-test-x\u{1B}]0;pwned\u{07}\u{1B}[2J\nkept      kid forged\u{9B}31m\u{202E}evil\u{2066}\u{7F}\u{85}"#), "\(pull)")
            #expect(pull.stdout.contains(#"kid jwk-test-enc-x\u{1B}"#), "\(pull)")

            // The pinned file keeps the kid exactly (JSON-escaped), and a token naming it verifies;
            // the human summary shows it escaped.
            #expect(try JWKSet(contentsOfFile: output).kids == [keptKid])
            let token = try Tokens.fixtureVariant(header: ["alg": "RS256", "kid": keptKid, "typ": "JWT"], changes: [:])
            let verified = try await CLI.run(["verify", token, "--jwks", output, "--project-id", Fixture.projectID, "--now", String(Fixture.now)])
            #expect(verified.status == 0, "\(verified)")
            #expect(Self.controls(in: verified.stdout).isEmpty, "\(verified)")
            #expect(verified.stdout.contains(#"kid jwk-test-x\u{1B}]0;pwned"#), "\(verified)")
        }
    }

    // MARK: verify

    /// The fixture's claims with the hostile string in every place the summary shows.
    static func hostileToken() throws -> String {
        var payload = try Tokens.fixturePayload()
        payload["sub"] = "member-test-" + hostile
        payload["custom " + hostile] = "value"
        payload = setting("acme" + hostile, at: ["https://stytch.com/organization", "slug"], in: payload)
        payload = setting("organization-test-" + hostile, at: ["https://stytch.com/organization", "organization_id"], in: payload)
        payload = setting("member-session-test-" + hostile, at: ["https://stytch.com/session", "id"], in: payload)
        payload = setting(["stytch_member", "admin" + hostile], at: ["https://stytch.com/session", "roles"], in: payload)
        payload = setting([["type": "password" + hostile, "delivery_method": "knowledge" + hostile,
                            "last_authenticated_at": "2026-01-01T00:00:00Z"]],
                          at: ["https://stytch.com/session", "authentication_factors"], in: payload)
        return try Tokens.sign(payload: payload)
    }

    @Test("verify's summary: member, organization, slug, session, roles, factors and claim names escaped")
    func verifySummary() async throws {
        let result = try await CLI.verify([try Self.hostileToken(), "--now", String(Fixture.now)])
        #expect(result.status == 0, "\(result)")
        #expect(Self.controls(in: result.stdout).isEmpty, "raw controls: \(Self.controls(in: result.stdout))\n\(result)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 10, "the summary's ten lines, no forged one\n\(result)")
        for shown in ["member member-test-x\\u{1B}", "(acme" + #"x\u{1B}]0;pwned\u{07}"#, "admin" + #"x\u{1B}"#,
                      "password" + #"x\u{1B}"#, "knowledge" + #"x\u{1B}"#, "custom " + #"x\u{1B}"#,
                      "organization-test-" + #"x\u{1B}"#, "member-session-test-" + #"x\u{1B}"#] {
            #expect(result.stdout.contains(shown), "summary does not show \(shown)\n\(result)")
        }
    }

    @Test("verify --json: every control character JSON-escaped, values kept exactly", arguments: [false, true])
    func verifyJSON(batch: Bool) async throws {
        let token = try Tokens.fixtureVariant(changes: ["controls": Self.everyControl, Self.hostile: Self.hostile])
        let result: RunResult
        if batch {
            result = try await CLI.verify(["--batch", "--now", String(Fixture.now)], stdin: Data((token + "\n").utf8))
        } else {
            result = try await CLI.verify([token, "--now", String(Fixture.now), "--json"])
        }
        #expect(result.status == 0, "\(result)")
        #expect(Self.controls(in: result.stdout).isEmpty, "raw controls: \(Self.controls(in: result.stdout))\n\(result)")
        #expect(result.stdout.filter { $0 == "\n" }.count == 1, "one line\n\(result)")
        let custom = try #require(try result.json()["custom_claims"] as? [String: Any], "\(result)")
        #expect(custom["controls"] as? String == Self.everyControl, "\(result)")
        #expect(custom[Self.hostile] as? String == Self.hostile, "\(result)")
    }

    @Test("custom claims of every JSON shape are written as the library's JSONValue.jsonText writes them", arguments: [false, true])
    func customClaimsAsJSONText(batch: Bool) async throws {
        // Literals JSONSerialization would not write (kept as sent), nesting, escapes, non-ASCII.
        var payload = try jsonText(try Tokens.fixturePayload())
        payload.removeLast()
        payload += #","zeta":{"b":[1.5e3,-0,12345678901234567890,true,null,"q\"b\\s\/é✓"],"a":{}},"alpha":[],"mid":"\u00e9\t"}"#
        let token = try Tokens.signingKey().compactJWS(header: try jsonText(["alg": "RS256", "kid": Fixture.kid, "typ": "JWT"]), payload: payload)
        let members = try StrictJSON.parseObject(Array(payload.utf8), maximumDepth: 16)
        let custom = members.filter { !["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "https://stytch.com/session", "https://stytch.com/organization"].contains($0.key) }
        let expected = JSONValue.object(custom).jsonText

        let result: RunResult
        if batch {
            result = try await CLI.verify(["--batch", "--now", String(Fixture.now)], stdin: Data((token + "\n").utf8))
        } else {
            result = try await CLI.verify([token, "--now", String(Fixture.now), "--json"])
        }
        #expect(result.status == 0, "\(result)")
        let written = try #require(result.stdout.firstRange(of: #""custom_claims":"#).map { result.stdout[$0.upperBound...] }, "\(result)")
        #expect(written.hasPrefix(expected + #","jwt":"#), "expected \(expected)\n\(result)")
    }

    @Test("the MFA summary escapes the response's member and organization IDs")
    func mfaSummary() async throws {
        var response = try Fixture.jsonObject(Fixture.mfaResponsePath)
        response["member_id"] = "member-test-" + Self.hostile
        response["organization_id"] = "organization-test-" + Self.hostile
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("response.json", json: response)
        let result = try await CLI.verify(["--response", path, "--now", String(Fixture.now)])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.hasPrefix("MFA REQUIRED"), "\(result)")
        #expect(Self.controls(in: result.stdout + result.stderr).isEmpty, "\(result)")
        #expect(result.stdout.contains(#"member member-test-x\u{1B}]0;"#), "\(result)")
    }

    // MARK: inspect

    static func hostileHeaderToken() throws -> String {
        try Tokens.sign(
            header: ["alg": "RS256", "kid": "jwk-test-" + hostile, "typ": "JWT"],
            payload: try Tokens.fixturePayload().merging(["note": everyControl, hostile: hostile]) { $1 }
        )
    }

    @Test("inspect: header and payload shown with every control escaped", arguments: [false, true])
    func inspect(json: Bool) async throws {
        let result = try await CLI.run(["inspect", try Self.hostileHeaderToken()] + (json ? ["--json"] : []))
        #expect(result.status == 0, "\(result)")
        #expect(Self.controls(in: result.stdout).isEmpty, "raw controls: \(Self.controls(in: result.stdout))\n\(result)")
        if json {
            let object = try result.json()
            let payload = try #require(object["payload"] as? [String: Any], "\(result)")
            #expect(payload["note"] as? String == Self.everyControl, "\(result)")
            #expect(payload[Self.hostile] as? String == Self.hostile, "\(result)")
            let header = try #require(object["header"] as? [String: Any], "\(result)")
            #expect(header["kid"] as? String == "jwk-test-" + Self.hostile, "\(result)")
        } else {
            #expect(result.stdout.hasPrefix("UNVERIFIED"), "\(result)")
            #expect(result.stdout.split(separator: "\n").count == 3, "\(result)")
            #expect(result.stdout.contains(#"\u001b]0;pwned\u0007"#) && result.stdout.contains(#"\u009b31m\u202eevil\u2066\u007f\u0085"#), "\(result)")
        }
    }
}

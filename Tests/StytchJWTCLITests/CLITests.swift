import Foundation
import StytchJWT
import StytchJWTTesting
import Testing

// End-to-end tests of the `stytch-jwt` command-line tool (SPEC §6): each test runs the built
// binary as a subprocess in the package root and checks its exit status and its output.
// Exit codes: 0 verified, 1 rejected, 2 usage or unreadable input, 3 keys unavailable.

// MARK: - Verified

@Suite("stytch-jwt verify: verified sessions")
struct VerifiedTests {
    /// The README's main command, exactly as documented.
    static let readmeCommand = [
        "verify", "--response", Fixture.responsePath, "--jwks", Fixture.jwksPath,
        "--project-id", Fixture.projectID, "--now", String(Fixture.now),
    ]

    @Test("the README's main command prints a VERIFIED summary naming the member")
    func readmeCommand() async throws {
        let result = try await CLI.run(Self.readmeCommand)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("VERIFIED"), "\(result)")
        let firstLine = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(firstLine.contains(Fixture.memberID), "\(result)")
        #expect(result.stdout.contains(Fixture.organizationID), "\(result)")
        #expect(result.stdout.contains(Fixture.sessionID), "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
    }

    @Test("the README's main command with --json prints exactly the members of SPEC §6")
    func readmeCommandJSON() async throws {
        let result = try await CLI.run(Self.readmeCommand + ["--json"])
        try expectFixtureSession(result)
        #expect(result.stderr.isEmpty, "\(result)")
    }

    enum Input: String, CaseIterable, Sendable {
        case positionalToken, tokenFile, tokenFileOnStandardInput, response
    }

    @Test("every input form verifies the fixture session", arguments: Input.allCases)
    func inputForms(_ input: Input) async throws {
        let token = try Fixture.token()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let flags = ["--now", String(Fixture.now), "--json"]
        let result: RunResult
        switch input {
        case .positionalToken:
            result = try await CLI.verify([token] + flags)
        case .tokenFile:
            let path = try directory.write("token.jwt", text: token + "\n")
            result = try await CLI.verify(["--token-file", path] + flags)
        case .tokenFileOnStandardInput:
            result = try await CLI.verify(["--token-file", "-"] + flags, stdin: Data((token + "\n").utf8))
        case .response:
            result = try await CLI.verify(["--response", Fixture.responsePath] + flags)
        }
        try expectFixtureSession(result)
    }

    @Test("a response rewritten with no change still verifies (control for the modified-copy tests)")
    func rewrittenResponseVerifies() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("response.json", json: try Fixture.jsonObject(Fixture.responsePath))
        let result = try await CLI.verify(["--response", path, "--now", String(Fixture.now), "--json"])
        try expectFixtureSession(result)
    }

    /// Checks a `--json` success: exit 0 and exactly SPEC §6's members with the fixture's values.
    func expectFixtureSession(_ result: RunResult, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(result.status == 0, "\(result)", sourceLocation: sourceLocation)
        let object = try result.json(sourceLocation: sourceLocation)
        let expectedMembers: Set<String> = [
            "valid", "member_id", "organization_id", "organization_slug", "member_session_id", "started_at",
            "last_accessed_at", "expires_at", "roles", "authentication_factors", "custom_claims", "jwt",
        ]
        #expect(Set(object.keys) == expectedMembers, "\(result)", sourceLocation: sourceLocation)
        #expect(result.jsonBool("valid") == true, "\(result)", sourceLocation: sourceLocation)
        #expect(object["member_id"] as? String == Fixture.memberID, sourceLocation: sourceLocation)
        #expect(object["organization_id"] as? String == Fixture.organizationID, sourceLocation: sourceLocation)
        #expect(object["organization_slug"] as? String == Fixture.slug, sourceLocation: sourceLocation)
        #expect(object["member_session_id"] as? String == Fixture.sessionID, sourceLocation: sourceLocation)
        #expect(object["started_at"] as? String == "2026-01-01T00:00:00Z", sourceLocation: sourceLocation)
        #expect(object["last_accessed_at"] as? String == "2026-01-01T00:00:00Z", sourceLocation: sourceLocation)
        #expect(object["expires_at"] as? String == "2026-01-01T02:00:00Z", sourceLocation: sourceLocation)
        #expect(object["roles"] as? [String] == ["stytch_member", "editor"], "\(result)", sourceLocation: sourceLocation)

        let factors = try #require(object["authentication_factors"] as? [[String: Any]], "\(result)", sourceLocation: sourceLocation)
        #expect(factors.count == 1, "\(result)", sourceLocation: sourceLocation)
        let factor = try #require(factors.first, sourceLocation: sourceLocation)
        #expect(factor["type"] as? String == "password", "\(result)", sourceLocation: sourceLocation)
        #expect(factor["delivery_method"] as? String == "knowledge", "\(result)", sourceLocation: sourceLocation)
        #expect(factor["last_authenticated_at"] as? String == "2026-01-01T00:00:00Z", "\(result)", sourceLocation: sourceLocation)

        let custom = try #require(object["custom_claims"] as? [String: Any], "\(result)", sourceLocation: sourceLocation)
        #expect(Set(custom.keys) == ["my_custom_claim"], "\(result)", sourceLocation: sourceLocation)
        #expect(custom["my_custom_claim"] as? String == "value", sourceLocation: sourceLocation)

        let jwt = try #require(object["jwt"] as? [String: Any], "\(result)", sourceLocation: sourceLocation)
        #expect(Set(jwt.keys) == ["kid", "iat", "nbf", "exp"], "\(result)", sourceLocation: sourceLocation)
        #expect(jwt["kid"] as? String == Fixture.kid, sourceLocation: sourceLocation)
        #expect(jwt["iat"] as? Int == Fixture.iat, "\(result)", sourceLocation: sourceLocation)
        #expect(jwt["nbf"] as? Int == Fixture.iat, "\(result)", sourceLocation: sourceLocation)
        #expect(jwt["exp"] as? Int == Fixture.exp, "\(result)", sourceLocation: sourceLocation)
    }
}

// MARK: - Rejected

/// One verify run expected to end with `status` and, when rejected, error `code`.
struct Expectation: Sendable, CustomTestStringConvertible {
    let name: String
    let flags: [String]
    let status: Int32
    let code: String?

    static func verified(_ name: String, _ flags: [String]) -> Self { Self(name: name, flags: flags, status: 0, code: nil) }
    static func rejected(_ name: String, _ flags: [String], _ code: String) -> Self { Self(name: name, flags: flags, status: 1, code: code) }

    var testDescription: String { name }
}

/// Checks a `--json` run against `status` and `code` (nil: verified).
func expectOutcome(_ result: RunResult, status: Int32, code: String?, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(result.status == status, "\(result)", sourceLocation: sourceLocation)
    let object = try result.json(sourceLocation: sourceLocation)
    if let code {
        #expect(try result.rejection(sourceLocation: sourceLocation).code == code, "\(result)", sourceLocation: sourceLocation)
    } else {
        #expect(result.jsonBool("valid") == true, "\(result)", sourceLocation: sourceLocation)
        #expect(object["member_id"] as? String == Fixture.memberID, "\(result)", sourceLocation: sourceLocation)
    }
}

@Suite("stytch-jwt verify: rejections")
struct RejectedTests {
    static let now = String(Fixture.now)
    static let exp = Fixture.exp
    static let nbf = Fixture.iat

    /// SPEC §4 time rules with leeway L at instant t: expired when t >= exp + L; not yet valid
    /// when t + L < nbf (or iat); too old when t - iat >= A.
    static let timeCases: [Expectation] = [
        .verified("--now one second before exp", ["--now", String(exp - 1)]),
        .rejected("--now exactly at exp", ["--now", String(exp)], "expired"),
        .rejected("--now long past exp", ["--now", String(exp + 86_400)], "expired"),
        .verified("--now exactly at nbf", ["--now", String(nbf)]),
        .rejected("--now one second before nbf", ["--now", String(nbf - 1)], "not_yet_valid"),
        .rejected("--max-token-age 0", ["--now", now, "--max-token-age", "0"], "token_too_old"),
        .rejected("--max-token-age 60 at age 60", ["--now", now, "--max-token-age", "60"], "token_too_old"),
        .verified("--max-token-age 61 at age 60", ["--now", now, "--max-token-age", "61"]),
        .rejected("--leeway 10 at exp + 10 (boundary, still expired)", ["--now", String(exp + 10), "--leeway", "10"], "expired"),
        .verified("--leeway 10.5 at exp + 10 (just inside)", ["--now", String(exp + 10), "--leeway", "10.5"]),
        .verified("--leeway 11 at exp + 10", ["--now", String(exp + 10), "--leeway", "11"]),
        .verified("--leeway 10 at nbf - 10 (boundary, valid)", ["--now", String(nbf - 10), "--leeway", "10"]),
        .rejected("--leeway 9 at nbf - 10", ["--now", String(nbf - 10), "--leeway", "9"], "not_yet_valid"),
    ]

    @Test("time rules of SPEC §4 at --now, --leeway and --max-token-age", arguments: timeCases)
    func timeRules(_ case_: Expectation) async throws {
        let result = try await CLI.verify([try Fixture.token()] + case_.flags + ["--json"])
        try expectOutcome(result, status: case_.status, code: case_.code)
    }

    @Test("without --now the clock decides: the fixture's five-minute JWT is expired today")
    func clockDefault() async throws {
        let result = try await CLI.verify([try Fixture.token(), "--json"])
        let clock = Date().timeIntervalSince1970
        // The fixture was issued 2026-01-01T00:00:00Z; on a clock before that it is not yet valid.
        let expected = clock >= Double(Fixture.exp) ? "expired" : "not_yet_valid"
        try expectOutcome(result, status: 1, code: expected)
        if expected == "expired" {
            #expect(try names(result.rejection().message, "exp"), "\(result)")
        }
    }

    @Test("a rejection without --json is a one-line REJECTED summary with the code")
    func humanRejection() async throws {
        let result = try await CLI.verify([try Fixture.token(), "--now", String(Fixture.exp)])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.hasPrefix("REJECTED"), "\(result)")
        #expect(result.stdout.contains("expired"), "\(result)")
        #expect(!result.stdout.contains("VERIFIED"), "\(result)")
    }

    /// A wrong --project-id changes both accepted values: the issuer `stytch.com/{project_id}`
    /// and the audience. SPEC §4 lists the registered claims in the order iss, aud, … and the
    /// first failing step decides: `iss` fails first, so the code is `issuer_mismatch`, not
    /// `audience_mismatch` (that one is reached with a token whose `iss` is right, below).
    @Test("a wrong --project-id fails the issuer first")
    func wrongProjectID() async throws {
        let result = try await CLI.run([
            "verify", try Fixture.token(), "--jwks", Fixture.jwksPath,
            "--project-id", "project-test-99999999-9999-4999-8999-999999999999", "--now", Self.now, "--json",
        ])
        try expectOutcome(result, status: 1, code: "issuer_mismatch")
        #expect(try names(result.rejection().message, "iss"), "\(result)")
    }

    /// Tokens signed with the demo key whose claims differ from the fixture's in one respect.
    enum ClaimCase: String, CaseIterable, Sendable {
        case audienceOfAnotherProject, audienceAsPlainString, issuerOfAnotherProject, issuerTestBaseURL,
             issuerLiveBaseURL, subjectMissing, expAsString, sessionExpiredBeforeJWT,
             customIssuerWithBaseURL, customIssuerWithBaseURLTrailingSlash, customIssuerWithoutBaseURL,
             customIssuerWithBaseURLWrongAudience

        static let customDomain = "https://login.example.com"

        func token() throws -> String {
            switch self {
            case .audienceOfAnotherProject:
                return try Tokens.fixtureVariant(changes: ["aud": ["project-test-99999999-9999-4999-8999-999999999999"]])
            case .audienceAsPlainString:
                return try Tokens.fixtureVariant(changes: ["aud": Fixture.projectID])
            case .issuerOfAnotherProject:
                return try Tokens.fixtureVariant(changes: ["iss": "stytch.com/project-test-99999999-9999-4999-8999-999999999999"])
            case .issuerTestBaseURL:
                return try Tokens.fixtureVariant(changes: ["iss": "https://test.stytch.com"])
            case .issuerLiveBaseURL:
                return try Tokens.fixtureVariant(changes: ["iss": "https://api.stytch.com"])
            case .subjectMissing:
                return try Tokens.fixtureVariant(changes: ["sub": nil])
            case .expAsString:
                return try Tokens.fixtureVariant(changes: ["exp": String(Fixture.exp)])
            case .sessionExpiredBeforeJWT:
                let payload = setting("2026-01-01T00:02:00Z", at: ["https://stytch.com/session", "expires_at"], in: try Tokens.fixturePayload())
                return try Tokens.sign(payload: payload)
            case .customIssuerWithBaseURL, .customIssuerWithBaseURLTrailingSlash, .customIssuerWithoutBaseURL:
                return try Tokens.fixtureVariant(changes: ["iss": Self.customDomain])
            case .customIssuerWithBaseURLWrongAudience:
                return try Tokens.fixtureVariant(changes: [
                    "iss": Self.customDomain, "aud": ["project-test-99999999-9999-4999-8999-999999999999"],
                ])
            }
        }

        var flags: [String] {
            switch self {
            case .sessionExpiredBeforeJWT: ["--now", String(Fixture.iat + 180)]
            case .customIssuerWithBaseURL, .customIssuerWithBaseURLWrongAudience: ["--now", RejectedTests.now, "--base-url", Self.customDomain]
            case .customIssuerWithBaseURLTrailingSlash: ["--now", RejectedTests.now, "--base-url", Self.customDomain + "/"]
            default: ["--now", RejectedTests.now]
            }
        }

        /// The code expected (nil: verified) and the claim the message must name.
        var expected: (code: String?, names: String?) {
            switch self {
            case .audienceOfAnotherProject, .customIssuerWithBaseURLWrongAudience: ("audience_mismatch", "aud")
            case .audienceAsPlainString, .issuerTestBaseURL, .customIssuerWithBaseURL, .customIssuerWithBaseURLTrailingSlash: (nil, nil)
            case .issuerOfAnotherProject, .issuerLiveBaseURL, .customIssuerWithoutBaseURL: ("issuer_mismatch", "iss")
            case .subjectMissing: ("missing_claim", "sub")
            case .expAsString: ("malformed", "exp")
            case .sessionExpiredBeforeJWT: ("expired", "https://stytch.com/session.expires_at")
            }
        }
    }

    @Test("registered and Stytch claims, and --base-url issuers", arguments: ClaimCase.allCases)
    func claims(_ case_: ClaimCase) async throws {
        let result = try await CLI.verify([try case_.token()] + case_.flags + ["--json"])
        let (code, field) = case_.expected
        try expectOutcome(result, status: code == nil ? 0 : 1, code: code)
        if let field {
            #expect(try names(result.rejection().message, field), "message does not name \(field)\n\(result)")
        }
    }

    /// Tokens whose structure, header, key or signature is wrong.
    enum TokenCase: String, CaseIterable, Sendable {
        case tamperedSignature, tamperedPayload, signedByAnotherKey, unknownKid, algNone, algHS256, critHeader,
             typNotJWT, garbage, empty, twoSegments, fourSegments, paddedSignature, duplicateMember, oversize

        func token() throws -> String {
            let fixture = try Fixture.token()
            let segments = fixture.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            let header = ["alg": "RS256", "kid": Fixture.kid, "typ": "JWT"]
            switch self {
            case .tamperedSignature:
                // Change one character in the middle of the signature (not the last, whose low bits are padding).
                var signature = Array(segments[2])
                let middle = signature.count / 2
                signature[middle] = signature[middle] == "A" ? "B" : "A"
                return segments[0] + "." + segments[1] + "." + String(signature)
            case .tamperedPayload:
                // The payload with another organization slug, under the original signature.
                let payload = setting("evil", at: ["https://stytch.com/organization", "slug"], in: try Tokens.fixturePayload())
                return segments[0] + "." + TestBase64URL.encode(Data(try jsonText(payload).utf8)) + "." + segments[2]
            case .signedByAnotherKey:
                return try Tokens.sign(payload: try Tokens.fixturePayload(), with: TestingSigningKey())
            case .unknownKid:
                return try Tokens.sign(header: ["alg": "RS256", "kid": "jwk-test-unknown", "typ": "JWT"], payload: try Tokens.fixturePayload())
            case .algNone:
                return try Tokens.sign(header: ["alg": "none", "kid": Fixture.kid, "typ": "JWT"], payload: try Tokens.fixturePayload())
            case .algHS256:
                return try Tokens.sign(header: ["alg": "HS256", "kid": Fixture.kid, "typ": "JWT"], payload: try Tokens.fixturePayload())
            case .critHeader:
                return try Tokens.sign(header: header.merging(["crit": "exp"]) { $1 }, payload: try Tokens.fixturePayload())
            case .typNotJWT:
                return try Tokens.sign(header: header.merging(["typ": "at+jwt"]) { $1 }, payload: try Tokens.fixturePayload())
            case .garbage: return "garbage"
            case .empty: return ""
            case .twoSegments: return segments[0] + "." + segments[1]
            case .fourSegments: return fixture + "." + segments[2]
            case .paddedSignature: return fixture + "=="
            case .duplicateMember:
                // A validly signed payload naming `sub` twice: strict parsing must refuse it.
                var payload = try jsonText(try Tokens.fixturePayload())
                payload.insert(contentsOf: "\"sub\":\"member-test-attacker\",", at: payload.index(after: payload.startIndex))
                return try Tokens.signingKey().compactJWS(header: try jsonText(header), payload: payload)
            case .oversize:
                // Over SPEC §4's 16 KiB token limit, validly signed.
                var payload = try Tokens.fixturePayload()
                payload["padding"] = String(repeating: "x", count: 17 * 1024)
                return try Tokens.sign(payload: payload)
            }
        }

        var code: String {
            switch self {
            case .tamperedSignature, .tamperedPayload, .signedByAnotherKey: "invalid_signature"
            case .unknownKid: "unknown_key"
            case .algNone, .algHS256: "unsupported_algorithm"
            case .critHeader, .typNotJWT: "unsupported_header"
            case .garbage, .empty, .twoSegments, .fourSegments, .paddedSignature, .duplicateMember, .oversize: "malformed"
            }
        }
    }

    @Test("structure, header, key and signature failures", arguments: TokenCase.allCases)
    func tokens(_ case_: TokenCase) async throws {
        let token = try case_.token()
        // Tokens over a command line's comfort go through a file instead.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = token.utf8.count > 8 * 1024 ? ["--token-file", try directory.write("token.jwt", text: token)] : [token]
        let result = try await CLI.verify(input + ["--now", Self.now, "--json"])
        try expectOutcome(result, status: 1, code: case_.code)
    }

    @Test("--token-file - with nothing on standard input is a malformed token")
    func emptyStandardInput() async throws {
        let result = try await CLI.verify(["--token-file", "-", "--now", Self.now, "--json"])
        try expectOutcome(result, status: 1, code: "malformed")
    }

    @Test("a JWKS whose only key has another kid: unknown_key")
    func jwksWithAnotherKid() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var jwks = try Fixture.jsonObject(Fixture.jwksPath)
        var key = try #require((jwks["keys"] as? [[String: Any]])?.first)
        key["kid"] = "jwk-test-rotated"
        jwks["keys"] = [key]
        let path = try directory.write("jwks.json", json: jwks)
        let result = try await CLI.run([
            "verify", try Fixture.token(), "--jwks", path, "--project-id", Fixture.projectID, "--now", Self.now, "--json",
        ])
        try expectOutcome(result, status: 1, code: "unknown_key")
    }

    @Test("the MFA fixture: exit 1, mfa_required with the intermediate session token and options")
    func mfaRequired() async throws {
        let result = try await CLI.verify(["--response", Fixture.mfaResponsePath, "--now", Self.now, "--json"])
        #expect(result.status == 1, "\(result)")
        let rejection = try result.rejection(extraMembers: ["intermediate_session_token", "mfa_required"])
        #expect(rejection.code == "mfa_required", "\(result)")
        let object = try result.json()
        #expect(object["intermediate_session_token"] as? String == Fixture.intermediateSessionToken, "\(result)")
        let options = try #require(object["mfa_required"] as? [String: Any], "\(result)")
        #expect(options["secondary_auth_initiated"] as? String == "sms_otp", "\(result)")
        let memberOptions = try #require(options["member_options"] as? [String: Any], "\(result)")
        #expect(memberOptions["mfa_phone_number"] as? String == "+15555550123", "\(result)")
    }

    @Test("the MFA fixture without --json: exit 1 and an MFA REQUIRED summary")
    func mfaRequiredHuman() async throws {
        let result = try await CLI.verify(["--response", Fixture.mfaResponsePath, "--now", Self.now])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.hasPrefix("MFA REQUIRED"), "\(result)")
        #expect(!result.stdout.contains("VERIFIED"), "\(result)")
    }

    /// A field of the fixture response changed so it disagrees with the JWT (SPEC §5).
    struct MismatchCase: Sendable, CustomTestStringConvertible {
        let path: [String]
        let value: String
        var field: String { path.joined(separator: ".") }
        var testDescription: String { field }
    }

    static let mismatches: [MismatchCase] = [
        MismatchCase(path: ["member_session", "member_id"], value: "member-test-00000000-0000-4000-8000-0000000000bb"),
        MismatchCase(path: ["member_id"], value: "member-test-00000000-0000-4000-8000-0000000000bb"),
        MismatchCase(path: ["member", "member_id"], value: "member-test-00000000-0000-4000-8000-0000000000bb"),
        MismatchCase(path: ["member_session", "member_session_id"], value: "member-session-test-00000000-0000-4000-8000-0000000000cc"),
        MismatchCase(path: ["organization_id"], value: "organization-test-00000000-0000-4000-8000-0000000000dd"),
        MismatchCase(path: ["organization", "organization_slug"], value: "globex"),
        MismatchCase(path: ["member_session", "expires_at"], value: "2026-01-01T03:00:00Z"),
    ]

    @Test("a response disagreeing with its JWT: session_mismatch naming the field", arguments: mismatches)
    func sessionMismatch(_ case_: MismatchCase) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let response = setting(case_.value, at: case_.path[...], in: try Fixture.jsonObject(Fixture.responsePath))
        let path = try directory.write("response.json", json: response)
        let result = try await CLI.verify(["--response", path, "--now", Self.now, "--json"])
        try expectOutcome(result, status: 1, code: "session_mismatch")
        #expect(try names(result.rejection().message, case_.field), "message does not name \(case_.field)\n\(result)")
    }

    @Test("a response whose member_session.roles differ: session_mismatch")
    func rolesMismatch() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let response = setting(["stytch_member", "stytch_admin"], at: ["member_session", "roles"], in: try Fixture.jsonObject(Fixture.responsePath))
        let path = try directory.write("response.json", json: response)
        let result = try await CLI.verify(["--response", path, "--now", Self.now, "--json"])
        try expectOutcome(result, status: 1, code: "session_mismatch")
        #expect(try names(result.rejection().message, "member_session.roles"), "\(result)")
    }
}

// MARK: - No token echo

@Suite("stytch-jwt never echoes a token's signature")
struct NoEchoTests {
    enum Run: String, CaseIterable, Sendable {
        case verified, verifiedJSON, expired, expiredJSON, tamperedJSON, response, responseJSON, tokenFile,
             standardInput, mismatchedProjectJSON, twoInputs, inspect, inspectJSON,
             twoPositionalTokens, misspelledSubcommand, inspectWithExtraArgument
    }

    // SPEC §4: messages are safe to log and never echo a whole token. The last three runs are
    // usage errors whose ArgumentParser message ("Unexpected argument '<token>'") quotes the
    // whole token on standard error.

    @Test("stdout and stderr never contain the signature segment", arguments: Run.allCases)
    func noSignatureInOutput(_ run: Run) async throws {
        let token = try Fixture.token()
        let signature = try Fixture.signatureSegment()
        let now = ["--now", String(Fixture.now)]
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result: RunResult
        var tampered = signature
        switch run {
        case .verified: result = try await CLI.verify([token] + now, checkNoTokenEcho: false)
        case .verifiedJSON: result = try await CLI.verify([token, "--json"] + now, checkNoTokenEcho: false)
        case .expired: result = try await CLI.verify([token], checkNoTokenEcho: false)
        case .expiredJSON: result = try await CLI.verify([token, "--json"], checkNoTokenEcho: false)
        case .tamperedJSON:
            let tamperedToken = try RejectedTests.TokenCase.tamperedSignature.token()
            tampered = try #require(tamperedToken.split(separator: ".").last.map(String.init))
            #expect(tampered != signature)
            result = try await CLI.verify([tamperedToken, "--json"] + now, checkNoTokenEcho: false)
        case .response: result = try await CLI.verify(["--response", Fixture.responsePath] + now, checkNoTokenEcho: false)
        case .responseJSON: result = try await CLI.verify(["--response", Fixture.responsePath, "--json"] + now, checkNoTokenEcho: false)
        case .tokenFile: result = try await CLI.verify(["--token-file", try directory.write("t", text: token)] + now, checkNoTokenEcho: false)
        case .standardInput: result = try await CLI.verify(["--token-file", "-", "--json"], stdin: Data(token.utf8), checkNoTokenEcho: false)
        case .mismatchedProjectJSON:
            result = try await CLI.run(["verify", token, "--jwks", Fixture.jwksPath, "--project-id", "project-live-x", "--json"], checkNoTokenEcho: false)
        case .twoInputs: result = try await CLI.verify([token, "--token-file", try directory.write("t", text: token), "--json"], checkNoTokenEcho: false)
        case .inspect: result = try await CLI.run(["inspect", token], checkNoTokenEcho: false)
        case .inspectJSON: result = try await CLI.run(["inspect", token, "--json"], checkNoTokenEcho: false)
        case .twoPositionalTokens: result = try await CLI.verify([token, token] + now, checkNoTokenEcho: false)
        case .misspelledSubcommand: result = try await CLI.run(["verfy", token], checkNoTokenEcho: false)
        case .inspectWithExtraArgument: result = try await CLI.run(["inspect", "--json", "extra", token], checkNoTokenEcho: false)
        }
        #expect(!(result.stdout + result.stderr).isEmpty, "\(result)")
        for secret in Set([signature, tampered]) {
            #expect(!result.stdout.contains(secret), "stdout contains a signature\n\(result)")
            #expect(!result.stderr.contains(secret), "stderr contains a signature\n\(result)")
        }
    }
}

// MARK: - Usage and unreadable input (exit 2)

@Suite("stytch-jwt: usage errors and unreadable input exit 2")
struct UsageTests {
    enum Case: String, CaseIterable, Sendable {
        case noInput, tokenAndTokenFile, tokenAndResponse, unknownFlag, missingProjectID, emptyProjectID,
             jwksAndJWKSURL, jwksURLNotHTTPS, projectIDWithoutKnownPrefix, negativeLeeway, negativeLeewayAttached, negativeMaxTokenAge, nonFiniteNow, httpBaseURL,
             baseURLWithPath, unreadableTokenFile, tokenFileIsDirectory, oversizeTokenFile, unreadableResponse,
             responseNotJSON, responseStatus400, responseStytchErrorBody, unknownSubcommand, twoPositionalTokens,
             inspectWithoutToken

        /// The arguments, with any file they need written to `directory`.
        func arguments(in directory: TemporaryDirectory) throws -> [String] {
            let token = try Fixture.token()
            let keys = CLI.keysAndProject
            let now = ["--now", String(Fixture.now)]
            switch self {
            case .noInput: return ["verify"] + keys + now
            case .tokenAndTokenFile: return ["verify", token, "--token-file", try directory.write("t", text: token)] + keys + now
            case .tokenAndResponse: return ["verify", token, "--response", Fixture.responsePath] + keys + now
            case .unknownFlag: return ["verify", token, "--bogus"] + keys + now
            case .missingProjectID: return ["verify", token, "--jwks", Fixture.jwksPath] + now
            case .emptyProjectID: return ["verify", token, "--jwks", Fixture.jwksPath, "--project-id", ""] + now
            case .jwksAndJWKSURL: return ["verify", token, "--jwks-url", "https://keys.example.com/jwks"] + keys + now
            case .jwksURLNotHTTPS: return ["verify", token, "--jwks-url", "http://keys.example.com/jwks", "--project-id", Fixture.projectID] + now
            case .projectIDWithoutKnownPrefix: return ["verify", token, "--project-id", "project-other-1"] + now
            case .negativeLeeway: return ["verify", token] + keys + now + ["--leeway", "-1"]
            case .negativeLeewayAttached: return ["verify", token] + keys + now + ["--leeway=-1"]
            case .negativeMaxTokenAge: return ["verify", token] + keys + now + ["--max-token-age=-5"]
            case .nonFiniteNow: return ["verify", token] + keys + ["--now", "nan"]
            case .httpBaseURL: return ["verify", token] + keys + now + ["--base-url", "http://x"]
            case .baseURLWithPath: return ["verify", token] + keys + now + ["--base-url", "https://login.example.com/v1"]
            case .unreadableTokenFile: return ["verify", "--token-file", directory.path("does-not-exist.jwt")] + keys + now
            case .tokenFileIsDirectory: return ["verify", "--token-file", directory.url.path] + keys + now
            case .oversizeTokenFile:
                // Over the tool's 1 MiB input cap (CommandLineTool.md): refused before decoding.
                let path = try directory.write("huge.jwt", Data(repeating: UInt8(ascii: "A"), count: (1 << 20) + 1))
                return ["verify", "--token-file", path] + keys + now
            case .unreadableResponse: return ["verify", "--response", directory.path("does-not-exist.json")] + keys + now
            case .responseNotJSON:
                return ["verify", "--response", try directory.write("response.json", text: "<html>502 Bad Gateway</html>")] + keys + now
            case .responseStatus400:
                var response = try Fixture.jsonObject(Fixture.responsePath)
                response["status_code"] = 400
                return ["verify", "--response", try directory.write("response.json", json: response)] + keys + now
            case .responseStytchErrorBody:
                let body: [String: Any] = [
                    "status_code": 401, "request_id": "request-id-test-00000000-0000-4000-8000-0000000000ee",
                    "error_type": "unauthorized_credentials", "error_message": "Unauthorized credentials.",
                    "error_url": "https://stytch.com/docs/api/errors/401",
                ]
                return ["verify", "--response", try directory.write("response.json", json: body)] + keys + now
            case .unknownSubcommand: return ["verfy"]
            case .twoPositionalTokens: return ["verify", "a.b.c", "d.e.f"] + keys + now
            case .inspectWithoutToken: return ["inspect"]
            }
        }

        /// A word the message on standard error must contain (case-insensitive).
        var stderrMentions: String {
            switch self {
            case .noInput, .tokenAndTokenFile, .tokenAndResponse: "exactly one input"
            case .unknownFlag: "--bogus"
            case .missingProjectID: "project-id"
            case .emptyProjectID: "project ID is empty"
            case .jwksAndJWKSURL: "at most one of --jwks and --jwks-url"
            case .jwksURLNotHTTPS: "--jwks-url"
            case .projectIDWithoutKnownPrefix: "--project-id: project ID is neither"
            case .negativeLeeway, .negativeLeewayAttached: "leeway"
            case .negativeMaxTokenAge: "maximum token age"
            case .nonFiniteNow: "now"
            case .httpBaseURL, .baseURLWithPath: "base-url"
            case .unreadableTokenFile, .tokenFileIsDirectory, .oversizeTokenFile: "--token-file"
            case .unreadableResponse, .responseNotJSON: "--response"
            case .responseStytchErrorBody: "status_code 401 (error_type unauthorized_credentials)"
            case .responseStatus400: "status_code 400"
            case .unknownSubcommand: "usage: stytch-jwt <subcommand>"
            case .twoPositionalTokens: "unexpected argument"
            case .inspectWithoutToken: "token"
            }
        }

        /// A value the library refuses as `invalid_configuration` (SPEC §4), rather than arguments
        /// of the wrong shape: with `--json`, the error object carries that code.
        var isConfiguration: Bool {
            switch self {
            case .emptyProjectID, .jwksURLNotHTTPS, .projectIDWithoutKnownPrefix, .negativeLeewayAttached, .negativeMaxTokenAge,
                 .httpBaseURL, .baseURLWithPath:
                true
            default: false
            }
        }
    }

    @Test("exit 2, a message on stderr, nothing on stdout (with and without --json)", arguments: Case.allCases, [false, true])
    func usage(_ case_: Case, json: Bool) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await CLI.run(try case_.arguments(in: directory) + (json ? ["--json"] : []))
        #expect(result.status == 2, "\(result)")
        #expect(!result.stdout.contains("VERIFIED") && !result.stdout.contains("\"valid\":true"), "\(result)")
        if json && case_.isConfiguration {
            // An error with a stable code is reported as the JSON object, like keys_unavailable.
            let rejection = try result.rejection()
            #expect(rejection.code == "invalid_configuration", "\(result)")
            #expect(rejection.message.lowercased().contains(case_.stderrMentions.lowercased()), "message does not mention \(case_.stderrMentions)\n\(result)")
            #expect(result.stderr.isEmpty, "\(result)")
        } else {
            #expect(result.stderr.lowercased().contains(case_.stderrMentions.lowercased()), "stderr does not mention \(case_.stderrMentions)\n\(result)")
            // CommandLineTool.md: other usage errors print to standard error only.
            #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(result)")
        }
    }
}

// MARK: - Keys unavailable (exit 3)

@Suite("stytch-jwt: keys unavailable exit 3")
struct KeysUnavailableTests {
    enum Case: String, CaseIterable, Sendable {
        case missingFile, notJSON, noKeysMember, emptyKeys, onlyKeyForEncryption, onlyKeyWithoutVerifyOp,
             onlyKeyForRS512, onlyKeyWithSmallExponent, duplicateKid

        /// The `--jwks` path, with its file written to `directory`.
        func jwksPath(in directory: TemporaryDirectory) throws -> String {
            let jwks = try Fixture.jsonObject(Fixture.jwksPath)
            let key = try #require((jwks["keys"] as? [[String: Any]])?.first)
            func withOnlyKey(_ changes: [String: Any]) throws -> String {
                try directory.write("jwks.json", json: jwks.merging(["keys": [key.merging(changes) { $1 }]]) { $1 })
            }
            switch self {
            case .missingFile: return directory.path("does-not-exist.json")
            case .notJSON: return try directory.write("jwks.json", text: "not json {")
            case .noKeysMember: return try directory.write("jwks.json", json: ["request_id": "x", "status_code": 200])
            case .emptyKeys: return try directory.write("jwks.json", json: ["keys": [Any]()])
            case .onlyKeyForEncryption: return try withOnlyKey(["use": "enc"])
            case .onlyKeyWithoutVerifyOp: return try withOnlyKey(["key_ops": ["encrypt"]])
            case .onlyKeyForRS512: return try withOnlyKey(["alg": "RS512"])
            case .onlyKeyWithSmallExponent: return try withOnlyKey(["e": "Aw"])
            case .duplicateKid: return try directory.write("jwks.json", json: jwks.merging(["keys": [key, key]]) { $1 })
            }
        }
    }

    enum Input: String, CaseIterable, Sendable { case token, response }

    @Test("with --json: exit 3 and code keys_unavailable", arguments: Case.allCases, Input.allCases)
    func keysUnavailableJSON(_ case_: Case, input: Input) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let inputArguments = input == .token ? [try Fixture.token()] : ["--response", Fixture.responsePath]
        let result = try await CLI.run(["verify"] + inputArguments + [
            "--jwks", try case_.jwksPath(in: directory), "--project-id", Fixture.projectID,
            "--now", String(Fixture.now), "--json",
        ])
        #expect(result.status == 3, "\(result)")
        #expect(try result.rejection().code == "keys_unavailable", "\(result)")
    }

    @Test("without --json: exit 3 and a message, never VERIFIED", arguments: Case.allCases)
    func keysUnavailableHuman(_ case_: Case) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await CLI.run([
            "verify", try Fixture.token(), "--jwks", try case_.jwksPath(in: directory),
            "--project-id", Fixture.projectID, "--now", String(Fixture.now),
        ])
        #expect(result.status == 3, "\(result)")
        // Keys failures are not a verdict on the token: one message on standard error, nothing on stdout.
        #expect(result.stderr.contains("keys unavailable"), "\(result)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(result)")
    }
}

// MARK: - inspect and help

@Suite("stytch-jwt inspect and --help")
struct InspectAndHelpTests {
    @Test("inspect TOKEN: exit 0, marked UNVERIFIED, shows the claims")
    func inspect() async throws {
        let result = try await CLI.run(["inspect", try Fixture.token()])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("UNVERIFIED"), "\(result)")
        #expect(result.stdout.contains(Fixture.memberID), "\(result)")
        #expect(!result.stdout.contains("VERIFIED  "), "\(result)")
    }

    @Test("inspect decodes a token that would not verify, still marked UNVERIFIED")
    func inspectForgedToken() async throws {
        let forged = try Tokens.sign(payload: try Tokens.fixturePayload(), with: TestingSigningKey())
        let result = try await CLI.run(["inspect", forged, "--json"])
        #expect(result.status == 0, "\(result)")
        let payload = try #require(try result.json()["payload"] as? [String: Any], "\(result)")
        #expect(payload["sub"] as? String == Fixture.memberID, "\(result)")
        #expect(result.jsonBool("verified") == false, "\(result)")
    }

    @Test("inspect --json: verified false, the header with alg RS256, the payload")
    func inspectJSON() async throws {
        let result = try await CLI.run(["inspect", try Fixture.token(), "--json"])
        #expect(result.status == 0, "\(result)")
        let object = try result.json()
        #expect(result.jsonBool("verified") == false, "\(result)")
        #expect(object["valid"] == nil, "inspect must not claim validity\n\(result)")
        let header = try #require(object["header"] as? [String: Any], "\(result)")
        #expect(header["alg"] as? String == "RS256", "\(result)")
        #expect(header["kid"] as? String == Fixture.kid, "\(result)")
        let payload = try #require(object["payload"] as? [String: Any], "\(result)")
        #expect(payload["sub"] as? String == Fixture.memberID, "\(result)")
        #expect(payload["exp"] as? Int == Fixture.exp, "\(result)")
    }

    @Test("inspect garbage: exit 1, malformed", arguments: [false, true])
    func inspectGarbage(json: Bool) async throws {
        let result = try await CLI.run(["inspect", "garbage"] + (json ? ["--json"] : []))
        #expect(result.status == 1, "\(result)")
        #expect(!result.stdout.contains("UNVERIFIED:"), "\(result)")
        if json {
            #expect(try result.rejection().code == "malformed", "\(result)")
        } else {
            #expect(result.stdout.contains("malformed"), "\(result)")
        }
    }

    @Test("--help: exit 0 and the subcommands and exit codes", arguments: [["--help"], ["verify", "--help"], ["help", "verify"]])
    func help(_ arguments: [String]) async throws {
        let result = try await CLI.run(arguments)
        #expect(result.status == 0, "\(result)")
        if arguments == ["--help"] {
            #expect(result.stdout.contains("verify") && result.stdout.contains("inspect"), "\(result)")
        } else {
            #expect(result.stdout.contains("--project-id") && result.stdout.contains("--token-file"), "\(result)")
        }
        #expect(result.stdout.contains("Exit codes"), "\(result)")
    }
}

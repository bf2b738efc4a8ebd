import Foundation
import StytchJWTCore
import StytchJWTTestSupport
import Testing

/// SPEC §5: authenticate responses decoded, verified and cross-checked against their JWT.
@Suite("Authenticate responses")
struct AuthenticateResponseTests {
    static let passwordResponse = TokenFactory.contents(of: "Fixtures/password-authenticate-response.json")
    static let mfaResponse = TokenFactory.contents(of: "Fixtures/mfa-required-response.json")

    /// The password response as a mutable JSON tree.
    static func responseObject(_ text: String = passwordResponse) -> [String: Any] {
        // swiftlint:disable:next force_cast
        try! JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    static func bytes(_ object: [String: Any]) -> [UInt8] {
        [UInt8](try! JSONSerialization.data(withJSONObject: object))
    }

    static func outcome(_ bytes: [UInt8]) throws(StytchJWTError) -> AuthenticateOutcome {
        try TokenFactory.verifier().verify(authenticateResponse: bytes)
    }

    @Test("the bundled password response verifies and exposes the session and the response")
    func passwordResponseVerifies() throws {
        let member = try Self.outcome(Array(Self.passwordResponse.utf8)).requireSession()
        #expect(member.session.memberID == TokenFactory.memberID)
        #expect(member.session.organizationSlug == "acme")
        #expect(member.response.member.emailAddress == "ada@acme.example")
        #expect(member.response.organization.organizationName == "Acme Corp")
        #expect(member.response.requestID.hasPrefix("request-id-test-"))
        #expect(member.response.memberSession?.roles == ["editor", "stytch_member"])
        #expect(member.session.roles == ["stytch_member", "editor"])
    }

    @Test("member_authenticated false gives the typed MFA outcome, and requireSession throws mfa_required")
    func mfaOutcome() throws {
        let outcome = try Self.outcome(Array(Self.mfaResponse.utf8))
        guard case .mfaRequired(let pending) = outcome else {
            Issue.record("expected the MFA outcome, got \(outcome)")
            return
        }
        #expect(pending.intermediateSessionToken == "SeiGwdj5lKkrEVgcEY3QNJXt6srxS3IK2Nwkar6mXD4")
        #expect(pending.memberID == TokenFactory.memberID)
        #expect(pending.organizationID == TokenFactory.organizationID)
        #expect(pending.mfaRequired?.secondaryAuthInitiated == "sms_otp")
        #expect(pending.intermediateSessionTokenExpiresAt == RFC3339Timestamp("2026-01-01T00:10:00Z"))
        #expect(throws: StytchJWTError(.mfaRequired, "")) { try outcome.requireSession() }
        #expect(!pending.error.message.contains(pending.intermediateSessionToken))
    }

    @Test("MFA outcome without an intermediate session token is malformed")
    func mfaWithoutIntermediateToken() {
        var object = Self.responseObject(Self.mfaResponse)
        object["intermediate_session_token"] = ""
        #expect(throws: StytchJWTError(.malformed, "")) { try Self.outcome(Self.bytes(object)) }
    }

    @Test("member_authenticated true without member_session or session_jwt is missing_claim")
    func authenticatedWithoutSession() {
        var object = Self.responseObject()
        object["member_session"] = NSNull()
        #expect(throws: StytchJWTError(.missingClaim, "")) { try Self.outcome(Self.bytes(object)) }
        object = Self.responseObject()
        object["session_jwt"] = ""
        #expect(throws: StytchJWTError(.missingClaim, "")) { try Self.outcome(Self.bytes(object)) }
    }

    struct Mismatch: Sendable, CustomTestStringConvertible {
        let field: String
        let mutate: @Sendable (inout [String: Any]) -> Void
        var testDescription: String { field }
    }

    static func setting(_ path: [String], _ json: JSONValue) -> @Sendable (inout [String: Any]) -> Void {
        { object in
            let value = try! JSONSerialization.jsonObject(with: Data(json.jsonText.utf8), options: .fragmentsAllowed)
            func set(_ path: ArraySlice<String>, in node: Any) -> Any {
                guard let key = path.first else { return value }
                var dictionary = node as! [String: Any]
                dictionary[key] = set(path.dropFirst(), in: dictionary[key] as Any)
                return dictionary
            }
            object = set(path[...], in: object) as! [String: Any]
        }
    }

    static func factor(_ type: String, _ deliveryMethod: String) -> JSONValue {
        .object(["type": .string(type), "delivery_method": .string(deliveryMethod), "last_authenticated_at": .string("2026-01-01T00:00:00Z")])
    }

    static let mismatches: [Mismatch] = [
        Mismatch(field: "member_id", mutate: setting(["member_id"], .string("member-test-other"))),
        Mismatch(field: "member_session.member_id", mutate: setting(["member_session", "member_id"], .string("member-test-other"))),
        Mismatch(field: "member.member_id", mutate: setting(["member", "member_id"], .string("member-test-other"))),
        Mismatch(field: "member_session.member_session_id", mutate: setting(["member_session", "member_session_id"], .string("member-session-test-other"))),
        Mismatch(field: "organization_id", mutate: setting(["organization_id"], .string("organization-test-other"))),
        Mismatch(field: "member_session.organization_id", mutate: setting(["member_session", "organization_id"], .string("organization-test-other"))),
        Mismatch(field: "organization.organization_id", mutate: setting(["organization", "organization_id"], .string("organization-test-other"))),
        Mismatch(field: "organization.organization_slug", mutate: setting(["organization", "organization_slug"], .string("other"))),
        Mismatch(field: "member_session.organization_slug", mutate: setting(["member_session", "organization_slug"], .string("other"))),
        Mismatch(field: "member_session.started_at", mutate: setting(["member_session", "started_at"], .string("2026-01-01T00:00:00.000000001Z"))),
        Mismatch(field: "member_session.expires_at", mutate: setting(["member_session", "expires_at"], .string("2026-01-01T03:00:00Z"))),
        Mismatch(field: "member_session.roles", mutate: setting(["member_session", "roles"], TokenFactory.strings("stytch_member"))),
        Mismatch(field: "member_session.roles", mutate: setting(["member_session", "roles"], TokenFactory.strings("stytch_member", "editor", "stytch_admin"))),
        Mismatch(field: "member_session.authentication_factors", mutate: setting(["member_session", "authentication_factors"], .array([]))),
        Mismatch(field: "member_session.authentication_factors", mutate: setting(["member_session", "authentication_factors"], .array([factor("password", "email")]))),
        Mismatch(field: "member_session.authentication_factors", mutate: setting(["member_session", "authentication_factors"], .array([factor("magic_link", "knowledge")]))),
        Mismatch(field: "member_session.authentication_factors", mutate: setting(["member_session", "authentication_factors"], .array([factor("password", "knowledge"), factor("password", "knowledge")]))),
    ]

    @Test("each disagreeing field is a session_mismatch naming it", arguments: mismatches)
    func mismatch(_ case: Mismatch) {
        var object = Self.responseObject()
        `case`.mutate(&object)
        do {
            _ = try Self.outcome(Self.bytes(object))
            Issue.record("a response with a different \(`case`.field) verified")
        } catch {
            #expect(error.code == .sessionMismatch)
            #expect(error.message.hasPrefix(`case`.field + " "), "message \(error.message) should name \(`case`.field)")
        }
    }

    @Test("roles in another order, equal instants written with other precision or offsets, agree")
    func equivalentRepresentations() throws {
        var object = Self.responseObject()
        Self.setting(["member_session", "roles"], TokenFactory.strings("editor", "stytch_member"))(&object)
        Self.setting(["member_session", "started_at"], .string("2026-01-01T01:00:00+01:00"))(&object)
        Self.setting(["member_session", "expires_at"], .string("2026-01-01T02:00:00.000000000Z"))(&object)
        let member = try Self.outcome(Self.bytes(object)).requireSession()
        #expect(member.session.memberSessionID == TokenFactory.sessionID)
    }

    @Test("factor sub-object ids take part in the cross-check")
    func factorSubObjectIDs() throws {
        let factor: JSONValue = .object([
            "type": .string("magic_link"), "delivery_method": .string("email"),
            "email_factor": .object(["email_id": .string("email-test-1"), "email_address": .string("ada@acme.example")]),
        ])
        let payload = TokenFactory.payload(setting: TokenFactory.sessionClaim, "authentication_factors", to: .array([factor]))
        var object = Self.responseObject()
        object["session_jwt"] = TokenFactory.token(payload: payload)
        Self.setting(["member_session", "authentication_factors"], .array([factor]))(&object)
        #expect(throws: Never.self) { try Self.outcome(Self.bytes(object)).requireSession() }

        let otherEmail: JSONValue = .object([
            "type": .string("magic_link"), "delivery_method": .string("email"),
            "email_factor": .object(["email_id": .string("email-test-2"), "email_address": .string("ada@acme.example")]),
        ])
        Self.setting(["member_session", "authentication_factors"], .array([otherEmail]))(&object)
        #expect(throws: StytchJWTError(.sessionMismatch, "")) { try Self.outcome(Self.bytes(object)) }
    }

    @Test("a JWT rejection inside a response keeps its own code")
    func jwtRejectionInsideResponse() {
        var object = Self.responseObject()
        object["session_jwt"] = TokenFactory.token(payload: TokenFactory.defaultPayload, key: TokenFactory.otherKey)
        #expect(throws: StytchJWTError(.invalidSignature, "")) { try Self.outcome(Self.bytes(object)) }
        #expect(throws: StytchJWTError(.expired, "")) {
            try TokenFactory.verifier(at: Double(TokenFactory.exp)).verify(authenticateResponse: Array(Self.passwordResponse.utf8))
        }
    }

    struct BadBody: Sendable, CustomTestStringConvertible {
        let name: String
        let body: [UInt8]
        var testDescription: String { name }
    }

    static let badBodies: [BadBody] = {
        var notSuccess = responseObject()
        notSuccess["status_code"] = 400
        var missing = responseObject()
        missing["member_id"] = nil
        var wrongType = responseObject()
        wrongType["member_authenticated"] = "yes"
        let duplicate = passwordResponse.replacingOccurrences(of: "\"status_code\": 200,", with: "\"status_code\": 200, \"status_code\": 200,")
        return [
            BadBody(name: "not JSON", body: Array("not json".utf8)),
            BadBody(name: "a JSON array", body: Array("[]".utf8)),
            BadBody(name: "status_code 400", body: bytes(notSuccess)),
            BadBody(name: "member_id missing", body: bytes(missing)),
            BadBody(name: "member_authenticated not a Boolean", body: bytes(wrongType)),
            BadBody(name: "duplicate member names", body: Array(duplicate.utf8)),
            BadBody(name: "over 1 MiB", body: [UInt8](repeating: 0x20, count: (1 << 20) + 1)),
        ]
    }()

    @Test("a body that is not a successful authenticate response is malformed", arguments: badBodies)
    func badBody(_ body: BadBody) {
        #expect(throws: StytchJWTError(.malformed, "")) { try B2BAuthenticateResponse(json: body.body) }
        #expect(throws: StytchJWTError(.malformed, "")) { try Self.outcome(body.body) }
    }

    @Test("the duplicate-member fixture really has a duplicate (guards the test above)")
    func duplicateGuard() {
        #expect(Self.badBodies.first { $0.name == "duplicate member names" }!.body.count > Self.passwordResponse.utf8.count)
    }

    @Test("unknown members anywhere in the response are ignored")
    func unknownMembersIgnored() throws {
        var object = Self.responseObject()
        object["brand_new_field"] = ["nested": true]
        Self.setting(["member", "future_member_field"], TokenFactory.int(42))(&object)
        Self.setting(["member_session", "future_session_field"], .string("x"))(&object)
        #expect(throws: Never.self) { try Self.outcome(Self.bytes(object)).requireSession() }
    }
}

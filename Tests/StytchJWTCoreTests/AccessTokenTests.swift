import Foundation
import StytchJWTCore
import StytchJWTTestSupport
import Testing

/// SPEC §9: M2M and Connected Apps access tokens, the kinds never standing in for each other.
@Suite("Access tokens")
struct AccessTokenTests {
    typealias F = TokenFactory

    static let m2mFixture = F.contents(of: "Fixtures/m2m-access-token.jwt").trimmingCharacters(in: .whitespacesAndNewlines)
    static let connectedAppsFixture = F.contents(of: "Fixtures/connected-apps-access-token.jwt").trimmingCharacters(in: .whitespacesAndNewlines)

    static func m2mPayload(scope: JSONValue? = .string("read:users write:users")) -> [String: JSONValue] {
        var payload = F.payload(removing: F.organizationClaim, from: F.payload(removing: F.sessionClaim))
        payload["sub"] = .string("m2m-client-test-1")
        payload["scope"] = scope
        return payload
    }

    static func connectedAppsPayload(scope: String = "openid read:documents") -> [String: JSONValue] {
        var payload = F.payload(removing: F.sessionClaim)
        payload["scope"] = .string(scope)
        payload["client_id"] = .string("connected-app-test-1")
        return payload
    }

    @Test("the M2M fixture verifies: client, scopes, custom claims, a lifetime of an hour")
    func m2mFixture() throws {
        let token = try F.verifier().verify(m2mToken: Self.m2mFixture, requiredScopes: ["read:users", "admin"])
        #expect(token.clientID.hasPrefix("m2m-client-test-"))
        #expect(token.scopes == ["read:users", "write:users", "admin"])
        #expect(token.customClaims == ["tenant": .string("acme")])
        #expect(token.jwt.expiresAt - token.jwt.issuedAt == 3600)
        #expect(token.jwt.keyID == F.kid)
    }

    @Test("the Connected Apps fixture verifies: member, organization, scopes, client_id among the custom claims")
    func connectedAppsFixture() throws {
        let token = try F.verifier().verify(accessToken: Self.connectedAppsFixture)
        #expect(token.memberID == F.memberID)
        #expect(token.organizationID == F.organizationID)
        #expect(token.organizationSlug == "acme")
        #expect(token.scopes == ["openid", "profile", "read:documents"])
        #expect(token.customClaims["client_id"]?.stringValue?.hasPrefix("connected-app-test-") == true)
        #expect(token.customClaims["scope"] == nil)
    }

    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case session, m2m, connectedApps
        var token: String {
            switch self {
            case .session: F.token()
            case .m2m: F.token(payload: AccessTokenTests.m2mPayload())
            case .connectedApps: F.token(payload: AccessTokenTests.connectedAppsPayload())
            }
        }
        var testDescription: String { rawValue }
    }

    @Test("kinds never stand in for each other: every pair is wrong_token_kind, naming both", arguments: Kind.allCases, Kind.allCases)
    func kinds(_ given: Kind, _ expected: Kind) async throws {
        let error = await Self.error(verifying: given.token, as: expected)
        if given == expected {
            #expect(error == nil)
        } else {
            #expect(error?.code == .wrongTokenKind)
            let names = ["session JWT", "M2M access token", "Connected Apps access token"]
            #expect(names.filter { error?.message.contains($0) == true }.count == 2, "\(error?.message ?? "")")
        }
    }

    static func error(verifying token: String, as kind: Kind) async -> StytchJWTError? {
        do {
            let verifier = try F.verifier()
            switch kind {
            case .session: _ = try await verifier.verify(sessionJWT: token)
            case .m2m: _ = try await verifier.verify(m2mToken: token)
            case .connectedApps: _ = try await verifier.verify(accessToken: token)
            }
            return nil
        } catch {
            return error
        }
    }

    @Test("verify(token:accepting:) reads the kind from the claims and names every kind it accepts when it refuses one")
    func acceptingSeveralKinds() async throws {
        let verifier = try F.verifier()
        guard case .m2m(let token) = try await verifier.verify(token: Kind.m2m.token, accepting: [.session, .m2m], requiredScopes: ["read:users"]) else {
            Issue.record("an M2M token was not read as one"); return
        }
        #expect(token.clientID == "m2m-client-test-1")
        guard case .session = try await verifier.verify(token: Kind.session.token, accepting: [.session, .m2m]) else {
            Issue.record("a session JWT was not read as one"); return
        }
        let error = await #expect(throws: StytchJWTError.self) { try await verifier.verify(token: Kind.connectedApps.token, accepting: [.session, .m2m]) }
        #expect(error?.code == .wrongTokenKind)
        #expect(error?.message == "the token is a Connected Apps access token, not a session JWT or M2M access token")
        await #expect(throws: StytchJWTError(.insufficientScope, "")) {
            try await verifier.verify(token: Kind.m2m.token, accepting: [.m2m], requiredScopes: ["admin"])
        }
    }

    @Test("a session JWT the token cache holds is still wrong_token_kind as an access token")
    func tokenCacheKeepsKinds() throws {
        let verifier = try F.verifier()
        let token = F.token()
        _ = try verifier.verify(sessionJWT: token)
        _ = try verifier.verify(sessionJWT: token)  // a cache hit
        #expect(throws: StytchJWTError(.wrongTokenKind, "")) { try verifier.verify(m2mToken: token) }
        #expect(throws: StytchJWTError(.wrongTokenKind, "")) { try verifier.verify(accessToken: token) }
    }

    @Test("missing scopes are insufficient_scope naming them, with an RFC 6750 challenge")
    func insufficientScope() throws {
        let token = F.token(payload: Self.m2mPayload())
        let error = #expect(throws: StytchJWTError.self) {
            try F.verifier().verify(m2mToken: token, requiredScopes: ["read:users", "delete:users", "admin"])
        }
        #expect(error?.code == .insufficientScope)
        #expect(error?.missingScopes == ["delete:users", "admin"])
        let failure = StytchHTTPAuthentication.Failure(try #require(error))
        #expect(failure.status == 403)
        #expect(failure.wwwAuthenticate == #"Bearer error="insufficient_scope", scope="delete:users admin""#)
    }

    @Test("scope must be a string; neither scope nor session claim is missing_claim", arguments: [JSONValue.number(JSONNumber(1)), .array([.string("a")]), .null])
    func scopeTypes(_ scope: JSONValue) {
        let token = F.token(payload: Self.m2mPayload(scope: scope))
        #expect(throws: StytchJWTError(.malformed, "")) { try F.verifier().verify(m2mToken: token) }
    }

    @Test("a token with neither scope nor the session claim is missing_claim for every kind")
    func noKind() {
        let token = F.token(payload: Self.m2mPayload(scope: nil))
        #expect(throws: StytchJWTError(.missingClaim, "")) { try F.verifier().verify(m2mToken: token) }
        #expect(throws: StytchJWTError(.missingClaim, "")) { try F.verifier().verify(accessToken: token) }
        #expect(throws: StytchJWTError(.missingClaim, "")) { try F.verifier().verify(sessionJWT: token) }
    }

    @Test("access tokens keep the session JWT's rules: issuer, audience, times, signature")
    func registeredRules() throws {
        var payload = Self.m2mPayload()
        payload["iss"] = .string("stytch.com/project-test-other")
        #expect(throws: StytchJWTError(.issuerMismatch, "")) { try F.verifier().verify(m2mToken: F.token(payload: payload)) }
        payload = Self.m2mPayload()
        payload["aud"] = .array([.string("project-test-other")])
        #expect(throws: StytchJWTError(.audienceMismatch, "")) { try F.verifier().verify(m2mToken: F.token(payload: payload)) }
        #expect(throws: StytchJWTError(.expired, "")) { try F.verifier(at: F.now + 3600).verify(m2mToken: F.token(payload: Self.m2mPayload())) }
        #expect(throws: StytchJWTError(.invalidSignature, "")) {
            try F.verifier().verify(m2mToken: F.token(payload: Self.m2mPayload(), key: F.otherKey))
        }
        #expect(throws: StytchJWTError(.tokenTooOld, "")) {
            try F.verifier(maximumTokenAge: 30).verify(accessToken: F.token(payload: Self.connectedAppsPayload()))
        }
    }

    @Test("M2M scopes split at U+0020 only; Connected Apps scopes at Python's white space")
    func scopeSplitting() {
        #expect(M2MScopes.parse("  a  b\tc ") == ["a", "b\tc"])
        #expect(ConnectedAppsScopes.parse("  a  b\tc\u{3000}d\u{200B}e ") == ["a", "b", "c", "d\u{200B}e"])
        #expect(M2MScopes.parse("") == [])
    }
}

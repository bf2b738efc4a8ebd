import Foundation
@testable import StytchJWTCore
import StytchJWTTestSupport
import Testing

/// The framework-neutral HTTP rules both middleware adapters use.
@Suite("HTTP authentication rules")
struct HTTPAuthenticationTests {
    typealias Rules = StytchHTTPAuthentication

    @Test("the bearer header wins over the cookie")
    func headerFirst() throws {
        let token = try Rules.token(authorization: ["Bearer a.b.c"], cookieHeaders: ["stytch_session_jwt=x.y.z"])
        #expect(token == "a.b.c")
    }

    @Test("the cookie is used when there is no Authorization header")
    func cookie() throws {
        #expect(try Rules.token(authorization: [], cookieHeaders: ["theme=dark; stytch_session_jwt=x.y.z; other=1"]) == "x.y.z")
        #expect(try Rules.token(authorization: [], cookieHeaders: ["theme=dark", "stytch_session_jwt=\"x.y.z\""]) == "x.y.z")
        #expect(try Rules.token(authorization: [], cookieHeaders: ["not_stytch_session_jwt=x.y.z"]) == nil)
        #expect(try Rules.token(authorization: [], cookieHeaders: ["stytch_session_jwt="]) == nil)
        #expect(try Rules.token(authorization: [], cookieHeaders: []) == nil)
    }

    @Test("a space, tab or comma anywhere in a 1.4 KB bearer token is malformed; bytes next to them are not")
    func separatorsAtEveryPosition() throws {
        let token = String(repeating: "a", count: 1_434)
        for position in 0..<token.utf8.count {
            for separator in [" ", "\t", ","] {
                var bytes = Array(token.utf8)
                bytes[position] = separator.utf8.first!
                let header = "Bearer " + String(decoding: bytes, as: UTF8.self)
                #expect(throws: StytchJWTError(.malformed, "")) { try Rules.token(authorization: [header], cookieHeaders: []) }
            }
            // Bytes one off a separator (and a dot) are token bytes.
            for neighbour in ["!", "\u{1F}", "\u{08}", "\n", "+", "-", "."] {
                var bytes = Array(token.utf8)
                bytes[position] = neighbour.utf8.first!
                let text = String(decoding: bytes, as: UTF8.self)
                #expect(try Rules.token(authorization: ["Bearer " + text], cookieHeaders: []) == text)
            }
        }
    }

    @Test("optional mode reads a bearer JWT once: two dots make it ours, anything else is another authenticator's")
    func optionalBearerShape() {
        #expect(Rules.carriesBearerJWT(["Bearer a.b.c"]))
        #expect(!Rules.carriesBearerJWT(["Bearer a.b"]))
        #expect(!Rules.carriesBearerJWT(["Bearer a.b.c.d"]))
        #expect(!Rules.carriesBearerJWT(["Basic a.b.c"]))
        #expect(!Rules.carriesBearerJWT(["Bearer a.b.c", "Bearer a.b.c"]))
        #expect(!Rules.carriesBearerJWT(["Bearer a.b .c"]))
    }

    @Test("the dot count is exact wherever the dots fall, beside bytes one bit off a dot")
    func dotsAtEveryPosition() {
        // 0x2E is the dot; 0xAE, 0x2F, 0x2D, 0x0E and 0x6E differ from it in one bit, which a
        // word-at-a-time test with false positives would count.
        let fillers: [UInt8] = [0x61, 0xAE, 0x2F, 0x2D, 0x0E, 0x6E]
        for length in [3, 7, 8, 9, 17, 64, 1_434] {
            for filler in fillers {
                let base = [UInt8](repeating: filler, count: length)
                for first in 0..<length {
                    for second in [first, (first + 1) % length, (first * 7 + 3) % length, length - 1] {
                        var bytes = base
                        bytes[first] = 0x2E
                        bytes[second] = 0x2E
                        let dots = bytes.count(where: { $0 == 0x2E })
                        let shape = bytes.withUnsafeBufferPointer { Rules.shape(of: $0) }
                        #expect(shape.dots == dots && !shape.hasSeparator, "length \(length), filler \(filler), dots at \(first), \(second)")
                    }
                }
            }
        }
    }

    @Test("the scheme is case-insensitive")
    func schemeCase() throws {
        #expect(try Rules.token(authorization: ["bearer a.b.c"], cookieHeaders: []) == "a.b.c")
        #expect(try Rules.token(authorization: ["BEARER a.b.c"], cookieHeaders: []) == "a.b.c")
    }

    @Test("a malformed Authorization header is malformed, never a fall-through to the cookie", arguments: [
        ["Basic dXNlcjpwYXNz"], ["Bearer"], ["Bearer "], ["Bearer  a.b.c"], ["Bearer a.b.c extra"], ["a.b.c"],
        ["Bearer a.b.c", "Bearer d.e.f"], ["Bearer a,b"],
    ])
    func malformedHeader(_ authorization: [String]) {
        #expect(throws: StytchJWTError(.malformed, "")) {
            try Rules.token(authorization: authorization, cookieHeaders: ["stytch_session_jwt=x.y.z"])
        }
    }

    @Test("sources can be narrowed: header only, cookie only, another cookie name")
    func sources() throws {
        let headerOnly = Rules.TokenSources(cookie: false)
        #expect(try Rules.token(authorization: [], cookieHeaders: ["stytch_session_jwt=x.y.z"], sources: headerOnly) == nil)
        let cookieOnly = Rules.TokenSources(bearerHeader: false)
        #expect(try Rules.token(authorization: ["Basic zzz"], cookieHeaders: ["stytch_session_jwt=x.y.z"], sources: cookieOnly) == "x.y.z")
        let renamed = Rules.TokenSources(cookieName: "sid")
        #expect(try Rules.token(authorization: [], cookieHeaders: ["stytch_session_jwt=x.y.z; sid=s.i.d"], sources: renamed) == "s.i.d")
    }

    @Test("failures map to 401, 403, 500 and 503 with the right WWW-Authenticate; bodies carry a generic message", arguments: StytchJWTError.Code.allCases)
    func statuses(_ code: StytchJWTError.Code) throws {
        let detail = "iss names https://login.\u{212A}example.com (request-id-123, unauthorized_credentials)"
        let failure = Rules.Failure(StytchJWTError(code, detail))
        switch code {
        case .keysUnavailable, .stytchAPIError:
            #expect(failure.status == 503)
            #expect(failure.wwwAuthenticate == nil)
        case .invalidConfiguration:
            #expect(failure.status == 500)
            #expect(failure.wwwAuthenticate == nil)
        case .insufficientScope:
            #expect(failure.status == 403)
            #expect(failure.wwwAuthenticate == #"Bearer error="insufficient_scope", scope="""#)
        case .permissionDenied, .tenancyMismatch, .mfaRequired:
            #expect(failure.status == 403)
            #expect(failure.wwwAuthenticate == nil)
        default:
            #expect(failure.status == 401)
            #expect(failure.wwwAuthenticate == "Bearer error=\"invalid_token\"")
        }
        let body = try JSONSerialization.jsonObject(with: Data(failure.jsonBody.utf8)) as? [String: [String: String]]
        #expect(body?["error"]?["code"] == code.description)
        // The detailed message (claim names, Stytch's error type and request ID) goes to the log only.
        #expect(body?["error"]?["message"] == failure.publicMessage)
        #expect(!failure.jsonBody.contains("request-id") && !failure.jsonBody.contains("unauthorized") && !failure.jsonBody.contains("login"))
        #expect(failure.headers.contains { $0.name == "Cache-Control" && $0.value == "no-store" })
    }

    @Test("a Stytch API failure is a 503, but a refresh answered 404 (session gone) is a 401")
    func apiFailureStatuses() {
        for (status, expected) in [(nil, 503), (401, 503), (404, 401), (429, 503), (500, 503)] as [(Int?, Int)] {
            let failure = Rules.Failure(StytchJWTError(apiFailure: StytchAPIFailure(statusCode: status), "m"))
            #expect(failure.status == expected, "API status \(String(describing: status))")
            #expect(failure.wwwAuthenticate == (expected == 401 ? "Bearer error=\"invalid_token\"" : nil))
        }
    }

    @Test("a missing token is a 401 whose challenge has no error attribute (RFC 6750 §3.1)")
    func missing() {
        #expect(Rules.Failure.missing.status == 401)
        #expect(Rules.Failure.missing.wwwAuthenticate == "Bearer")
        #expect(Rules.Failure.missing.jsonBody.contains("\"code\":\"malformed\""))
    }

    static func session(
        roles: [String] = ["stytch_member", "editor"], slug: String? = "acme",
        factors: [JSONValue] = [TokenFactory.defaultFactor], startedAt: String = "2026-01-01T00:00:00Z"
    ) throws -> VerifiedSession {
        var payload = TokenFactory.payload(setting: TokenFactory.sessionClaim, "roles", to: .array(roles.map(JSONValue.string)))
        payload = TokenFactory.payload(setting: TokenFactory.sessionClaim, "authentication_factors", to: .array(factors), in: payload)
        payload = TokenFactory.payload(setting: TokenFactory.sessionClaim, "started_at", to: .string(startedAt), in: payload)
        payload = TokenFactory.payload(setting: TokenFactory.organizationClaim, "slug", to: slug.map(JSONValue.string), in: payload)
        return try TokenFactory.verifier().verify(sessionJWT: TokenFactory.token(payload: payload))
    }

    @Test("role guards allow and deny")
    func roles() throws {
        let session = try Self.session()
        #expect(SessionRequirement.anyRole(["admin", "editor"]).failure(for: session) == nil)
        #expect(SessionRequirement.anyRole(["admin"]).failure(for: session)?.code == .permissionDenied)
        #expect(SessionRequirement.allRoles(["stytch_member", "editor"]).failure(for: session) == nil)
        #expect(SessionRequirement.allRoles(["stytch_member", "admin"]).failure(for: session)?.code == .permissionDenied)
        #expect(SessionRequirement.anyRole(["stytch_member"]).failure(for: try Self.session(roles: []))?.code == .permissionDenied)
    }

    @Test("organization guards allow and deny")
    func organization() throws {
        let session = try Self.session()
        #expect(SessionRequirement.organization(id: TokenFactory.organizationID).failure(for: session) == nil)
        #expect(SessionRequirement.organization(id: "organization-test-other").failure(for: session)?.code == .tenancyMismatch)
        #expect(SessionRequirement.organization(slug: "acme").failure(for: session) == nil)
        #expect(SessionRequirement.organization(slug: "other").failure(for: session)?.code == .tenancyMismatch)
        #expect(SessionRequirement.organization(slug: "acme").failure(for: try Self.session(slug: nil))?.code == .tenancyMismatch)
    }

    @Test("factor guard allows and denies")
    func factor() throws {
        let session = try Self.session()
        #expect(SessionRequirement.factor(.password).failure(for: session) == nil)
        #expect(SessionRequirement.factor(.totp).failure(for: session)?.code == .permissionDenied)
    }

    @Test("recent-authentication guard counts from the latest of start and factor use")
    func recent() throws {
        let session = try Self.session()  // started and factor used at 2026-01-01T00:00:00Z = iat
        let start = Date(timeIntervalSince1970: Double(TokenFactory.iat))
        #expect(SessionRequirement.authenticatedWithin(seconds: 60).failure(for: session, now: start.addingTimeInterval(60)) == nil)
        #expect(SessionRequirement.authenticatedWithin(seconds: 60).failure(for: session, now: start.addingTimeInterval(61))?.code == .permissionDenied)
        let reauthenticated = try Self.session(factors: [
            TokenFactory.defaultFactor,
            .object(["type": .string("totp"), "delivery_method": .string("authenticator_app"),
                     "last_authenticated_at": .string("2026-01-01T00:00:50Z")]),
        ])
        #expect(SessionRequirement.authenticatedWithin(seconds: 60).failure(for: reauthenticated, now: start.addingTimeInterval(100)) == nil)
    }
}

/// Second security round, HTTP edges: the shared pipeline both adapters run.
@Suite("HTTP pipeline edges")
struct HTTPPipelineEdgeTests {
    @Test("several session cookies in one request are malformed, never the first one", arguments: [
        ["stytch_session_jwt=a.b.c; stytch_session_jwt=d.e.f"],
        ["stytch_session_jwt=a.b.c", "other=1; stytch_session_jwt=d.e.f"],
        ["stytch_session_jwt=a.b.c; stytch_session_jwt=a.b.c"],
    ])
    func duplicateCookies(_ headers: [String]) async throws {
        #expect(throws: StytchJWTError(.malformed, "")) { try StytchHTTPAuthentication.token(authorization: [], cookieHeaders: headers) }
        let pipeline = StytchRequestAuthenticator(authenticator: try TokenFactory.verifier())
        guard case .rejected(let failure) = await pipeline.authenticate(authorization: [], cookieHeaders: headers) else {
            Issue.record("a request with two session cookies was not refused"); return
        }
        #expect(failure.status == 401)
    }

    @Test("a refreshed JWT goes back with Cache-Control: no-store; a local verification adds nothing")
    func refreshedResponseHeaders() async throws {
        let verifier = try TokenFactory.verifier()
        let pipeline = StytchRequestAuthenticator(authenticator: verifier)
        let token = TokenFactory.token()
        guard case .authenticated(let local) = await pipeline.authenticate(authorization: ["Bearer \(token)"], cookieHeaders: []) else {
            Issue.record("the token did not verify"); return
        }
        #expect(pipeline.responseHeaders(for: local).isEmpty)
        let refreshed = SessionAuthentication(session: local.session, sessionJWT: token, refreshed: true, response: nil)
        let headers = pipeline.responseHeaders(for: refreshed)
        #expect(headers.contains { $0.name == "Cache-Control" && $0.value == "no-store" })
        #expect(headers.contains { $0.name == "Set-Cookie" && $0.value.hasPrefix("stytch_session_jwt=\(token);") })
    }

    @Test("optional mode lets a request without a token through; required mode answers 401 Bearer")
    func modes() async throws {
        let verifier = try TokenFactory.verifier()
        guard case .anonymous = await StytchRequestAuthenticator(authenticator: verifier, mode: .optional).authenticate(authorization: [], cookieHeaders: []) else {
            Issue.record("optional mode refused a request without a token"); return
        }
        guard case .rejected(let failure) = await StytchRequestAuthenticator(authenticator: verifier).authenticate(authorization: [], cookieHeaders: []) else {
            Issue.record("required mode let a request without a token through"); return
        }
        #expect(failure.wwwAuthenticate == "Bearer")
    }

    @Test("a permission guard without an authorizer is invalid_configuration (500), not a Stytch API error")
    func guardWithoutAuthorizer() async throws {
        let verifier = try TokenFactory.verifier()
        let session = try await verifier.verify(sessionJWT: TokenFactory.token())
        let failure = await StytchRequestAuthenticator.checkPermission(
            session, resource: "documents", action: "read", organization: .session, authorizer: nil, parameter: { _ in nil }
        )
        #expect(failure?.error.code == .invalidConfiguration)
        #expect(failure?.status == 500)
    }
}

/// Requirements combined: any of, all of, and MFA completed.
@Suite("Session requirements combined")
struct SessionRequirementCombinationTests {
    static func session(roles: [String] = ["stytch_member"], factors: [(String, String)] = [("password", "knowledge")]) throws -> VerifiedSession {
        let factorJSON = JSONValue.array(factors.map { .object(["type": .string($0.0), "delivery_method": .string($0.1)]) })
        let payload = TokenFactory.payload(
            setting: TokenFactory.sessionClaim, "roles", to: .array(roles.map(JSONValue.string)),
            in: TokenFactory.payload(setting: TokenFactory.sessionClaim, "authentication_factors", to: factorJSON)
        )
        return try TokenFactory.verifier().verify(sessionJWT: TokenFactory.token(payload: payload))
    }

    @Test("mfaCompleted needs two factors of different types")
    func mfa() throws {
        #expect(SessionRequirement.mfaCompleted.failure(for: try Self.session())?.code == .permissionDenied)
        #expect(SessionRequirement.mfaCompleted.failure(for: try Self.session(factors: [("password", "knowledge"), ("password", "knowledge")]))?.code == .permissionDenied)
        #expect(SessionRequirement.mfaCompleted.failure(for: try Self.session(factors: [("password", "knowledge"), ("totp", "authenticator_app")])) == nil)
    }

    @Test("anyOf passes when one passes and answers the first failure otherwise; allOf needs every one")
    func combinators() throws {
        let member = try Self.session()
        let admin = SessionRequirement.anyRole(["admin"])
        let otherOrganization = SessionRequirement.organization(id: "organization-test-other")
        #expect(SessionRequirement.anyOf([admin, .anyRole(["stytch_member"])]).failure(for: member) == nil)
        #expect(SessionRequirement.anyOf([otherOrganization, admin]).failure(for: member)?.code == .tenancyMismatch)
        #expect(SessionRequirement.anyOf([]).failure(for: member)?.code == .permissionDenied)
        #expect(SessionRequirement.allOf([.anyRole(["stytch_member"]), admin]).failure(for: member)?.code == .permissionDenied)
        #expect(SessionRequirement.allOf([.anyRole(["stytch_member"]), .factor(.password)]).failure(for: member) == nil)
    }
}

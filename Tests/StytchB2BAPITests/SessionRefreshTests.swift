import Foundation
import StytchJWT
import StytchJWTTestSupport
import StytchJWTTesting
import Testing

/// Local-first verification with a refresh through Stytch's API, against the stand-in server.
///
/// The presented JWT was issued at T0 (`TestTokens.issuedAt`, `exp` T0+300). The verifier's clock
/// reads T0+400, so it has expired; the stand-in issues fresh JWTs at T0+390.
@Suite struct SessionRefreshTests {
    static let kid = "jwk-test-refresh-a"
    static let key = TestJWKS.keyA
    static let t0 = TestTokens.issuedAt
    static let later = Date(timeIntervalSince1970: Double(t0 + 400))

    static func verifier(
        keys: JWKSet? = nil, now: Date = later, maximumTokenAge: TimeInterval? = nil
    ) throws -> StytchJWTVerifier {
        try StytchJWTVerifier(
            configuration: .init(projectID: TestTokens.projectID, maximumTokenAge: maximumTokenAge, clock: { now }),
            keys: keys ?? TestTokens.keySet(kid: kid, key: key)
        )
    }

    static func client(_ standIn: StytchStandIn, secret: String? = nil, timeout: Double = 20) throws -> StytchB2BClient {
        try StytchB2BClient(projectID: standIn.projectID, secret: secret ?? standIn.secret, baseURL: standIn.baseURL, timeout: timeout)
    }

    static func refresher(
        _ standIn: StytchStandIn, verifier: StytchJWTVerifier? = nil, secret: String? = nil, timeout: Double = 20,
        configure: (inout StytchSessionRefresher.Configuration) -> Void = { _ in }
    ) throws -> StytchSessionRefresher {
        var configuration = StytchSessionRefresher.Configuration()
        configure(&configuration)
        return StytchSessionRefresher(
            verifier: try verifier ?? Self.verifier(), client: try client(standIn, secret: secret, timeout: timeout),
            configuration: configuration
        )
    }

    /// Runs `body` with a stand-in issuing fresh JWTs at T0+390.
    static func withStandIn(_ body: (StytchStandIn) async throws -> Void) async throws {
        try await withStytchStandIn(kid: kid, signingKey: key) { standIn in
            standIn.setIssueTime(t0 + 390)
            try await body(standIn)
        }
    }

    static let expired = TestTokens.token(kid: kid, key: key)

    // MARK: Refresh

    @Test func expiredJWTIsRefreshedOnceAndTheNewSessionReturned() async throws {
        try await Self.withStandIn { standIn in
            let refresher = try Self.refresher(standIn)
            await #expect(throws: StytchJWTError(.expired, "")) { try await refresher.verifier.verify(sessionJWT: Self.expired) }
            let result = try await refresher.authenticate(sessionJWT: Self.expired)
            #expect(result.refreshed)
            #expect(result.sessionJWT != Self.expired)
            #expect(result.session.memberID == TestTokens.memberID)
            #expect(result.session.memberSessionID == TestTokens.sessionID)
            #expect(result.session.jwt.issuedAt == Double(Self.t0 + 390))
            #expect(result.response?.memberSession.memberSessionID == TestTokens.sessionID)
            // The fresh JWT verifies on its own.
            let again = try await refresher.verifier.verify(sessionJWT: result.sessionJWT)
            #expect(again.memberSessionID == TestTokens.sessionID)
            #expect(standIn.authenticateCalls == 1)
            let body = try #require(standIn.lastAuthenticateBody)
            #expect(body["session_jwt"]?.stringValue == Self.expired)
            #expect(body["session_token"] == nil)
            #expect(body["session_duration_minutes"] == nil)
            #expect(refresher.apiCallCount == 1)
        }
    }

    @Test func validJWTMakesNoAPICall() async throws {
        try await Self.withStandIn { standIn in
            let fresh = TestTokens.token(kid: Self.kid, key: Self.key, issuedAt: Self.t0 + 350)
            let refresher = try Self.refresher(standIn)
            let result = try await refresher.authenticate(sessionJWT: fresh)
            #expect(!result.refreshed)
            #expect(result.sessionJWT == fresh)
            #expect(result.response == nil)
            #expect(standIn.totalCalls == 0)
        }
    }

    @Test func hundredConcurrentRequestsWithOneExpiredJWTMakeOneAPICall() async throws {
        try await Self.withStandIn { standIn in
            // The call takes a second, and finished refreshes are not reused: only coalescing can
            // make the hundred requests cost one call.
            standIn.setAuthenticateFault(.delay(.seconds(1)))
            let refresher = try Self.refresher(standIn) { $0.recentRefreshLifetime = 0 }
            let jwts = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<100 {
                    group.addTask { try await refresher.authenticate(sessionJWT: Self.expired).sessionJWT }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(jwts.count == 100)
            #expect(Set(jwts).count == 1)
            #expect(!jwts.contains(Self.expired))
            #expect(standIn.authenticateCalls == 1)
        }
    }

    @Test func aRecentRefreshIsReusedForTheSameJWT() async throws {
        try await Self.withStandIn { standIn in
            let refresher = try Self.refresher(standIn)
            let first = try await refresher.authenticate(sessionJWT: Self.expired)
            let second = try await refresher.authenticate(sessionJWT: Self.expired)
            #expect(second.refreshed)
            #expect(second.sessionJWT == first.sessionJWT)
            #expect(standIn.authenticateCalls == 1)
        }
    }

    @Test func recentRefreshReuseCanBeTurnedOff() async throws {
        try await Self.withStandIn { standIn in
            let refresher = try Self.refresher(standIn) { $0.recentRefreshLifetime = 0 }
            _ = try await refresher.authenticate(sessionJWT: Self.expired)
            _ = try await refresher.authenticate(sessionJWT: Self.expired)
            #expect(standIn.authenticateCalls == 2)
        }
    }

    @Test func tokenTooOldIsRefreshed() async throws {
        try await Self.withStandIn { standIn in
            // Not expired (T0+100 < exp), but older than the 60 s maximum age.
            let verifier = try Self.verifier(now: Date(timeIntervalSince1970: Double(Self.t0 + 100)), maximumTokenAge: 60)
            standIn.setIssueTime(Self.t0 + 95)
            let refresher = try Self.refresher(standIn, verifier: verifier)
            let result = try await refresher.authenticate(sessionJWT: Self.expired)
            #expect(result.refreshed)
            #expect(result.session.jwt.issuedAt == Double(Self.t0 + 95))
            #expect(standIn.authenticateCalls == 1)
        }
    }

    @Test func sessionDurationIsSentWhenConfigured() async throws {
        try await Self.withStandIn { standIn in
            let refresher = try Self.refresher(standIn) { $0.sessionDurationMinutes = 60 }
            _ = try await refresher.authenticate(sessionJWT: Self.expired)
            #expect(standIn.lastAuthenticateBody?["session_duration_minutes"]?.numberValue?.int64Value == 60)
        }
    }

    /// Tokens no API call can help: each is rejected locally with its code and costs zero calls,
    /// even when it has also expired.
    static let finalRejections: [(name: String, token: String, code: StytchJWTError.Code)] = {
        var wrongIssuer = TestTokens.payload()
        wrongIssuer["iss"] = .string("stytch.com/project-test-someone-else")
        var wrongAudience = TestTokens.payload()
        wrongAudience["aud"] = .array([.string("project-test-someone-else")])
        return [
            ("forged", TestTokens.withBrokenSignature(expired), .invalidSignature),
            ("malformed", "not-a-jwt", .malformed),
            ("alg none", "eyJhbGciOiJub25lIn0.e30.AAAA", .unsupportedAlgorithm),
            ("wrong issuer", TestTokens.token(kid: kid, key: key, payload: wrongIssuer), .issuerMismatch),
            ("wrong audience", TestTokens.token(kid: kid, key: key, payload: wrongAudience), .audienceMismatch),
            ("unknown key", TestTokens.token(kid: "jwk-test-unknown", key: TestJWKS.keyB), .unknownKey),
            ("known kid, other key", TestTokens.token(kid: kid, key: TestJWKS.keyB), .invalidSignature),
            ("not yet valid", TestTokens.token(kid: kid, key: key, issuedAt: t0 + 1000), .notYetValid),
        ]
    }()

    @Test func forgedMalformedWrongIssuerAndUnknownKeyTokensMakeNoAPICall() async throws {
        try await Self.withStandIn { standIn in
            let refresher = try Self.refresher(standIn)
            for rejection in Self.finalRejections {
                do {
                    _ = try await refresher.authenticate(sessionJWT: rejection.token)
                    Issue.record("\(rejection.name) was accepted")
                } catch let error as StytchJWTError {
                    #expect(error.code == rejection.code, "\(rejection.name): \(error)")
                }
            }
            // A flood of them: still nothing reaches Stytch.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<1000 {
                    let token = Self.finalRejections[index % Self.finalRejections.count].token
                    group.addTask { _ = try? await refresher.authenticate(sessionJWT: token) }
                }
                try await group.waitForAll()
            }
            #expect(standIn.totalCalls == 0)
            #expect(refresher.apiCallCount == 0)
        }
    }

    @Test func keysUnavailableIsFinalUnlessTheApplicationOptsIn() async throws {
        try await Self.withStandIn { standIn in
            let noKeys = try Self.verifier(keys: JWKSet(keys: [:]))
            let strict = try Self.refresher(standIn, verifier: noKeys)
            await #expect(throws: StytchJWTError(.keysUnavailable, "")) { try await strict.authenticate(sessionJWT: Self.expired) }
            #expect(standIn.totalCalls == 0)

            let optedIn = try Self.refresher(standIn, verifier: noKeys) { $0.refreshOnKeysUnavailable = true }
            let result = try await optedIn.authenticate(sessionJWT: Self.expired)
            #expect(result.refreshed)
            #expect(result.session.memberSessionID == TestTokens.sessionID)
            #expect(standIn.authenticateCalls == 1)
            // Garbage is still refused before any key is needed.
            await #expect(throws: StytchJWTError(.malformed, "")) { try await optedIn.authenticate(sessionJWT: "garbage") }
            #expect(standIn.authenticateCalls == 1)
        }
    }

    @Test("during a key outage, tokens that fail a rule needing no key never reach the API")
    func outageChecksEverythingButTheSignatureFirst() async throws {
        try await Self.withStandIn { standIn in
            let noKeys = try Self.verifier(keys: JWKSet(keys: [:]))
            let optedIn = try Self.refresher(standIn, verifier: noKeys) { $0.refreshOnKeysUnavailable = true }
            let forger = TestingSigningKey()
            var wrongIssuer = TestTokens.payload()
            wrongIssuer["iss"] = .string("stytch.com/project-test-someone-else")
            var wrongAudience = TestTokens.payload()
            wrongAudience["aud"] = .array([.string("project-test-someone-else")])
            var noSession = TestTokens.payload()
            noSession["https://stytch.com/session"] = nil
            let cases: [(String, StytchJWTError.Code)] = [
                (TestTokens.token(kid: Self.kid, key: forger, payload: wrongIssuer), .issuerMismatch),
                (TestTokens.token(kid: Self.kid, key: forger, payload: wrongAudience), .audienceMismatch),
                (TestTokens.token(kid: Self.kid, key: forger, payload: noSession), .missingClaim),
                (TestTokens.token(kid: Self.kid, key: forger, issuedAt: Self.t0 + 4000), .notYetValid),
                (forger.compactJWS(header: #"{"alg":"HS256","kid":"k","typ":"JWT"}"#, payload: JSONValue.object(TestTokens.payload()).jsonText), .unsupportedAlgorithm),
            ]
            for (token, code) in cases {
                await #expect(throws: StytchJWTError(code, "")) { try await optedIn.authenticate(sessionJWT: token) }
            }
            #expect(standIn.authenticateCalls == 0)
        }
    }

    @Test("1,000 distinct forged tokens during a key outage cost at most the per-minute limit of API calls")
    func outageRefreshesAreRateLimited() async throws {
        try await Self.withStandIn { standIn in
            let noKeys = try Self.verifier(keys: JWKSet(keys: [:]))
            let optedIn = try Self.refresher(standIn, verifier: noKeys) { $0.refreshOnKeysUnavailable = true }
            #expect(optedIn.configuration.keysUnavailableRefreshLimit == 30)
            let forger = TestingSigningKey()
            var refused = 0
            for index in 0..<1_000 {
                var payload = TestTokens.payload()
                payload["jti"] = .string("forged-\(index)")
                let token = TestTokens.token(kid: Self.kid, key: forger, payload: payload)
                do {
                    _ = try await optedIn.authenticate(sessionJWT: token)
                    Issue.record("a forged token was accepted")
                } catch let error as StytchJWTError {
                    if error.code == .keysUnavailable { refused += 1 }
                }
            }
            #expect(standIn.authenticateCalls <= 30)
            #expect(standIn.authenticateCalls >= 1)
            #expect(refused >= 1_000 - 30)
        }
    }

    @Test func aFreshJWTForAnotherSessionIsRefused() async throws {
        try await Self.withStandIn { standIn in
            standIn.setAuthenticateFault(.otherSession)
            let refresher = try Self.refresher(standIn)
            await #expect(throws: StytchJWTError(.sessionMismatch, "")) { try await refresher.authenticate(sessionJWT: Self.expired) }
            #expect(standIn.authenticateCalls == 1)
        }
    }

    // MARK: API errors

    struct APIErrorCase: Sendable, CustomTestStringConvertible {
        let name: String
        let fault: StytchStandIn.Fault
        let wrongSecret: Bool
        let revoke: Bool
        let status: Int?
        let errorType: String?
        var testDescription: String { name }
    }

    static let apiErrorCases: [APIErrorCase] = [
        APIErrorCase(name: "401 bad secret", fault: .none, wrongSecret: true, revoke: false, status: 401, errorType: "unauthorized_credentials"),
        APIErrorCase(name: "404 session not found", fault: .none, wrongSecret: false, revoke: true, status: 404, errorType: "session_not_found"),
        APIErrorCase(name: "429", fault: .status(429, errorType: "too_many_requests"), wrongSecret: false, revoke: false, status: 429, errorType: "too_many_requests"),
        APIErrorCase(name: "500", fault: .status(500, errorType: "internal_server_error"), wrongSecret: false, revoke: false, status: 500, errorType: "internal_server_error"),
        APIErrorCase(name: "hang", fault: .hang, wrongSecret: false, revoke: false, status: nil, errorType: nil),
    ]

    @Test(arguments: apiErrorCases)
    func apiErrorsMapToTypedErrorsWithoutTheSecret(_ errorCase: APIErrorCase) async throws {
        try await Self.withStandIn { standIn in
            standIn.setAuthenticateFault(errorCase.fault)
            if errorCase.revoke { standIn.revokeSession() }
            let secret = errorCase.wrongSecret ? "secret-test-wrong-\(UInt32.random(in: 0...UInt32.max))" : standIn.secret
            // A shorter timeout for the hang, yet long enough for the request to reach the stand-in
            // under AddressSanitizer with the suites running in parallel on 2 cores (at 1 s, one CI
            // run timed out before the request arrived and counted 0 calls); a generous one otherwise.
            let isHang = errorCase.status == nil
            let refresher = try Self.refresher(standIn, secret: secret, timeout: isHang ? 5 : 20)
            let began = ContinuousClock.now
            let error = await #expect(throws: StytchJWTError.self) { try await refresher.authenticate(sessionJWT: Self.expired) }
            let caught = try #require(error)
            #expect(caught.code == .stytchAPIError)
            let failure = try #require(caught.apiFailure)
            #expect(failure.statusCode == errorCase.status)
            #expect(failure.errorType == errorCase.errorType)
            if errorCase.status != nil {
                #expect(failure.requestID?.hasPrefix("request-id-test-error-") == true)
                #expect(failure.errorMessage?.isEmpty == false)
                #expect(failure.errorURL?.hasPrefix("https://stytch.com/docs/") == true)
            } else {
                #expect(caught.message.contains("timed out"))
                #expect(ContinuousClock.now - began < .seconds(30), "the timeout bounds a hang")
            }
            #expect(standIn.authenticateCalls == 1)
            for text in ["\(caught)", caught.message, String(reflecting: caught), "\(refresher.client)", String(reflecting: refresher.client)] {
                #expect(!text.contains(secret))
                #expect(!text.contains(standIn.secret))
                #expect(!text.contains(TestTokens.signatureSegment(of: Self.expired)))
            }
            var dumped = ""
            dump(refresher.client, to: &dumped)
            #expect(!dumped.contains(secret))
            // The middleware's status: the session is gone (401) or the failure is ours (503).
            #expect(StytchHTTPAuthentication.Failure(caught).status == (errorCase.status == 404 ? 401 : 503))
        }
    }

    // MARK: The client

    @Test func clientRefusesBadConfiguration() throws {
        #expect(throws: StytchJWTError(.invalidConfiguration, "")) { try StytchB2BClient(projectID: TestTokens.projectID, secret: "") }
        #expect(throws: StytchJWTError(.invalidConfiguration, "")) { try StytchB2BClient(projectID: TestTokens.projectID, secret: "a b") }
        #expect(throws: StytchJWTError(.invalidConfiguration, "")) { try StytchB2BClient(projectID: "project-other-1", secret: "s") }
        #expect(throws: StytchJWTError(.invalidConfiguration, "")) { try StytchB2BClient(projectID: TestTokens.projectID, secret: "s", baseURL: "http://example.com") }
        #expect(throws: StytchJWTError(.invalidConfiguration, "")) { try StytchB2BClient(projectID: TestTokens.projectID, secret: "s", timeout: 0) }
        #expect(try StytchB2BClient(projectID: "project-test-1", secret: "s").baseURL == "https://test.stytch.com")
        #expect(try StytchB2BClient(projectID: "project-live-1", secret: "s").baseURL == "https://api.stytch.com")
        #expect(try StytchB2BClient(projectID: "project-other-1", secret: "s", baseURL: "https://auth.example.com/").baseURL == "https://auth.example.com")
    }

    @Test func organizationIDsThatAreNotIdentifiersNeverReachTheURL() async throws {
        try await Self.withStandIn { standIn in
            let client = try Self.client(standIn)
            for hostile in ["", "../policy", "org/../../x", "org?x=1", "org#x", "..", "org id"] {
                await #expect(throws: StytchJWTError(.malformed, "")) { try await client.organizationPolicy(organizationID: hostile) }
            }
            #expect(standIn.totalCalls == 0)
        }
    }

    /// Bodies the client refuses, served by the scriptable JWKS test server (which answers every path).
    @Test(arguments: [
        ("oversize, declared", JWKSTestServer.Behaviour.oversize(bytes: 5000), 200),
        ("oversize, chunked", .oversize(bytes: 5000, declaresLength: false), 200),
        ("not JSON", .invalidJSON, 200),
        ("a field missing", .json(.object(["request_id": .string("r"), "status_code": .number(JSONNumber(200))])), 200),
        ("redirect", .redirect(to: "http://127.0.0.1:1/v1/b2b/rbac/policy"), 302),
        ("error without a Stytch body", .jwks(body: Array("<html>bad gateway</html>".utf8), status: 502), 502),
    ] as [(String, JWKSTestServer.Behaviour, Int)])
    func unusableAnswersAreAPIErrors(_ name: String, _ behaviour: JWKSTestServer.Behaviour, _ status: Int) async throws {
        try await withJWKSTestServer(responding: behaviour) { server in
            let client = try StytchB2BClient(
                projectID: TestTokens.projectID, secret: "secret-test-body-cap", baseURL: server.baseURL, timeout: 20, maximumBodyBytes: 1000
            )
            let error = await #expect(throws: StytchJWTError.self, "\(name)") { try await client.rbacPolicy() }
            #expect(error?.code == .stytchAPIError, "\(name)")
            #expect(error?.apiFailure?.statusCode == status, "\(name)")
            #expect(error?.message.contains("secret-test-body-cap") == false)
            #expect(server.requestCount == 1, "\(name): one request, no redirect followed")
        }
    }

    @Test func requestsNeverPrintTheirCredential() {
        let request = B2BSessionAuthenticateRequest(.sessionToken("session-token-test-very-secret"))
        var dumped = ""
        dump(request, to: &dumped)
        for text in ["\(request)", String(reflecting: request), dumped] {
            #expect(!text.contains("very-secret"))
        }
    }
}

import Foundation
import StytchJWTCore
import StytchJWTTestSupport
import Synchronization
import Testing

/// The request pipeline's answer without waiting, which Vapor's middleware gives on the request's
/// event loop: only what the awaited answer would be, and nothing an authenticator of the
/// application's own must see.
@Suite("Pipeline without waiting")
struct PipelineWithoutWaitingTests {
    /// A clock a test moves.
    final class TestClock: Sendable {
        let seconds = Mutex(TokenFactory.now)
        func now() -> Date { Date(timeIntervalSince1970: seconds.withLock { $0 }) }
    }

    static func verifier(_ clock: TestClock) throws -> StytchJWTVerifier {
        try StytchJWTVerifier(
            configuration: .init(projectID: TokenFactory.projectID, clock: { clock.now() }), keys: TokenFactory.keys
        )
    }

    static func session(_ outcome: StytchRequestAuthenticator.Outcome?) -> SessionAuthentication? {
        if case .authenticated(let authentication) = outcome { return authentication }
        return nil
    }

    @Test("a token is answered without waiting only once it verified, from where it came, its miss counted once")
    func cacheHitsOnly() async throws {
        let verifier = try Self.verifier(TestClock())
        let pipeline = StytchRequestAuthenticator(authenticator: verifier)
        let token = TokenFactory.token()
        let bearer = ["Bearer " + token], cookie = ["stytch_session_jwt=" + token]

        #expect(pipeline.authenticateWithoutWaiting(authorization: bearer, cookieHeaders: []) == nil)
        let awaited = try #require(Self.session(await pipeline.authenticate(authorization: bearer, cookieHeaders: [])))
        #expect(verifier.tokenCache?.statistics.misses == 1)

        let fromHeader = try #require(Self.session(pipeline.authenticateWithoutWaiting(authorization: bearer, cookieHeaders: [])))
        #expect(fromHeader.session == awaited.session && fromHeader.sessionJWT == token && !fromHeader.refreshed)
        #expect(fromHeader.presentedIn == .bearerHeader)
        let fromCookie = try #require(Self.session(pipeline.authenticateWithoutWaiting(authorization: [], cookieHeaders: cookie)))
        #expect(fromCookie.presentedIn == .cookie)
        #expect(verifier.tokenCache?.statistics.hits == 2)
        #expect(verifier.tokenCache?.statistics.misses == 1)
    }

    @Test("what the headers alone decide is answered without waiting")
    func decidedByHeaders() {
        let pipeline = StytchRequestAuthenticator(authenticator: try! Self.verifier(TestClock()))
        let optional = StytchRequestAuthenticator(authenticator: pipeline.authenticator, mode: .optional)
        guard case .rejected(let missing) = pipeline.authenticateWithoutWaiting(authorization: [], cookieHeaders: []) else {
            Issue.record("no token in required mode is refused")
            return
        }
        #expect(missing.missingToken)
        guard case .rejected(let malformed) = pipeline.authenticateWithoutWaiting(authorization: ["Basic dXNlcg=="], cookieHeaders: []) else {
            Issue.record("a Basic header in required mode is refused")
            return
        }
        #expect(malformed.error.code == .malformed)
        guard case .anonymous = optional.authenticateWithoutWaiting(authorization: ["Basic dXNlcg=="], cookieHeaders: []) else {
            Issue.record("a Basic header in optional mode is another authenticator's")
            return
        }
    }

    @Test("a cached token that has expired is not answered without waiting; the awaited answer refuses it")
    func expiredCachedToken() async throws {
        let clock = TestClock()
        let pipeline = StytchRequestAuthenticator(authenticator: try Self.verifier(clock))
        let bearer = ["Bearer " + TokenFactory.token()]
        #expect(Self.session(await pipeline.authenticate(authorization: bearer, cookieHeaders: [])) != nil)
        clock.seconds.withLock { $0 = Double(TokenFactory.iat + 301) }
        #expect(pipeline.authenticateWithoutWaiting(authorization: bearer, cookieHeaders: []) == nil)
        guard case .rejected(let failure) = await pipeline.authenticate(authorization: bearer, cookieHeaders: []) else {
            Issue.record("an expired token is refused")
            return
        }
        #expect(failure.error.code == .expired)
    }

    /// An application's authenticator: the verifier, then a deny list.
    struct DenyingAuthenticator: StytchSessionAuthenticating {
        let verifier: StytchJWTVerifier
        func authenticate(sessionJWT: String) async throws(StytchJWTError) -> SessionAuthentication {
            _ = try await verifier.authenticate(sessionJWT: sessionJWT)
            throw StytchJWTError(.invalidSignature, "denied by the application")
        }
    }

    @Test("an authenticator of the application's own is always awaited, even for a token its verifier holds")
    func ownAuthenticatorAwaited() async throws {
        let verifier = try Self.verifier(TestClock())
        let bearer = ["Bearer " + TokenFactory.token()]
        #expect(Self.session(await StytchRequestAuthenticator(authenticator: verifier).authenticate(authorization: bearer, cookieHeaders: [])) != nil)
        let pipeline = StytchRequestAuthenticator(authenticator: DenyingAuthenticator(verifier: verifier))
        #expect(pipeline.authenticateWithoutWaiting(authorization: bearer, cookieHeaders: []) == nil)
        guard case .rejected = await pipeline.authenticate(authorization: bearer, cookieHeaders: []) else {
            Issue.record("the application's authenticator refuses")
            return
        }
    }

    /// An authenticator that refreshes every JWT (as a refresher does an expired one).
    struct RefreshingAuthenticator: StytchSessionAuthenticating {
        let verifier: StytchJWTVerifier
        func authenticate(sessionJWT: String) async throws(StytchJWTError) -> SessionAuthentication {
            let session = try await verifier.verify(sessionJWT: sessionJWT)
            return SessionAuthentication(session: session, sessionJWT: "fresh.jwt.value", refreshed: true, response: nil)
        }
    }

    @Test("in optional mode too, a JWT refreshed for a bearer client goes back in the header, not a cookie")
    func optionalModeBearerRefresh() async throws {
        let verifier = try Self.verifier(TestClock())
        let pipeline = StytchRequestAuthenticator(authenticator: RefreshingAuthenticator(verifier: verifier), mode: .optional)
        let authentication = try #require(Self.session(await pipeline.authenticate(
            authorization: ["Bearer " + TokenFactory.token()], cookieHeaders: []
        )))
        #expect(authentication.presentedIn == .bearerHeader)
        let headers = pipeline.responseHeaders(for: authentication)
        #expect(headers.contains { $0.name == StytchHTTPAuthentication.refreshedJWTHeader && $0.value == "fresh.jwt.value" })
        #expect(!headers.contains { $0.name.lowercased() == "set-cookie" })
    }
}

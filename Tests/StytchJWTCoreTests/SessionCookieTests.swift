import Foundation
import StytchJWTCore
import StytchJWTTestSupport
import Testing

/// The `Set-Cookie` a middleware sends with a refreshed JWT.
@Suite struct SessionCookieTests {
    static let kid = "jwk-test-cookie-a"
    static let now = Date(timeIntervalSince1970: TestTokens.now)

    static func session() throws -> VerifiedSession {
        let verifier = try StytchJWTVerifier(
            configuration: .init(projectID: TestTokens.projectID, clock: { now }),
            keys: TestTokens.keySet(kid: kid, key: TestJWKS.keyA)
        )
        return try verifier.verify(sessionJWT: TestTokens.token(kid: kid, key: TestJWKS.keyA))
    }

    @Test func defaultsAreStrictAndEndWithTheSession() throws {
        // The session expires at iat + 7200; now is iat + 60.
        let value = StytchHTTPAuthentication.SessionCookie.default.headerValue(jwt: "a.b.c", session: try Self.session(), now: Self.now)
        #expect(value == "stytch_session_jwt=a.b.c; Max-Age=7140; Path=/; Secure; HttpOnly; SameSite=Lax")
    }

    @Test func attributesAreTheApplications() throws {
        let cookie = try StytchHTTPAuthentication.SessionCookie(
            name: "session", domain: "example.com", path: "/app", secure: true, httpOnly: false, sameSite: .strict, lifetime: .maxAge(600)
        )
        #expect(cookie.headerValue(jwt: "a.b.c", session: try Self.session(), now: Self.now)
            == "session=a.b.c; Max-Age=600; Domain=example.com; Path=/app; Secure; SameSite=Strict")
        let browser = try StytchHTTPAuthentication.SessionCookie(path: nil, secure: false, sameSite: nil, lifetime: .browserSession)
        #expect(browser.headerValue(jwt: "a.b.c", session: try Self.session(), now: Self.now) == "stytch_session_jwt=a.b.c; HttpOnly")
    }

    @Test func sameSiteNoneIsAlwaysSecure() throws {
        let cookie = try StytchHTTPAuthentication.SessionCookie(secure: false, sameSite: StytchHTTPAuthentication.SessionCookie.SameSite.none)
        #expect(cookie.secure)
        #expect(cookie.headerValue(jwt: "a.b.c", session: try Self.session(), now: Self.now).hasSuffix("; Secure; HttpOnly; SameSite=None"))
    }

    @Test func aSessionThatHasEndedGetsMaxAgeZero() throws {
        let value = StytchHTTPAuthentication.SessionCookie.default.headerValue(
            jwt: "a.b.c", session: try Self.session(), now: Self.now.addingTimeInterval(10_000)
        )
        #expect(value.contains("Max-Age=0;"))
    }

    @Test(arguments: [
        ("", nil, "/"), ("a b", nil, "/"), ("a;b", nil, "/"), ("a=b", nil, "/"),
        ("ok", "example.com; HttpOnly=false", "/"), ("ok", nil, "/x;Domain=evil"), ("ok", nil, "/\n"), ("ok", "", "/"),
    ] as [(String, String?, String?)])
    func attributesThatWouldInjectAreRefused(_ name: String, _ domain: String?, _ path: String?) {
        #expect(throws: StytchJWTError(.invalidConfiguration, "")) { try StytchHTTPAuthentication.SessionCookie(name: name, domain: domain, path: path) }
    }

    @Test func negativeMaxAgeIsRefused() {
        #expect(throws: StytchJWTError(.invalidConfiguration, "")) { try StytchHTTPAuthentication.SessionCookie(lifetime: .maxAge(-1)) }
    }
}

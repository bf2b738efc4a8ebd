import Foundation
@testable import StytchJWTCore
import StytchJWTTestSupport
import StytchJWTTesting
import Testing

/// SPEC §2 and §4: every comparison that decides trust compares UTF-8 bytes. Each case pairs a
/// value with a canonically equivalent one (Swift's `String ==` calls them equal): U+212A KELVIN
/// SIGN and `K`, U+212B ANGSTROM SIGN and `Å`, NFC and NFD `é`.
@Suite("Trust decisions compare bytes")
struct ByteEqualityTests {
    typealias F = TokenFactory

    static let pairs: [(String, String)] = [("K", "\u{212A}"), ("\u{00C5}", "\u{212B}"), ("caf\u{00E9}", "cafe\u{0301}")]

    @Test("the canonically equivalent pairs are == in Swift, and different bytes")
    func pairsAreEquivalentButNotEqual() {
        for (a, b) in Self.pairs {
            #expect(a == b)
            #expect(!a.hasSameUTF8(as: b))
            #expect(a.hasSameUTF8(as: a))
            #expect(![a].containsUTF8(b))
        }
    }

    @Test("the verified-token cache never treats an equivalent token as the one it verified")
    func tokenCacheKeys() {
        let token = F.token()
        // One `K` of the base64url text replaced by KELVIN SIGN: on its own it is malformed.
        guard let index = token.firstIndex(of: "K") else { Issue.record("the token has no K"); return }
        var variant = token
        variant.replaceSubrange(index...index, with: "\u{212A}")
        #expect(token == variant)
        #expect(TokenKey(token) != TokenKey(variant))
        #expect(TokenKey(token) == TokenKey(String(decoding: Array(token.utf8), as: UTF8.self)))
        // Through the verifier: the variant is malformed even after the token was cached.
        let verifier = try! F.verifier()
        #expect(throws: Never.self) { try verifier.verify(sessionJWT: token) }
        #expect(throws: StytchJWTError(.malformed, "")) { try verifier.verify(sessionJWT: variant) }
    }

    @Test("iss must equal an accepted issuer byte for byte")
    func issuer() throws {
        let verifier = try F.verifier(baseURL: "https://login.Kexample.com")
        let good = F.token(payload: F.payload(setting: "iss", to: .string("https://login.Kexample.com")))
        let equivalent = F.token(payload: F.payload(setting: "iss", to: .string("https://login.\u{212A}example.com")))
        #expect(throws: Never.self) { try verifier.verify(sessionJWT: good) }
        #expect(throws: StytchJWTError(.issuerMismatch, "")) { try verifier.verify(sessionJWT: equivalent) }
    }

    @Test("aud must contain the project ID byte for byte")
    func audience() throws {
        let projectID = "project-test-K"
        let verifier = try F.verifier(projectID: projectID)
        func token(_ aud: String) -> String {
            F.token(payload: F.payload(setting: "aud", to: .array([.string(aud)]), in: F.payload(setting: "iss", to: .string("stytch.com/\(projectID)"))))
        }
        #expect(throws: Never.self) { try verifier.verify(sessionJWT: token(projectID)) }
        #expect(throws: StytchJWTError(.audienceMismatch, "")) { try verifier.verify(sessionJWT: token("project-test-\u{212A}")) }
    }

    @Test("a kid finds its key byte for byte, with few keys and with many", arguments: [1, 12])
    func kid(keyCount: Int) throws {
        let key = try F.signingKey.publicKey()
        var keys: [String: RSAPublicKey] = ["jwk-test-K": key]
        for index in 1..<keyCount { keys["jwk-test-\(index)"] = key }
        let set = JWKSet(keys: keys)
        #expect(set.key(for: "jwk-test-K") != nil)
        #expect(set.key(for: "jwk-test-\u{212A}") == nil)
    }

    @Test("session requirements compare roles and organizations byte for byte")
    func requirements() throws {
        let payload = F.payload(
            setting: F.sessionClaim, "roles", to: .array([.string("caf\u{00E9}")]),
            in: F.payload(
                setting: F.organizationClaim, "slug", to: .string("\u{00C5}rhus"),
                in: F.payload(setting: F.organizationClaim, "organization_id", to: .string("organization-test-K"))
            )
        )
        let session = try F.verifier().verify(sessionJWT: F.token(payload: payload))
        #expect(SessionRequirement.anyRole(["caf\u{00E9}"]).failure(for: session) == nil)
        #expect(SessionRequirement.anyRole(["cafe\u{0301}"]).failure(for: session)?.code == .permissionDenied)
        #expect(SessionRequirement.allRoles(["cafe\u{0301}"]).failure(for: session)?.code == .permissionDenied)
        #expect(SessionRequirement.organization(slug: "\u{00C5}rhus").failure(for: session) == nil)
        #expect(SessionRequirement.organization(slug: "\u{212B}rhus").failure(for: session)?.code == .tenancyMismatch)
        #expect(SessionRequirement.organization(id: "organization-test-K").failure(for: session) == nil)
        #expect(SessionRequirement.organization(id: "organization-test-\u{212A}").failure(for: session)?.code == .tenancyMismatch)
    }

    @Test("the session cookie is found by its name's bytes")
    func cookieName() throws {
        let sources = StytchHTTPAuthentication.TokenSources(cookieName: "K_session")
        #expect(try StytchHTTPAuthentication.token(authorization: [], cookieHeaders: ["K_session=a.b.c"], sources: sources) == "a.b.c")
        #expect(try StytchHTTPAuthentication.token(authorization: [], cookieHeaders: ["\u{212A}_session=a.b.c"], sources: sources) == nil)
    }

    @Test("an authenticate response whose slug is only canonically equivalent is a session_mismatch")
    func crossCheck() throws {
        let nfc = "caf\u{00E9}", nfd = "cafe\u{0301}"
        let jwt = F.token(payload: F.payload(setting: F.organizationClaim, "slug", to: .string(nfc)))
        func response(slug: String) throws -> [UInt8] {
            var object = try JSONSerialization.jsonObject(with: F.contents(of: "Fixtures/password-authenticate-response.json").data(using: .utf8)!) as! [String: Any]
            object["session_jwt"] = jwt
            var organization = object["organization"] as! [String: Any]
            organization["organization_slug"] = slug
            object["organization"] = organization
            if var memberSession = object["member_session"] as? [String: Any], memberSession["organization_slug"] != nil {
                memberSession["organization_slug"] = slug
                object["member_session"] = memberSession
            }
            return [UInt8](try JSONSerialization.data(withJSONObject: object))
        }
        #expect(throws: Never.self) { try F.verifier().verify(authenticateResponse: response(slug: nfc)).requireSession() }
        let error = #expect(throws: StytchJWTError.self) { try F.verifier().verify(authenticateResponse: response(slug: nfd)) }
        #expect(error?.code == .sessionMismatch)
    }
}

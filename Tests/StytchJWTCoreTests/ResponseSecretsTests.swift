import Foundation
import StytchJWTCore
import StytchJWTTestSupport
import Testing

/// Findings of the second security round about authenticate responses: decoding messages name
/// the field, and the secrets a response carries never print by default.
@Suite("Authenticate responses: field names and redaction")
struct ResponseSecretsTests {
    static let passwordResponse = TokenFactory.contents(of: "Fixtures/password-authenticate-response.json")
    static let mfaResponse = TokenFactory.contents(of: "Fixtures/mfa-required-response.json")

    @Test("a number JSONDecoder itself refuses names its field", arguments: ["200.5", "1e400", "-0.5", "1e20"])
    func numberMessagesNameTheField(_ literal: String) {
        let body = Self.passwordResponse.replacingOccurrences(of: "\"status_code\": 200", with: "\"status_code\": \(literal)")
        #expect(body != Self.passwordResponse)
        let error = #expect(throws: StytchJWTError.self) { try B2BAuthenticateResponse(json: Array(body.utf8)) }
        #expect(error?.code == .malformed)
        #expect(error?.message.contains("status_code") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(":  ") == false)
    }

    /// Every way Swift prints a value: `description`, interpolation, `debugDescription`, `dump`
    /// and reflection.
    static func printed(_ value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        let reflected = Mirror(reflecting: value).children.map { "\($0.label ?? ""): \($0.value)" }.joined(separator: "\n")
        return [String(describing: value), "\(value)", String(reflecting: value), dumped, reflected]
    }

    static func secrets(of response: B2BAuthenticateResponse) -> [String] {
        [response.sessionToken, response.sessionJWT, response.intermediateSessionToken].filter { $0.utf8.count >= 8 }
    }

    @Test("responses, authenticated members and MFA outcomes never print their tokens")
    func redaction() throws {
        let verifier = try TokenFactory.verifier()
        let authenticated = try verifier.verify(authenticateResponse: Array(Self.passwordResponse.utf8)).requireSession()
        let response = authenticated.response
        let secrets = Self.secrets(of: response)
        #expect(secrets.count >= 2)
        let outcome = try verifier.verify(authenticateResponse: Array(Self.mfaResponse.utf8))
        guard case .mfaRequired(let mfa) = outcome else { Issue.record("the MFA fixture is not an MFA outcome"); return }
        let mfaSecrets = Self.secrets(of: mfa.response) + [mfa.intermediateSessionToken]
        #expect(!mfa.intermediateSessionToken.isEmpty)
        let authentication = SessionAuthentication(session: authenticated.session, sessionJWT: response.sessionJWT, refreshed: true, response: nil)
        for (value, secrets) in [(response as Any, secrets), (authenticated, secrets), (mfa, mfaSecrets), (outcome, mfaSecrets), (authentication, [response.sessionJWT])] {
            for text in Self.printed(value) {
                for secret in secrets { #expect(!text.contains(secret), "a secret printed in \(type(of: value))") }
                #expect(text.contains("redacted"), "\(type(of: value)) does not say what it hides")
            }
        }
        // The values stay readable in code.
        #expect(response.sessionJWT.utf8.count > 100)
    }
}

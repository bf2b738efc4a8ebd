import Foundation
import StytchJWT
import StytchJWTTestSupport
import Testing

/// The snippets that need neither the network nor a path relative to the working directory, run
/// against the fixtures: the documentation's examples do what the text around them says.
@Suite("Documentation snippets run")
struct SnippetBehaviourTests {
    typealias F = TokenFactory

    static func response(_ name: String) throws -> Data { try PackageFiles.data("Fixtures/\(name)") }

    @Test("the authenticate-response snippet returns the cross-checked session, and throws mfa_required when MFA is pending")
    func authenticateResponseSnippet() throws {
        let verifier = try F.verifier()
        let session = try authenticateResponse(verifier: verifier, body: Self.response("password-authenticate-response.json"))
        #expect(session.memberID == F.memberID)
        #expect(session.organizationID == F.organizationID)
        #expect(throws: StytchJWTError(.mfaRequired, "")) {
            try authenticateResponse(verifier: verifier, body: Self.response("mfa-required-response.json"))
        }
    }

    @Test("the requireSession snippet passes for a session and throws mfa_required when MFA is pending")
    func requireSessionSnippet() throws {
        let verifier = try F.verifier()
        try requireSession(verifier: verifier, body: Self.response("password-authenticate-response.json"))
        #expect(throws: StytchJWTError(.mfaRequired, "")) {
            try requireSession(verifier: verifier, body: Self.response("mfa-required-response.json"))
        }
    }

    @Test("the error codes article has a row for every code, whose HTTP status is the one the middleware answer")
    func errorCodesTable() throws {
        let article = String(decoding: try PackageFiles.data("Sources/StytchJWTCore/Documentation.docc/ErrorCodes.md"), as: UTF8.self)
        var statuses: [String: String] = [:]
        for line in article.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 5 else { continue }
            statuses[cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = cells[3]
        }
        for code in StytchJWTError.Code.allCases {
            let cell = try #require(statuses[code.description], "no row for \(code)")
            // Without an API answer a stytch_api_error is a 503; a 404 from Stytch makes it a 401.
            let status = StytchHTTPAuthentication.Failure(StytchJWTError(code, "")).status
            #expect(cell.hasPrefix("\(status)") || cell.contains("else \(status)"), "\(code): the article says \(cell), the pipeline answers \(status)")
        }
        let gone = StytchJWTError(apiFailure: StytchAPIFailure(statusCode: 404), "")
        #expect(StytchHTTPAuthentication.Failure(gone).status == 401)
        #expect(statuses.count == StytchJWTError.Code.allCases.count, "rows for codes that do not exist: \(statuses.keys.sorted())")
    }
}

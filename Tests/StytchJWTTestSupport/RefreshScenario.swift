public import Foundation
import StytchJWT
package import StytchJWTTesting

/// One script both middleware run, in memory and live, against the Stytch stand-in: the refresh
/// of an expired JWT with its `Set-Cookie`, the tokens that must never reach the API, the API's
/// failures, and the permission guard. It returns one line per step; the tests compare them with
/// ``expected``.
///
/// The application under test serves, behind an authenticator with a refresher whose verifier's
/// clock reads T0+400 (T0 = `TestTokens.issuedAt`) and a stand-in issuing JWTs at T0+390:
/// - `GET /me`: `memberID|memberSessionID`;
/// - `GET /documents/write`: guarded by the permission `documents`/`write`;
/// - `GET /orgs/:organization_id/reports`: guarded by `reports`/`read` in the route's organization.
public enum RefreshScenario {
    /// What a request returned.
    public struct Answer: Sendable {
        public let status: Int
        public let setCookies: [String]
        /// The `Stytch-Session-JWT` header's values (a refreshed JWT for a bearer client).
        public let refreshedJWTs: [String]
        /// The `Cache-Control` header's values.
        public let cacheControl: [String]
        public let body: String

        public init(status: Int, setCookies: [String], refreshedJWTs: [String], cacheControl: [String], body: String) {
            self.status = status
            self.setCookies = setCookies
            self.refreshedJWTs = refreshedJWTs
            self.cacheControl = cacheControl
            self.body = body
        }
    }

    /// Sends `GET path` with `headers`.
    public typealias Send = @Sendable (_ path: String, _ headers: [(String, String)]) async throws -> Answer

    /// The verifier's clock.
    public static let now = Date(timeIntervalSince1970: Double(TestTokens.issuedAt + 400))
    /// When the stand-in issues fresh JWTs.
    public static let issueTime = TestTokens.issuedAt + 390
    /// Another organization.
    public static let otherOrganization = "organization-test-00000000-0000-4000-8000-0000000000bb"

    /// Runs the script. `standIn` must sign with `key` under `kid`, the keys the app's verifier holds.
    package static func run(standIn: StytchStandIn, kid: String, key: TestingSigningKey, send: Send) async throws -> [String] {
        standIn.setIssueTime(issueTime)
        let t0 = TestTokens.issuedAt
        let expired = TestTokens.token(kid: kid, key: key)
        let valid = TestTokens.token(kid: kid, key: key, issuedAt: t0 + 350)
        var lines: [String] = []
        var freshJWT = ""

        func step(_ name: String, _ path: String, _ headers: [(String, String)]) async throws {
            let answer = try await send(path, headers)
            var cookies = answer.setCookies
            if let first = cookies.first, first.hasPrefix("stytch_session_jwt="), let end = first.firstIndex(of: ";") {
                freshJWT = String(first[first.index(first.startIndex, offsetBy: "stytch_session_jwt=".count)..<end])
                cookies[0] = first.replacingOccurrences(of: freshJWT, with: freshJWT == expired ? "<presented>" : "<fresh>")
            }
            var headerJWTs = answer.refreshedJWTs
            if let first = headerJWTs.first {
                freshJWT = first
                headerJWTs[0] = first == expired ? "<presented>" : "<fresh>"
            }
            let code = (try? StrictJSON.parseObject(Array(answer.body.utf8), maximumDepth: 8))?["error"]?.objectValue?["code"]?.stringValue
            // A response that carries a token must say no-store; one that carries none is not checked here.
            let store = cookies.isEmpty && headerJWTs.isEmpty ? "" : " cache-control=\(answer.cacheControl)"
            lines.append(
                "\(name): \(answer.status) \(code ?? "ok") set-cookie=[\(cookies.joined(separator: " | "))] jwt-header=\(headerJWTs)\(store) api-calls=\(standIn.authenticateCalls)"
            )
        }
        func cookie(_ jwt: String) -> [(String, String)] { [("Cookie", "theme=dark; stytch_session_jwt=\(jwt)")] }
        func bearer(_ jwt: String) -> [(String, String)] { [("Authorization", "Bearer \(jwt)")] }

        try await step("valid", "/me", cookie(valid))
        try await step("expired-cookie", "/me", cookie(expired))
        let fresh = freshJWT
        try await step("fresh-cookie", "/me", cookie(fresh))
        try await step("expired-bearer-again", "/me", bearer(expired))
        try await step("fresh-bearer", "/me", bearer(freshJWT))
        try await step("forged-expired", "/me", bearer(TestTokens.withBrokenSignature(expired)))
        try await step("garbage", "/me", bearer("garbage"))
        try await step("member-write", "/documents/write", bearer(valid))
        try await step("editor-write", "/documents/write", bearer(TestTokens.token(kid: kid, key: key, issuedAt: t0 + 350, roles: ["editor"])))
        let viewer = TestTokens.token(kid: kid, key: key, issuedAt: t0 + 350, roles: ["viewer"])
        try await step("viewer-own-org-reports", "/orgs/\(TestTokens.organizationID)/reports", bearer(viewer))
        try await step("viewer-other-org-reports", "/orgs/\(otherOrganization)/reports", bearer(viewer))
        // The refreshed session's roles are the ones the permission guard sees.
        standIn.setRolesInFreshJWT(["editor"])
        try await step("expired-member-refreshed-as-editor-write", "/documents/write", bearer(TestTokens.token(kid: kid, key: key, issuedAt: t0 - 1)))
        standIn.setAuthenticateFault(.status(500, errorType: "internal_server_error"))
        try await step("api-500", "/me", bearer(TestTokens.token(kid: kid, key: key, issuedAt: t0 - 2)))
        standIn.setAuthenticateFault(.none)
        standIn.revokeSession()
        try await step("revoked-session", "/me", bearer(TestTokens.token(kid: kid, key: key, issuedAt: t0 - 3)))
        lines.append("policy-calls: project=\(standIn.policyCalls) own-org=\(standIn.organizationPolicyCalls(TestTokens.organizationID)) other-org=\(standIn.organizationPolicyCalls(otherOrganization))")
        return lines
    }

    /// What both middleware must answer, in memory and live.
    public static let expected: [String] = {
        let cookie = "stytch_session_jwt=<fresh>; Max-Age=7190; Path=/; Secure; HttpOnly; SameSite=Lax"
        // A cookie client gets the fresh JWT in a Set-Cookie, a bearer client in Stytch-Session-JWT.
        let header = "jwt-header=[\"<fresh>\"] cache-control=[\"no-store\"]"
        return [
            "valid: 200 ok set-cookie=[] jwt-header=[] api-calls=0",
            "expired-cookie: 200 ok set-cookie=[\(cookie)] jwt-header=[] cache-control=[\"no-store\"] api-calls=1",
            "fresh-cookie: 200 ok set-cookie=[] jwt-header=[] api-calls=1",
            "expired-bearer-again: 200 ok set-cookie=[] \(header) api-calls=1",
            "fresh-bearer: 200 ok set-cookie=[] jwt-header=[] api-calls=1",
            "forged-expired: 401 invalid_signature set-cookie=[] jwt-header=[] api-calls=1",
            "garbage: 401 malformed set-cookie=[] jwt-header=[] api-calls=1",
            "member-write: 403 permission_denied set-cookie=[] jwt-header=[] api-calls=1",
            "editor-write: 200 ok set-cookie=[] jwt-header=[] api-calls=1",
            "viewer-own-org-reports: 200 ok set-cookie=[] jwt-header=[] api-calls=1",
            "viewer-other-org-reports: 403 tenancy_mismatch set-cookie=[] jwt-header=[] api-calls=1",
            "expired-member-refreshed-as-editor-write: 200 ok set-cookie=[] \(header) api-calls=2",
            "api-500: 503 stytch_api_error set-cookie=[] jwt-header=[] api-calls=3",
            "revoked-session: 401 stytch_api_error set-cookie=[] jwt-header=[] api-calls=4",
            "policy-calls: project=1 own-org=1 other-org=0",
        ]
    }()
}

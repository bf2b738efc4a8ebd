import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import HummingbirdTesting
import NIOCore
import StytchJWT
import StytchJWTHummingbird
import StytchJWTTestSupport
import Testing

/// The refresh-and-`Set-Cookie` path and the permission guard of the Hummingbird adapter, against
/// the Stytch stand-in, in memory (`.router`) and over loopback (`.live`).
@Suite struct HummingbirdRefreshAndPermissionTests {
    static let kid = "jwk-test-hummingbird-refresh"
    static let key = TestJWKS.keyA

    static func app(standIn: StytchStandIn) throws -> some ApplicationProtocol {
        let verifier = try StytchJWTVerifier(
            configuration: .init(projectID: TestTokens.projectID, clock: { RefreshScenario.now }),
            keys: TestTokens.keySet(kid: kid, key: key)
        )
        let client = try StytchB2BClient(projectID: standIn.projectID, secret: standIn.secret, baseURL: standIn.baseURL, timeout: 20)
        let refresher = StytchSessionRefresher(verifier: verifier, client: client)
        let rbac = StytchRBACAuthorizer(client: client)
        let router = Router(context: StytchRequestContext.self)
        let members = router.group().add(middleware: StytchAuthenticator(refresher: refresher))
        members.get("/me") { _, context in
            let session = try context.requireStytchSession()
            return "\(session.memberID)|\(session.memberSessionID)"
        }
        members.requirePermission(resource: "documents", action: "write", authorizer: rbac).get("/documents/write") { _, _ in "written" }
        members.requirePermission(resource: "reports", action: "read", authorizer: rbac, organization: .routeParameter("organization_id"))
            .get("/orgs/:organization_id/reports") { _, _ in "reports" }
        return Application(router: router)
    }

    @Test(arguments: [TestingSetup.router, .live])
    func refreshSetCookieAndPermissionGuard(_ mode: TestingSetup) async throws {
        let lines = try await withStytchStandIn(kid: Self.kid, signingKey: Self.key) { standIn in
            try await Self.app(standIn: standIn).test(mode) { client in
                let send: RefreshScenario.Send = { path, headers in
                    var fields = HTTPFields()
                    for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
                    let response = try await client.execute(uri: path, method: .get, headers: fields)
                    return RefreshScenario.Answer(
                        status: Int(response.status.code), setCookies: response.headers[values: .setCookie],
                        refreshedJWTs: response.headers[values: HTTPField.Name(StytchHTTPAuthentication.refreshedJWTHeader)!],
                        cacheControl: response.headers[values: .cacheControl], body: String(buffer: response.body)
                    )
                }
                return try await RefreshScenario.run(standIn: standIn, kid: Self.kid, key: Self.key, send: send)
            }
        }
        #expect(lines == RefreshScenario.expected, "\(lines.joined(separator: "\n"))")
    }
}

import Foundation
import StytchJWT
import StytchJWTTestSupport
import StytchJWTVapor
import Testing
import Vapor
import VaporTesting

/// The refresh-and-`Set-Cookie` path and the permission guard of the Vapor adapter, against the
/// Stytch stand-in, in memory and over loopback (`.running`), with the refresher and the
/// authorizer in `app.stytch`.
@Suite struct VaporRefreshAndPermissionTests {
    static let kid = "jwk-test-vapor-refresh"
    static let key = TestJWKS.keyA

    static func configure(_ app: Application, standIn: StytchStandIn) throws {
        let verifier = try StytchJWTVerifier(
            configuration: .init(projectID: TestTokens.projectID, clock: { RefreshScenario.now }),
            keys: TestTokens.keySet(kid: kid, key: key)
        )
        let client = try StytchB2BClient(projectID: standIn.projectID, secret: standIn.secret, baseURL: standIn.baseURL, timeout: 20)
        app.stytch.refresher = StytchSessionRefresher(verifier: verifier, client: client)
        app.stytch.authorizer = StytchRBACAuthorizer(client: client)
        let members = app.grouped(StytchAuthenticator())
        members.get("me") { req -> String in
            let session = try req.requireStytchSession()
            return "\(session.memberID)|\(session.memberSessionID)"
        }
        members.requirePermission(resource: "documents", action: "write").get("documents", "write") { _ in "written" }
        members.requirePermission(resource: "reports", action: "read", organization: .routeParameter("organization_id"))
            .get("orgs", ":organization_id", "reports") { _ in "reports" }
    }

    @Test(arguments: [false, true])
    func refreshSetCookieAndPermissionGuard(live: Bool) async throws {
        let lines = try await withStytchStandIn(kid: Self.kid, signingKey: Self.key) { standIn in
            try await withApp { app in
                try Self.configure(app, standIn: standIn)
                let tester = try live ? app.testing(method: .running(port: 0)) : app.testing()
                let send: RefreshScenario.Send = { path, headers in
                    let response = try await tester.sendRequest(.GET, path, headers: HTTPHeaders(headers))
                    return RefreshScenario.Answer(
                        status: Int(response.status.code), setCookies: response.headers[.setCookie],
                        refreshedJWTs: response.headers[StytchHTTPAuthentication.refreshedJWTHeader],
                        cacheControl: response.headers[.cacheControl], body: String(buffer: response.body)
                    )
                }
                return try await RefreshScenario.run(standIn: standIn, kid: Self.kid, key: Self.key, send: send)
            }
        }
        #expect(lines == RefreshScenario.expected, "\(lines.joined(separator: "\n"))")
    }
}

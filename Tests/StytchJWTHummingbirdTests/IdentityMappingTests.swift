import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import HummingbirdTesting
import StytchJWTHummingbird
import StytchJWTTestSupport
import Testing

/// An application's own identity type, made from the Stytch session, with the Stytch guards on it.
@Suite("Hummingbird: the application's identity")
struct IdentityMappingTests {
    struct User: StytchIdentity {
        let name: String
        let session: VerifiedSession
        var stytchCredential: StytchCredential { .session(session) }
    }

    typealias AppContext = TestAppContext<User>

    static func app() throws -> some ApplicationProtocol {
        let router = Router(context: AppContext.self)
        let members = router.group().add(middleware: StytchIdentityAuthenticator<AppContext>(verifier: try AdapterScenarios.verifier()) { session, _ in
            User(name: "user:\(session.memberID)", session: session)
        })
        members.get("/whoami") { _, context in context.identity?.name ?? "nobody" }
        members.requireStytchSession(.anyRole(["admin"])).get("/admin") { _, _ in "ok" }
        return Application(router: router)
    }

    static func get(_ path: String, _ scenarioName: String?) async throws -> (Int, String) {
        let headers = HTTPFields((AdapterScenarios.all.first { $0.name == scenarioName }?.headers ?? []).map {
            HTTPField(name: HTTPField.Name($0.name)!, value: $0.value)
        })
        return try await Self.app().test(.router) { client in
            let response = try await client.execute(uri: path, method: .get, headers: headers)
            return (Int(response.status.code), String(buffer: response.body))
        }
    }

    @Test("the handler gets the mapped identity; guards read its session; refusals are the pipeline's")
    func mapped() async throws {
        let (status, body) = try await Self.get("/whoami", "a valid bearer token")
        #expect(status == 200)
        #expect(body == "user:\(TestTokens.memberID)")
        #expect(try await Self.get("/admin", "a valid bearer token").0 == 403)
        #expect(try await Self.get("/admin", "all roles: admin and billing").0 == 200)
        #expect(try await Self.get("/whoami", nil).0 == 401)
        #expect(try await Self.get("/whoami", "an expired token").0 == 401)
    }
}

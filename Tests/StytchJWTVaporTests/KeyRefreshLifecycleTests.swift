import Foundation
import StytchJWT
import StytchJWTTestSupport
import StytchJWTVapor
import Testing
import Vapor
import VaporTesting

/// `app.stytch.refreshKeys()`: the keys are fetched while the application boots, refreshed in the
/// background while it runs, and no longer once it has shut down.
@Suite("Vapor: keys fetched at boot and refreshed until shutdown")
struct KeyRefreshLifecycleTests {
    @Test("boot fetches the keys, the refresh runs in the background, shutdown stops it")
    func bootRefreshShutdown() async throws {
        let kid = TestJWKS.randomKid()
        let document = TestJWKS.document([(kid: kid, key: TestJWKS.keyA)])
        try await withJWKSTestServer(responding: .json(document)) { server in
            var settings = StytchJWKSCache.Configuration()
            (settings.defaultTTL, settings.minimumTTL, settings.refreshAheadFraction) = (0.2, 0.1, 0.5)
            let cache = StytchJWKSCache(fetcher: try StytchJWKSFetcher(url: server.url(path: TestJWKS.randomJWKSPath())), configuration: settings)
            let verifier = try StytchJWTVerifier(
                configuration: .init(projectID: TestTokens.projectID, clock: { Date(timeIntervalSince1970: TestTokens.now) }), cache: cache
            )
            let token = TestTokens.token(kid: kid, key: TestJWKS.keyA)
            // The synchronous check: the keys held now, never a fetch.
            let verifyWithHeldKeys: () throws -> VerifiedSession = { try verifier.verify(sessionJWT: token) }

            let app = try await Application.make(.testing)
            app.stytch.verifier = verifier
            let handler = try app.stytch.refreshKeys()
            #expect(server.requestCount == 0)
            #expect(throws: StytchJWTError.self) { try verifyWithHeldKeys() }  // no keys held yet

            try await app.asyncBoot()
            // The keys are there once boot returns.
            #expect(try verifyWithHeldKeys().memberID == TestTokens.memberID)
            #expect(handler.isRefreshing)
            #expect(await server.waitForRequests(atLeast: 3), "the background refresh did not run")

            try await app.asyncShutdown()
            #expect(!handler.isRefreshing)
            let fetches = server.requestCount
            #expect(await !server.waitForRequests(atLeast: fetches + 1, timeout: .milliseconds(600)), "a refresh ran after shutdown")
        }
    }

    @Test("refreshKeys() without a cache to refresh is invalid_configuration")
    func nothingToRefresh() async throws {
        try await withApp { app in
            #expect { try app.stytch.refreshKeys() } throws: { ($0 as? StytchJWTError)?.code == .invalidConfiguration }
            app.stytch.verifier = try AdapterScenarios.verifier()  // pinned keys
            #expect { try app.stytch.refreshKeys() } throws: { ($0 as? StytchJWTError)?.code == .invalidConfiguration }
        }
    }
}

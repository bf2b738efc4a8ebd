import Foundation
import StytchJWT
import StytchJWTTestSupport
import StytchJWTTesting
import Testing

/// End to end: `StytchJWTVerifier(configuration:cache:)` over a `StytchJWKSCache` that fetches from a real
/// loopback server, with tokens signed by fresh keys that only the server publishes.
@Suite("Verifier with remote keys from a loopback server", .timeLimit(.minutes(2)))
struct RemoteVerifierTests {
    static let kid1 = "jwk-test-remote-11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
    static let kid2 = "jwk-test-remote-22222222-bbbb-4bbb-8bbb-bbbbbbbbbbbb"

    static let document1 = TestJWKS.document([(kid1, TestJWKS.keyA)])
    static let document2 = TestJWKS.document([(kid2, TestJWKS.keyB)])

    /// A token with TokenFactory's default payload, signed by `key` under `kid`.
    static func token(kid: String, key: TestingSigningKey) -> String {
        TokenFactory.token(
            header: ["alg": .string("RS256"), "kid": .string(kid), "typ": .string("JWT")],
            key: key
        )
    }

    static let token1 = token(kid: kid1, key: TestJWKS.keyA)
    static let token2 = token(kid: kid2, key: TestJWKS.keyB)

    /// A cache over `server`'s JWKS at `path` (3 s timeout, manual clock) and a verifier over it
    /// whose token clock is TokenFactory's fixed instant.
    static func make(_ server: JWKSTestServer, path: String, clock: ManualClock = ManualClock()) throws -> (StytchJWKSCache, StytchJWTVerifier) {
        let cache = StytchJWKSCache(
            fetcher: try StytchJWKSFetcher(url: server.url(path: path), timeout: 3),
            clock: clock.clock
        )
        let verifier = try StytchJWTVerifier(
            configuration: .init(projectID: TokenFactory.projectID, clock: { Date(timeIntervalSince1970: TokenFactory.now) }),
            cache: cache
        )
        return (cache, verifier)
    }

    /// The code of the error an async verification throws (nil when it verifies), bounded in real time.
    static func asyncCode(_ verifier: StytchJWTVerifier, _ token: String) async throws -> StytchJWTError.Code? {
        try await withTimeout(.seconds(30)) {
            await errorCode { () async throws(StytchJWTError) -> VerifiedSession in
                try await verifier.verify(sessionJWT: token)
            }
        }
    }

    /// The synchronous overload (from a synchronous function, so the async one is not chosen).
    static func syncVerify(_ verifier: StytchJWTVerifier, _ token: String) throws(StytchJWTError) -> VerifiedSession {
        try verifier.verify(sessionJWT: token)
    }

    /// The code of the error a synchronous verification throws (nil when it verifies).
    static func syncCode(_ verifier: StytchJWTVerifier, _ token: String) -> StytchJWTError.Code? {
        do throws(StytchJWTError) {
            _ = try verifier.verify(sessionJWT: token)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("async verification on an empty cache fetches once and verifies, even 500 at a time")
    func asyncVerifyAtStartUp() async throws {
        try await withJWKSTestServer(responding: .json(Self.document1)) { server in
            let path = TestJWKS.randomJWKSPath()
            let (_, verifier) = try Self.make(server, path: path)

            let members = try await withTimeout(.seconds(90)) {
                await withTaskGroup(of: String?.self) { group in
                    for _ in 0..<500 {
                        group.addTask {
                            do throws(StytchJWTError) {
                                return try await verifier.verify(sessionJWT: Self.token1).memberID
                            } catch {
                                return nil
                            }
                        }
                    }
                    var members: [String?] = []
                    for await member in group { members.append(member) }
                    return members
                }
            }

            #expect(members.count == 500)
            #expect(members.allSatisfy { $0 == TokenFactory.memberID })
            #expect(server.requestCount(path: path) == 1, "start-up requests: \(server.requestCount(path: path))")
        }
    }

    @Test("sync verification before any fetch is keys_unavailable and fetches nothing")
    func syncVerifyBeforeFetch() async throws {
        try await withJWKSTestServer(responding: .json(Self.document1)) { server in
            let path = TestJWKS.randomJWKSPath()
            let (_, verifier) = try Self.make(server, path: path)
            #expect(Self.syncCode(verifier, Self.token1) == .keysUnavailable)
            try await Task.sleep(for: .milliseconds(100))  // room for a wrongly started fetch
            #expect(server.requestCount == 0)
        }
    }

    @Test("sync verification after a prefetch verifies with no further request")
    func syncVerifyAfterPrefetch() async throws {
        try await withJWKSTestServer(responding: .json(Self.document1)) { server in
            let path = TestJWKS.randomJWKSPath()
            let (cache, verifier) = try Self.make(server, path: path)
            try await withTimeout(.seconds(30)) { await cache.prefetch() }
            let session = try Self.syncVerify(verifier, Self.token1)
            #expect(session.memberID == TokenFactory.memberID)
            #expect(session.jwt.keyID == Self.kid1)
            #expect(server.requestCount(path: path) == 1)
        }
    }

    @Test("rotation mid-run: the new key verifies after one forced refresh, the removed one no longer does")
    func rotationMidRun() async throws {
        try await withJWKSTestServer(responding: .json(Self.document1)) { server in
            let path = TestJWKS.randomJWKSPath()
            let (cache, verifier) = try Self.make(server, path: path)
            try await withTimeout(.seconds(30)) { await cache.prefetch() }
            #expect(try await Self.asyncCode(verifier, Self.token1) == nil)

            server.respond(with: .json(Self.document2))
            // The synchronous path never fetches: the new kid is unknown to it until a refresh.
            #expect(Self.syncCode(verifier, Self.token2) == .unknownKey)
            #expect(server.requestCount(path: path) == 1)

            #expect(try await Self.asyncCode(verifier, Self.token2) == nil)
            #expect(server.requestCount(path: path) == 2)
            #expect(Self.syncCode(verifier, Self.token2) == nil)

            #expect(try await Self.asyncCode(verifier, Self.token1) == .unknownKey)
            #expect(Self.syncCode(verifier, Self.token1) == .unknownKey)
            #expect(server.requestCount(path: path) == 2)
        }
    }

    @Test("forged tokens with unknown kids make no request inside the cooldown")
    func forgedTokensInsideCooldown() async throws {
        try await withJWKSTestServer(responding: .json(Self.document1)) { server in
            let path = TestJWKS.randomJWKSPath()
            let (cache, verifier) = try Self.make(server, path: path)
            try await withTimeout(.seconds(30)) { await cache.prefetch() }
            let attacker = TestJWKS.keyC

            // The first unknown kid may cost the one forced refresh of this cooldown window…
            #expect(try await Self.asyncCode(verifier, Self.token(kid: TestJWKS.randomKid(), key: attacker)) == .unknownKey)
            let afterFirst = server.requestCount(path: path)
            #expect(afterFirst == 2)

            // …and no other costs anything.
            for _ in 0..<50 {
                #expect(try await Self.asyncCode(verifier, Self.token(kid: TestJWKS.randomKid(), key: attacker)) == .unknownKey)
            }
            // A forged signature under the real kid is a signature failure, and no request either.
            #expect(try await Self.asyncCode(verifier, Self.token(kid: Self.kid1, key: attacker)) == .invalidSignature)
            #expect(server.requestCount(path: path) == afterFirst)
            #expect(try await Self.asyncCode(verifier, Self.token1) == nil)
        }
    }

    @Test("a server that fails at start-up gives keys_unavailable through the verifier")
    func startUpOutage() async throws {
        try await withJWKSTestServer(responding: .status(500)) { server in
            let path = TestJWKS.randomJWKSPath()
            let (_, verifier) = try Self.make(server, path: path)
            #expect(try await Self.asyncCode(verifier, Self.token1) == .keysUnavailable)
            #expect(server.requestCount(path: path) == 1)
        }
    }
}

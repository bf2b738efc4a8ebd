import CoreMetrics
import Logging
import MetricsTestKit
import ServiceLifecycle
import ServiceLifecycleTestKit
@testable import StytchJWKS
import StytchJWTCore
import StytchJWTTesting
import StytchJWTTestSupport
import Testing

/// The JWKS cache of SPEC §7 against a real HTTP server on loopback (`JWKSTestServer`), with a
/// manual clock wherever time matters: every request count below is counted by the server.
@Suite("JWKS cache against a loopback server", .timeLimit(.minutes(3)))
struct JWKSCacheTests {
    static let kidA = "jwk-test-aaaaaaaa-1111-4111-8111-111111111111"
    static let kidB = "jwk-test-bbbbbbbb-2222-4222-8222-222222222222"
    static let kidC = "jwk-test-cccccccc-3333-4333-8333-333333333333"

    static let publicA: RSAPublicKey = try! TestJWKS.keyA.publicKey()
    static let publicB: RSAPublicKey = try! TestJWKS.keyB.publicKey()
    static let publicC: RSAPublicKey = try! TestJWKS.keyC.publicKey()

    static let documentA = TestJWKS.document([(kidA, TestJWKS.keyA)])
    static let documentB = TestJWKS.document([(kidB, TestJWKS.keyB)])
    static let documentAB = TestJWKS.document([(kidA, TestJWKS.keyA), (kidB, TestJWKS.keyB)])

    /// A cache over `server`'s JWKS at `path`, fetched with a 3 s timeout (generous: CI machines are shared and slow).
    static func makeCache(
        _ server: JWKSTestServer,
        path: String,
        clock: ManualClock,
        configuration: StytchJWKSCache.Configuration = StytchJWKSCache.Configuration(),
        timeout: Double = 3,
        maximumBodyBytes: Int = 1 << 20,
        pinned: JWKSet? = nil,
        label: String = "test",
        logger: Logger? = nil
    ) throws -> StytchJWKSCache {
        StytchJWKSCache(
            fetcher: try StytchJWKSFetcher(url: server.url(path: path), timeout: timeout, maximumBodyBytes: maximumBodyBytes),
            pinned: pinned,
            configuration: configuration,
            clock: clock.clock,
            label: label,
            logger: logger
        )
    }

    typealias Lookup = Result<RSAPublicKey, StytchJWTError>

    /// `kids.count` concurrent `key(for:)` calls, bounded by a real-time limit.
    static func lookUp(_ cache: StytchJWKSCache, _ kids: [String], limit: Duration = .seconds(90)) async throws -> [Lookup] {
        try await withTimeout(limit) {
            await withTaskGroup(of: Lookup.self) { group in
                for kid in kids {
                    group.addTask {
                        do throws(StytchJWTError) {
                            return .success(try await cache.key(for: kid))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                var results: [Lookup] = []
                results.reserveCapacity(kids.count)
                for await result in group { results.append(result) }
                return results
            }
        }
    }

    /// One bounded lookup: its error code (nil on success) and how long it took in real time.
    static func timedLookup(_ cache: StytchJWKSCache, _ kid: String, limit: Duration = .seconds(30)) async throws -> (code: StytchJWTError.Code?, elapsed: Duration) {
        try await withTimeout(limit) {
            let (code, elapsed) = await measure {
                await errorCode { () async throws(StytchJWTError) -> RSAPublicKey in try await cache.key(for: kid) }
            }
            return (code, elapsed)
        }
    }

    /// One bounded lookup's error code (nil on success).
    static func code(_ cache: StytchJWKSCache, _ kid: String, limit: Duration = .seconds(30)) async throws -> StytchJWTError.Code? {
        try await timedLookup(cache, kid, limit: limit).code
    }

    /// A bounded `key(for:)`: the key, or nil when the lookup throws.
    static func key(_ cache: StytchJWKSCache, _ kid: String, limit: Duration = .seconds(30)) async throws -> RSAPublicKey? {
        try await withTimeout(limit) { try? await cache.key(for: kid) }
    }

    /// A bounded `prefetch()`.
    static func prefetch(_ cache: StytchJWKSCache, limit: Duration = .seconds(30)) async throws {
        try await withTimeout(limit) { await cache.prefetch() }
    }

    static func randomKids(_ count: Int) -> [String] {
        (0..<count).map { _ in TestJWKS.randomKid("jwk-test-forged") }
    }

    // MARK: Start-up and floods

    @Test("1,000 concurrent lookups on an empty cache make exactly one request and all get the key")
    func startUpIsOneRequest() async throws {
        try await withJWKSTestServer(responding: .json(Self.documentA)) { server in
            let path = TestJWKS.randomJWKSPath()
            let cache = try Self.makeCache(server, path: path, clock: ManualClock())

            let results = try await Self.lookUp(cache, Array(repeating: Self.kidA, count: 1_000))

            #expect(results.count == 1_000)
            let verified = results.filter { (try? $0.get()) == Self.publicA }.count
            #expect(verified == 1_000, "lookups that did not get the key: \(1_000 - verified)")
            #expect(server.requestCount(path: path) == 1, "start-up requests: \(server.requestCount(path: path))")
            #expect(server.requestCount == server.requestCount(path: path))
        }
    }

    @Test("a flood of 1,000 random kids makes one request per cooldown window and every lookup fails with unknown_key")
    func floodOfUnknownKids() async throws {
        try await withJWKSTestServer(responding: .json(Self.documentA)) { server in
            let path = TestJWKS.randomJWKSPath()
            let clock = ManualClock()
            let cache = try Self.makeCache(server, path: path, clock: clock)
            try await Self.prefetch(cache)
            #expect(server.requestCount(path: path) == 1)

            // First window: exactly one forced refresh for the whole flood.
            let first = try await Self.lookUp(cache, Self.randomKids(1_000))
            #expect(first.count == 1_000)
            #expect(first.allSatisfy { $0.errorCode == .unknownKey })
            #expect(server.requestCount(path: path) == 2, "requests after the first flood: \(server.requestCount(path: path))")

            // Still inside the window: another flood makes no request at all.
            clock.advance(by: cache.configuration.refreshCooldown - 1)
            let second = try await Self.lookUp(cache, Self.randomKids(1_000))
            #expect(second.allSatisfy { $0.errorCode == .unknownKey })
            #expect(server.requestCount(path: path) == 2)

            // The good key kept verifying throughout.
            #expect(cache.heldKey(for: Self.kidA) == Self.publicA)

            // Next window: exactly one more request.
            clock.advance(by: 1)
            let third = try await Self.lookUp(cache, Self.randomKids(1_000))
            #expect(third.allSatisfy { $0.errorCode == .unknownKey })
            #expect(server.requestCount(path: path) == 3, "requests after the third flood: \(server.requestCount(path: path))")
            #expect(try await Self.key(cache, Self.kidA) == Self.publicA)
        }
    }

    @Test("inside the cooldown an unknown kid fails at once, without a request")
    func unknownKidInsideCooldownFailsFast() async throws {
        try await withJWKSTestServer(responding: .json(Self.documentA)) { server in
            let path = TestJWKS.randomJWKSPath()
            let clock = ManualClock()
            let cache = try Self.makeCache(server, path: path, clock: clock)
            try await Self.prefetch(cache)
            #expect(try await Self.code(cache, "jwk-test-unknown-1") == .unknownKey)
            #expect(server.requestCount(path: path) == 2)

            // Any request now would hang until the 3 s timeout: failing at once proves none was made.
            server.respond(with: .hang)
            clock.advance(by: cache.configuration.refreshCooldown - 0.001)
            let inside = try await Self.timedLookup(cache, "jwk-test-unknown-2")
            #expect(inside.code == .unknownKey)
            #expect(inside.elapsed < .seconds(2), "took \(inside.elapsed)")
            #expect(server.requestCount(path: path) == 2)

            // The cooldown's end allows one forced refresh again (which hangs, times out, and still
            // leaves the held key answering: unknown_key, not keys_unavailable).
            clock.advance(by: 0.001)
            #expect(try await Self.code(cache, "jwk-test-unknown-3") == .unknownKey)
            #expect(server.requestCount(path: path) == 3)
            #expect(cache.heldKey(for: Self.kidA) == Self.publicA)
        }
    }

    // MARK: Rotation

    @Test("a new kid verifies after one forced refresh; the key that vanished is then rejected")
    func rotation() async throws {
        try await withJWKSTestServer(responding: .json(Self.documentA)) { server in
            let path = TestJWKS.randomJWKSPath()
            let cache = try Self.makeCache(server, path: path, clock: ManualClock())
            try await Self.prefetch(cache)
            #expect(try await Self.key(cache, Self.kidA) == Self.publicA)

            server.respond(with: .json(Self.documentB))
            #expect(cache.heldKey(for: Self.kidB) == nil)
            #expect(try await Self.key(cache, Self.kidB) == Self.publicB)
            #expect(server.requestCount(path: path) == 2)

            #expect(cache.heldKey(for: Self.kidA) == nil)
            #expect(try await Self.code(cache, Self.kidA) == .unknownKey)
            #expect(server.requestCount(path: path) == 2)
            #expect(await cache.status().kids == [Self.kidB])
        }
    }

    @Test("overlapping rotation: old and new verify side by side, and the old one goes with the next TTL refresh")
    func overlappingRotation() async throws {
        try await withJWKSTestServer(responding: .json(Self.documentA)) { server in
            let path = TestJWKS.randomJWKSPath()
            let clock = ManualClock()
            let cache = try Self.makeCache(server, path: path, clock: clock)
            try await Self.prefetch(cache)

            server.respond(with: .json(Self.documentAB))
            #expect(try await Self.key(cache, Self.kidB) == Self.publicB)
            #expect(try await Self.key(cache, Self.kidA) == Self.publicA)
            #expect(server.requestCount(path: path) == 2)

            server.respond(with: .json(Self.documentB))
            clock.advance(by: cache.configuration.defaultTTL)
            // Past the TTL the held key still answers at once and starts one background refresh.
            #expect(cache.heldKey(for: Self.kidB) == Self.publicB)
            #expect(await poll { await cache.status().successfulFetches == 3 })
            #expect(server.requestCount(path: path) == 3)
            #expect(cache.heldKey(for: Self.kidA) == nil)
            #expect(await cache.status().kids == [Self.kidB])
        }
    }

    // MARK: Failures

    /// A failed fetch, each served so that a cache that wrongly accepted it would gain a key.
    enum Failure: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case http500, hang, oversizeWithLength, oversizeChunked, invalidJSON, allKeysFailPolicy, slowDrip, redirect

        var testDescription: String { rawValue }

        /// The behaviour; `document` is what it would deliver if the failure were ignored.
        func behaviour(document: JSONValue, badKeysFor kid: String, server: JWKSTestServer, redirectTarget: String) -> JWKSTestServer.Behaviour {
            switch self {
            case .http500:
                // A valid body does not make a 500 a success.
                return .jwks(body: TestJWKS.bytes(document), status: 500)
            case .hang:
                return .hang
            case .oversizeWithLength:
                return .oversize(bytes: 200_000, declaresLength: true, document: document)
            case .oversizeChunked:
                return .oversize(bytes: 200_000, declaresLength: false, document: document)
            case .invalidJSON:
                return .invalidJSON
            case .allKeysFailPolicy:
                return .json(TestJWKS.document([], extraKeys: [
                    TestJWKS.jwk(kid: kid, key: TestJWKS.keyB, overriding: ["use": .string("enc")]),
                    TestJWKS.jwk(kid: kid + "-weak", key: TestJWKS.weak1024),
                    TestJWKS.jwk(kid: kid + "-rs512", key: TestJWKS.keyC, overriding: ["alg": .string("RS512")]),
                    TestJWKS.jwk(kid: kid + "-encrypt", key: TestJWKS.keyC, overriding: ["key_ops": .array([.string("encrypt")])]),
                ]))
            case .slowDrip:
                // About 12 s for the whole body: far past the 3 s request timeout.
                let body = TestJWKS.bytes(document)
                return .slowDrip(body: body, bytesPerChunk: max(1, body.count / 120), interval: .milliseconds(100))
            case .redirect:
                return .redirect(to: server.url(path: redirectTarget))
            }
        }
    }

    @Test("a failed fetch keeps the last good keys verifying, and unknown kids stay unknown_key", arguments: Failure.allCases)
    func failureKeepsLastGoodKeys(_ failure: Failure) async throws {
        try await withJWKSTestServer(responding: .json(Self.documentA)) { server in
            let path = TestJWKS.randomJWKSPath()
            let redirectTarget = TestJWKS.randomJWKSPath()
            server.respond(with: .json(Self.documentAB), onPath: redirectTarget)
            let clock = ManualClock()
            let cache = try Self.makeCache(server, path: path, clock: clock, maximumBodyBytes: 65_536)
            try await Self.prefetch(cache)
            #expect(server.requestCount(path: path) == 1)

            server.respond(with: failure.behaviour(document: Self.documentAB, badKeysFor: Self.kidB, server: server, redirectTarget: redirectTarget))
            let lookup = try await Self.timedLookup(cache, Self.kidB)
            #expect(lookup.code == .unknownKey, "a key from a failed fetch must not be admitted")
            #expect(lookup.elapsed < .seconds(10), "the 3 s timeout should end the fetch; took \(lookup.elapsed)")
            #expect(server.requestCount(path: path) == 2)
            #expect(server.requestCount(path: redirectTarget) == 0, "a redirect must not be followed")

            let status = await cache.status()
            #expect(status.successfulFetches == 1)
            #expect(status.failedFetches == 1)
            #expect(status.kids == [Self.kidA])
            #expect(cache.heldKey(for: Self.kidA) == Self.publicA)
            #expect(try await Self.key(cache, Self.kidA) == Self.publicA)

            // Past the TTL (stale-if-error): still verifying, while a background refresh fails again.
            clock.advance(by: cache.configuration.defaultTTL + 1)
            #expect(cache.heldKey(for: Self.kidA) == Self.publicA)
            #expect(await poll(timeout: .seconds(20)) { await cache.status().failedFetches == 2 })
            #expect(cache.heldKey(for: Self.kidA) == Self.publicA)
            #expect(cache.missingKeyError().code == .unknownKey)
        }
    }

    @Test("a failed fetch with nothing held is keys_unavailable, promptly", arguments: Failure.allCases)
    func failureAtStartUp(_ failure: Failure) async throws {
        try await withJWKSTestServer { server in
            let path = TestJWKS.randomJWKSPath()
            let redirectTarget = TestJWKS.randomJWKSPath()
            server.respond(with: .json(Self.documentA), onPath: redirectTarget)
            server.respond(with: failure.behaviour(document: Self.documentA, badKeysFor: Self.kidA, server: server, redirectTarget: redirectTarget))
            let cache = try Self.makeCache(server, path: path, clock: ManualClock(), maximumBodyBytes: 65_536)

            let lookup = try await Self.timedLookup(cache, Self.kidA)
            #expect(lookup.code == .keysUnavailable)
            #expect(lookup.elapsed < .seconds(10), "the 3 s timeout should end the fetch; took \(lookup.elapsed)")
            #expect(server.requestCount(path: path) == 1)
            #expect(server.requestCount(path: redirectTarget) == 0)
            #expect(cache.heldKey(for: Self.kidA) == nil)
            #expect(cache.missingKeyError().code == .keysUnavailable)
            #expect(await cache.status().failedFetches == 1)
        }
    }

    @Test("a document over the key-count cap admits only the first keys")
    func keyCountCap() async throws {
        let document = TestJWKS.document([(Self.kidA, TestJWKS.keyA), (Self.kidC, TestJWKS.keyC), (Self.kidB, TestJWKS.keyB)])
        try await withJWKSTestServer(responding: .json(document)) { server in
            let path = TestJWKS.randomJWKSPath()
            var configuration = StytchJWKSCache.Configuration()
            configuration.limits.maximumKeyCount = 2
            let cache = try Self.makeCache(server, path: path, clock: ManualClock(), configuration: configuration)
            #expect(try await Self.key(cache, Self.kidA) == Self.publicA)
            #expect(try await Self.key(cache, Self.kidC) == Self.publicC)
            #expect(try await Self.code(cache, Self.kidB) == .unknownKey)
            #expect(await cache.status().kids.count == 2)
        }
    }

    // MARK: Backoff and staleness

    @Test("after a failure no fetch is tried before the backoff ends, and one is after it; the backoff doubles")
    func backoffAtStartUp() async throws {
        try await withJWKSTestServer(responding: .status(500)) { server in
            let path = TestJWKS.randomJWKSPath()
            let clock = ManualClock(start: 1_000)
            let cache = try Self.makeCache(server, path: path, clock: clock)  // initial backoff 1 s

            #expect(try await Self.code(cache, Self.kidA) == .keysUnavailable)
            #expect(server.requestCount(path: path) == 1)
            #expect(try await Self.code(cache, Self.kidA) == .keysUnavailable)
            clock.set(to: 1_000.999)
            #expect(try await Self.code(cache, Self.kidA) == .keysUnavailable)
            #expect(server.requestCount(path: path) == 1, "retried inside the first backoff")

            clock.set(to: 1_001)
            #expect(try await Self.code(cache, Self.kidA) == .keysUnavailable)
            #expect(server.requestCount(path: path) == 2, "no retry after the first backoff")

            // Second failure: 2 s.
            server.respond(with: .json(Self.documentA))
            clock.set(to: 1_002.999)
            #expect(try await Self.code(cache, Self.kidA) == .keysUnavailable)
            #expect(server.requestCount(path: path) == 2, "retried inside the second backoff")
            clock.set(to: 1_003)
            #expect(try await Self.key(cache, Self.kidA) == Self.publicA)
            #expect(server.requestCount(path: path) == 3)
        }
    }

    @Test("the backoff is capped at maximumBackoff")
    func backoffIsCapped() async throws {
        try await withJWKSTestServer(responding: .status(503)) { server in
            let path = TestJWKS.randomJWKSPath()
            let clock = ManualClock(start: 1_000)
            var configuration = StytchJWKSCache.Configuration()
            configuration.initialBackoff = 1
            configuration.maximumBackoff = 4
            let cache = try Self.makeCache(server, path: path, clock: clock, configuration: configuration)

            // Failures at 1000 (next 1001), 1001 (next 1003), 1003 (next 1007), 1007 (next 1011, not 1015).
            for (instant, expected) in [(1_000.0, 1), (1_001.0, 2), (1_003.0, 3), (1_007.0, 4)] {
                clock.set(to: instant)
                #expect(try await Self.code(cache, Self.kidA) == .keysUnavailable)
                #expect(server.requestCount(path: path) == expected)
            }
            clock.set(to: 1_010.999)
            #expect(try await Self.code(cache, Self.kidA) == .keysUnavailable)
            #expect(server.requestCount(path: path) == 4)
            clock.set(to: 1_011)
            #expect(try await Self.code(cache, Self.kidA) == .keysUnavailable)
            #expect(server.requestCount(path: path) == 5)
        }
    }

    @Test("while holding keys, a backoff longer than the cooldown also holds back forced refreshes")
    func backoffGatesForcedRefreshes() async throws {
        try await withJWKSTestServer(responding: .json(Self.documentA)) { server in
            let path = TestJWKS.randomJWKSPath()
            let clock = ManualClock(start: 1_000)
            var configuration = StytchJWKSCache.Configuration()
            configuration.refreshCooldown = 5
            configuration.initialBackoff = 60
            configuration.maximumBackoff = 600
            let cache = try Self.makeCache(server, path: path, clock: clock, configuration: configuration)
            try await Self.prefetch(cache)

            server.respond(with: .status(500))
            #expect(try await Self.code(cache, "jwk-test-unknown-1") == .unknownKey)
            #expect(server.requestCount(path: path) == 2)

            clock.set(to: 1_010)  // past the cooldown, inside the backoff
            #expect(try await Self.code(cache, "jwk-test-unknown-2") == .unknownKey)
            #expect(server.requestCount(path: path) == 2)

            clock.set(to: 1_060)  // the backoff has ended
            #expect(try await Self.code(cache, "jwk-test-unknown-3") == .unknownKey)
            #expect(server.requestCount(path: path) == 3)

            clock.set(to: 1_179)  // the second backoff (120 s) has not
            #expect(try await Self.code(cache, "jwk-test-unknown-4") == .unknownKey)
            #expect(server.requestCount(path: path) == 3)
            #expect(cache.heldKey(for: Self.kidA) == Self.publicA)
        }
    }

    @Test("past TTL + maximumStaleness with the server failing, lookups are keys_unavailable")
    func stalenessBound() async throws {
        try await withJWKSTestServer(responding: .json(Self.documentA)) { server in
            let path = TestJWKS.randomJWKSPath()
            let clock = ManualClock(start: 1_000)
            var configuration = StytchJWKSCache.Configuration()
            configuration.defaultTTL = 600
            configuration.maximumStaleness = 3_600
            let cache = try Self.makeCache(server, path: path, clock: clock, configuration: configuration)
            try await Self.prefetch(cache)
            server.respond(with: .status(500))

            // Stale but within the bound: the key answers, and a background refresh fails.
            clock.set(to: 1_000 + 600 + 3_600 - 1)
            #expect(cache.heldKey(for: Self.kidA) == Self.publicA)
            #expect(await poll { await cache.status().failedFetches == 1 })
            #expect(try await Self.key(cache, Self.kidA) == Self.publicA)
            #expect(await cache.status().isStale)

            // At the bound: nothing usable is held.
            clock.set(to: 1_000 + 600 + 3_600)
            #expect(cache.heldKey(for: Self.kidA) == nil)
            #expect(cache.missingKeyError().code == .keysUnavailable)
            #expect(try await Self.code(cache, Self.kidA) == .keysUnavailable)
            #expect(try await Self.code(cache, "jwk-test-unknown") == .keysUnavailable)
            #expect(await cache.status().kids.isEmpty)

            // The server recovers: after the backoff the next lookup fetches and verifies again.
            server.respond(with: .json(Self.documentA))
            clock.advance(by: 3_600)
            #expect(try await Self.key(cache, Self.kidA) == Self.publicA)
        }
    }

    // MARK: Cache-Control

    struct TTLCase: Sendable, CustomTestStringConvertible {
        let cacheControl: String?
        let ttl: Double
        var testDescription: String { "\(cacheControl ?? "no Cache-Control") → TTL \(Int(ttl)) s" }
    }

    @Test("Cache-Control max-age sets the TTL within [minimumTTL, maximumTTL], else defaultTTL", arguments: [
        TTLCase(cacheControl: "max-age=900", ttl: 900),
        TTLCase(cacheControl: "public, max-age=900", ttl: 900),
        TTLCase(cacheControl: "max-age=5", ttl: 60),
        TTLCase(cacheControl: "max-age=10000000", ttl: 86_400),
        TTLCase(cacheControl: nil, ttl: 600),
        TTLCase(cacheControl: "no-store", ttl: 600),
    ])
    func cacheControlTTL(_ testCase: TTLCase) async throws {
        let headers = testCase.cacheControl.map { [("Cache-Control", $0)] } ?? []
        try await withJWKSTestServer(responding: .json(Self.documentA, headers: headers)) { server in
            let path = TestJWKS.randomJWKSPath()
            let clock = ManualClock(start: 1_000)
            let cache = try Self.makeCache(server, path: path, clock: clock)  // TTL bounds 60 … 86,400, default 600
            try await Self.prefetch(cache)
            #expect(server.requestCount(path: path) == 1)

            clock.set(to: 1_000 + testCase.ttl - 1)
            #expect(try await Self.key(cache, Self.kidA) == Self.publicA)
            #expect(await cache.status().isStale == false)
            try await Task.sleep(for: .milliseconds(100))  // room for a wrongly started background refresh
            #expect(server.requestCount(path: path) == 1, "refreshed before the TTL")

            clock.set(to: 1_000 + testCase.ttl)
            #expect(await cache.status().isStale)
            // The lookup answers from the held key at once and starts one background refresh.
            #expect(try await Self.key(cache, Self.kidA) == Self.publicA)
            #expect(await server.waitForRequests(atLeast: 2))
            #expect(await poll { await cache.status().successfulFetches == 2 })
            #expect(server.requestCount(path: path) == 2)
            #expect(await cache.status().isStale == false)
        }
    }

    // MARK: Pinned and remote

    @Test("pinned keys verify with no request; remote keys add a rotated one")
    func pinnedAndRemote() async throws {
        let pinned = try JWKSet(jwks: TestJWKS.bytes(TestJWKS.document([(Self.kidC, TestJWKS.keyC)])))
        try await withJWKSTestServer(responding: .hang) { server in
            let path = TestJWKS.randomJWKSPath()
            let clock = ManualClock()
            let cache = try Self.makeCache(server, path: path, clock: clock, pinned: pinned)

            #expect(cache.heldKey(for: Self.kidC) == Self.publicC)
            #expect(try await Self.key(cache, Self.kidC) == Self.publicC)
            #expect(cache.missingKeyError().code == .unknownKey)
            #expect(server.requestCount == 0)

            // Remote down: an unknown kid is unknown_key (the pinned key is usable), after one attempt.
            #expect(try await Self.code(cache, Self.kidB) == .unknownKey)
            #expect(server.requestCount(path: path) == 1)
            #expect(try await Self.key(cache, Self.kidC) == Self.publicC)

            // Remote up with a rotated key: both verify.
            server.respond(with: .json(Self.documentB))
            clock.advance(by: cache.configuration.refreshCooldown + cache.configuration.maximumBackoff)
            #expect(try await Self.key(cache, Self.kidB) == Self.publicB)
            #expect(try await Self.key(cache, Self.kidC) == Self.publicC)
            #expect(server.requestCount(path: path) == 2)
            #expect(await cache.status().kids == [Self.kidB, Self.kidC].sorted())
        }
    }

    @Test("pinned keys only: no fetcher, no network, unknown kids are unknown_key")
    func pinnedOnly() async throws {
        let pinned = try JWKSet(jwks: TestJWKS.bytes(TestJWKS.document([(Self.kidC, TestJWKS.keyC)])))
        let cache = StytchJWKSCache(fetcher: nil, pinned: pinned, clock: ManualClock().clock)
        #expect(!cache.hasRemoteSource)
        #expect(try await Self.key(cache, Self.kidC) == Self.publicC)
        #expect(try await Self.code(cache, Self.kidA) == .unknownKey)
    }

    // MARK: Background refresh service

    @Test("JWKSRefreshService in a ServiceGroup prefetches, refreshes repeatedly, and returns promptly on graceful shutdown")
    func refreshService() async throws {
        try await withJWKSTestServer(responding: .json(Self.documentA)) { server in
            let path = TestJWKS.randomJWKSPath()
            var configuration = StytchJWKSCache.Configuration()
            configuration.minimumTTL = 0.3
            configuration.defaultTTL = 0.3
            let cache = StytchJWKSCache(
                fetcher: try StytchJWKSFetcher(url: server.url(path: path), timeout: 2),
                configuration: configuration,
                clock: .continuous
            )
            let serviceGroup = ServiceGroup(services: [JWKSRefreshService(cache: cache)], logger: Logger(label: "test.jwks-refresh"))

            try await withTimeout(.seconds(90)) {
                try await testGracefulShutdown { trigger in
                    try await withThrowingTaskGroup(of: Void.self) { tasks in
                        tasks.addTask { try await serviceGroup.run() }

                        // No lookup anywhere: the service alone fetches, then keeps refreshing.
                        #expect(await poll(timeout: .seconds(20)) { await cache.status().kids == [Self.kidA] })
                        #expect(await server.waitForRequests(atLeast: 4, timeout: .seconds(30)), "requests: \(server.requestCount)")

                        // A rotation reaches the cache with no lookup either.
                        server.respond(with: .json(Self.documentAB))
                        #expect(await poll(timeout: .seconds(20)) { await cache.status().kids == [Self.kidA, Self.kidB] })

                        let stopping = ContinuousClock.now
                        trigger.triggerGracefulShutdown()
                        try await tasks.next()
                        let stopped = ContinuousClock.now - stopping
                        #expect(stopped < .seconds(5), "run() took \(stopped) to return")
                    }
                }
            }

            // Stopped: no more requests, though several TTLs pass.
            let count = server.requestCount
            try await Task.sleep(for: .seconds(1))
            #expect(server.requestCount == count)
        }
    }

    @Test("JWKSRefreshService over pinned keys only waits for shutdown and fetches nothing")
    func refreshServicePinnedOnly() async throws {
        let pinned = try JWKSet(jwks: TestJWKS.bytes(TestJWKS.document([(Self.kidC, TestJWKS.keyC)])))
        let service = JWKSRefreshService(cache: StytchJWKSCache(fetcher: nil, pinned: pinned))
        try await withTimeout(.seconds(30)) {
            try await testGracefulShutdown { trigger in
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await service.run() }
                    try await Task.sleep(for: .milliseconds(50))
                    trigger.triggerGracefulShutdown()
                    try await tasks.next()
                }
            }
        }
    }

    // MARK: Fetcher

    @Test("the B2B JWKS URL: test and live hosts, a custom base, never the consumer path")
    func jwksURL() throws {
        let test = try StytchJWKSFetcher.jwksURL(projectID: "project-test-1234")
        let live = try StytchJWKSFetcher.jwksURL(projectID: "project-live-1234")
        let custom = try StytchJWKSFetcher.jwksURL(projectID: "project-live-1234", baseURL: "https://login.example.com/")
        let loopback = try StytchJWKSFetcher.jwksURL(projectID: "project-test-1234", baseURL: "http://127.0.0.1:8080")
        #expect(test == "https://test.stytch.com/v1/b2b/sessions/jwks/project-test-1234")
        #expect(live == "https://api.stytch.com/v1/b2b/sessions/jwks/project-live-1234")
        #expect(custom == "https://login.example.com/v1/b2b/sessions/jwks/project-live-1234")
        #expect(loopback == "http://127.0.0.1:8080/v1/b2b/sessions/jwks/project-test-1234")
        for url in [test, live, custom, loopback] { #expect(!url.contains("/v1/sessions/jwks")) }
        #expect(try StytchJWKSFetcher(projectID: "project-test-1234").url == test)

        #expect(throws: StytchJWTError(.invalidConfiguration, "")) { try StytchJWKSFetcher.jwksURL(projectID: "project-1234") }
        #expect(throws: StytchJWTError(.invalidConfiguration, "")) { try StytchJWKSFetcher.jwksURL(projectID: "") }
        #expect(throws: StytchJWTError(.invalidConfiguration, "")) { try StytchJWKSFetcher.jwksURL(projectID: "project-test-../../x") }
        #expect(throws: StytchJWTError(.invalidConfiguration, "")) {
            try StytchJWKSFetcher.jwksURL(projectID: "project-test-1234", baseURL: "http://login.example.com")
        }
        #expect(throws: StytchJWTError(.invalidConfiguration, "")) {
            try StytchJWKSFetcher.jwksURL(projectID: "project-test-1234", baseURL: "https://login.example.com/base")
        }
    }

    @Test("the fetcher takes https anywhere and plain http only to loopback", arguments: [
        ("https://test.stytch.com/v1/b2b/sessions/jwks/project-test-1", true),
        ("http://127.0.0.1:8080/jwks", true),
        ("http://127.9.8.7/jwks", true),
        ("http://localhost:8080/jwks", true),
        ("http://[::1]:8080/jwks", true),
        ("http://example.com/jwks", false),
        ("http://127.0.0.1.example.com/jwks", false),
        ("http://10.0.0.1/jwks", false),
        ("ftp://127.0.0.1/jwks", false),
        ("https://user:secret@test.stytch.com/jwks", false),
        ("/v1/b2b/sessions/jwks/project-test-1", false),
    ])
    func fetcherURLPolicy(_ url: String, _ accepted: Bool) {
        let made: StytchJWKSFetcher?
        do { made = try StytchJWKSFetcher(url: url) } catch { made = nil }
        #expect((made != nil) == accepted)
        if accepted { #expect(made?.url == url) }
    }

    @Test("max-age is read from Cache-Control values as the fetcher receives them (split on commas)", arguments: [
        (["public", "max-age=900"], 900.0),
        (["max-age=900"], 900.0),
        ([" MAX-AGE = 120 "], 120.0),
        (["max-age=\"60\""], 60.0),
        (["s-maxage=100", "max-age=50"], 50.0),
        (["max-age=0"], 0.0),
    ] as [([String], Double)])
    func maxAgeParsing(_ values: [String], _ expected: Double) {
        #expect(StytchJWKSFetcher.maxAge(values) == expected)
    }

    @Test("no usable max-age gives nil (the cache then uses defaultTTL)", arguments: [
        [], ["no-store"], ["public"], ["max-age"], ["max-age="], ["max-age=abc"], ["max-age=-5"], ["max-age=1.5"],
        ["garbage;;;==="], ["no-store", "max-age=900"],
    ] as [[String]])
    func maxAgeAbsent(_ values: [String]) {
        // The last case: `maxAge`'s documentation says no-store means nil, whatever max-age says.
        #expect(StytchJWKSFetcher.maxAge(values) == nil)
    }

    // MARK: Observability

    @Test("metrics: fetch outcomes, fetch durations, keys held, cooldown rejections")
    func metrics() async throws {
        let metrics = MetricsBootstrap.testMetrics
        let label = "metrics-test-\(UInt32.random(in: 0...UInt32.max))"
        try await withJWKSTestServer(responding: .json(Self.documentAB)) { server in
            let path = TestJWKS.randomJWKSPath()
            let cache = try Self.makeCache(server, path: path, clock: ManualClock(), label: label)
            try await Self.prefetch(cache)
            server.respond(with: .status(500))
            #expect(try await Self.code(cache, "jwk-test-unknown-1") == .unknownKey)  // forced refresh, fails
            #expect(try await Self.code(cache, "jwk-test-unknown-2") == .unknownKey)  // cooldown
            #expect(try await Self.code(cache, "jwk-test-unknown-3") == .unknownKey)  // cooldown
            #expect(server.requestCount(path: path) == 2)

            let successes = try metrics.expectCounter("stytch_jwks_fetches_total", [("cache", label), ("outcome", "success")])
            let failures = try metrics.expectCounter("stytch_jwks_fetches_total", [("cache", label), ("outcome", "failure")])
            let rejections = try metrics.expectCounter("stytch_jwks_cooldown_rejections_total", [("cache", label)])
            let held = try metrics.expectGauge("stytch_jwks_keys_held", [("cache", label)])
            let durations = try metrics.expectTimer("stytch_jwks_fetch_duration_seconds", [("cache", label), ("outcome", "success")])
            #expect(successes.totalValue == 1)
            #expect(failures.totalValue == 1)
            #expect(rejections.totalValue == 2)
            #expect(held.lastValue == 2)
            #expect(durations.values.count == 1)
        }
    }

    @Test("logs name rejected keys and failed fetches without key material or response content")
    func logsCarryNoKeyMaterial() async throws {
        let capture = LogCapture()
        let privateMarker = "PRIVATEEXPONENTMATERIALxyz0123456789"
        let bodyMarker = "RESPONSEBODYMARKERabc9876543210"
        let document = TestJWKS.document([(Self.kidA, TestJWKS.keyA)], extraKeys: [
            TestJWKS.jwk(kid: Self.kidB, key: TestJWKS.keyB, overriding: ["use": .string("enc")]),
            TestJWKS.jwk(kid: Self.kidC, key: TestJWKS.weak1024),
            TestJWKS.jwk(kid: "jwk-test-private", key: TestJWKS.keyC, overriding: ["d": .string(privateMarker)]),
        ])
        try await withJWKSTestServer(responding: .json(document)) { server in
            let path = TestJWKS.randomJWKSPath()
            let cache = try Self.makeCache(server, path: path, clock: ManualClock(), logger: capture.logger)
            try await Self.prefetch(cache)
            #expect(await cache.status().kids == [Self.kidA])

            server.respond(with: .jwks(body: Array(#"{"keys":[\#(bodyMarker)"#.utf8)))
            #expect(try await Self.code(cache, "jwk-test-unknown") == .unknownKey)
        }

        let lines = capture.lines
        #expect(lines.filter { $0.contains("left out") }.count == 3, "\(lines)")
        #expect(lines.contains { $0.contains("refresh failed") }, "\(lines)")
        let material = [TestJWKS.keyA, TestJWKS.keyB, TestJWKS.weak1024, TestJWKS.keyC].map {
            String(Base64URL.encode($0.modulus).prefix(24))
        }
        for line in lines {
            for fragment in material + [privateMarker, bodyMarker] {
                #expect(!line.contains(fragment), "a log line carries key material or response content: \(line)")
            }
        }
    }
}

// MARK: - Helpers

extension Result where Failure == StytchJWTError {
    var errorCode: StytchJWTError.Code? {
        if case .failure(let error) = self { return error.code }
        return nil
    }
}


/// Collects every log line (message and metadata) of the loggers it makes.
final class LogCapture: Sendable {
    private let storage = Locked<[String]>([])

    var lines: [String] { storage.withLock { $0 } }

    var logger: Logger {
        Logger(label: "test.capture") { _ in Handler(capture: self) }
    }

    fileprivate func append(_ line: String) { storage.withLock { $0.append(line) } }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        var metadataProvider: Logger.MetadataProvider?

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(merged)")
        }
    }
}

@Suite("Shared Stytch caches")
struct SharedStytchCacheTests {
    @Test("one cache per (base URL, project ID), shared by every caller")
    func shared() throws {
        let a = try StytchJWKSCache.stytch(projectID: "project-test-11111111-1111-4111-8111-111111111111")
        let b = try StytchJWKSCache.stytch(projectID: "project-test-11111111-1111-4111-8111-111111111111")
        let other = try StytchJWKSCache.stytch(projectID: "project-test-22222222-2222-4222-8222-222222222222")
        let custom = try StytchJWKSCache.stytch(projectID: "project-test-11111111-1111-4111-8111-111111111111", baseURL: "https://login.example.com")
        #expect(a === b)
        #expect(a !== other)
        #expect(a !== custom)
        #expect(a.hasRemoteSource)
        #expect(throws: StytchJWTError.self) { try StytchJWKSCache.stytch(projectID: "project-other-1") }
    }
}

import Foundation
import StytchJWKS
@testable import StytchJWTCore
import StytchJWTTestSupport
import Testing

/// The verified-token cache: hits skip the RSA check but never a time rule, a removed key
/// invalidates, memory is bounded, and a flood cannot evict the working set wholesale.
@Suite("Verified-token cache")
struct VerifiedTokenCacheTests {
    typealias F = TokenFactory

    /// A wall clock the test sets freely (backwards too, unlike the monotonic `ManualClock`).
    final class WallClock: Sendable {
        private let seconds: Locked<Double>
        init(start: Double) { seconds = Locked(start) }
        var now: Double { seconds.withLock { $0 } }
        func set(to instant: Double) { seconds.withLock { $0 = instant } }
    }

    /// A verifier over the demo keys whose clock reads `clock`.
    static func verifier(
        clock: WallClock, leeway: TimeInterval = 0, maximumTokenAge: TimeInterval? = nil,
        limits: VerifiedTokenCache.Limits? = VerifiedTokenCache.Limits()
    ) throws -> StytchJWTVerifier {
        try StytchJWTVerifier(
            configuration: .init(
                projectID: F.projectID, leeway: leeway, maximumTokenAge: maximumTokenAge,
                clock: { Date(timeIntervalSince1970: clock.now) }, tokenCache: limits
            ),
            keys: F.keys
        )
    }

    /// The code `body` throws, nil when it returns; any other error is a test failure.
    static func code(_ body: () throws -> VerifiedSession) -> StytchJWTError.Code? {
        do {
            _ = try body()
            return nil
        } catch let error as StytchJWTError {
            return error.code
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("on by default; nil turns it off")
    func defaults() throws {
        #expect(try F.verifier().tokenCache != nil)
        let off = try Self.verifier(clock: WallClock(start: F.now), limits: nil)
        #expect(off.tokenCache == nil)
        _ = try off.verify(sessionJWT: F.fixtureToken)
        _ = try off.verify(sessionJWT: F.fixtureToken)
    }

    @Test("a second verification of the same token is a hit with the same session")
    func hit() throws {
        let verifier = try Self.verifier(clock: WallClock(start: F.now))
        let first = try verifier.verify(sessionJWT: F.fixtureToken)
        let second = try verifier.verify(sessionJWT: F.fixtureToken)
        #expect(first == second)
        let statistics = try #require(verifier.tokenCache).statistics
        #expect(statistics.hits == 1)
        #expect(statistics.misses == 1)
    }

    @Test("a rejected token is never cached")
    func rejectedNotCached() throws {
        let clock = WallClock(start: F.now)
        let verifier = try Self.verifier(clock: clock)
        let forged = F.token(payload: F.defaultPayload, key: F.otherKey)
        #expect(Self.code { try verifier.verify(sessionJWT: forged) } == .invalidSignature)
        #expect(Self.code { try verifier.verify(sessionJWT: forged) } == .invalidSignature)
        #expect(verifier.tokenCache?.count == 0)
    }

    @Test("every time rule is evaluated again at each hit")
    func timeRulesOnHit() throws {
        let clock = WallClock(start: F.now)
        let verifier = try Self.verifier(clock: clock, leeway: 10)
        _ = try verifier.verify(sessionJWT: F.fixtureToken)

        clock.set(to: Double(F.iat) - 11)  // t + L < nbf: not yet valid, and the entry survives
        #expect(Self.code { try verifier.verify(sessionJWT: F.fixtureToken) } == .notYetValid)
        clock.set(to: Double(F.iat) - 10)  // t + L = nbf
        #expect(Self.code { try verifier.verify(sessionJWT: F.fixtureToken) } == nil)
        clock.set(to: Double(F.exp) + 9)   // t = exp + L - 1
        #expect(Self.code { try verifier.verify(sessionJWT: F.fixtureToken) } == nil)
        #expect(verifier.tokenCache?.statistics.hits == 3, "all of these were cache hits")
        clock.set(to: Double(F.exp) + 10)  // t = exp + L
        #expect(Self.code { try verifier.verify(sessionJWT: F.fixtureToken) } == .expired)
        #expect(verifier.tokenCache?.count == 0, "an expired token leaves the cache")
    }

    @Test("the maximum token age and the session's expiry hold on hits too")
    func ageAndSessionOnHit() throws {
        let clock = WallClock(start: F.now)
        let aged = try Self.verifier(clock: clock, maximumTokenAge: 120)
        _ = try aged.verify(sessionJWT: F.fixtureToken)
        clock.set(to: Double(F.iat) + 120)
        #expect(Self.code { try aged.verify(sessionJWT: F.fixtureToken) } == .tokenTooOld)

        let shortSession = F.token(payload: F.payload(setting: F.sessionClaim, "expires_at", to: .string("2026-01-01T00:02:00Z")))
        clock.set(to: F.now)
        let verifier = try Self.verifier(clock: clock)
        _ = try verifier.verify(sessionJWT: shortSession)
        clock.set(to: Double(F.iat) + 120)
        #expect(Self.code { try verifier.verify(sessionJWT: shortSession) } == .expired)
    }

    /// A fetcher serving whatever document the test sets.
    final class SwitchableFetcher: JWKSFetcher {
        let document: Locked<[UInt8]>
        init(_ document: JSONValue) { self.document = Locked(TestJWKS.bytes(document)) }
        func set(_ document: JSONValue) { self.document.withLock { $0 = TestJWKS.bytes(document) } }
        func fetchJWKS() async throws -> FetchedJWKS { FetchedJWKS(body: document.withLock { $0 }) }
    }

    @Test("a key removed from the key set invalidates what it verified")
    func removedKeyInvalidates() async throws {
        let oldKid = "jwk-test-old", newKid = "jwk-test-new"
        let fetcher = SwitchableFetcher(TestJWKS.document([(oldKid, TestJWKS.keyA)]))
        let clock = ManualClock()
        let cache = StytchJWKSCache(fetcher: fetcher, clock: clock.clock)
        let verifier = try StytchJWTVerifier(
            configuration: .init(projectID: F.projectID, clock: { Date(timeIntervalSince1970: F.now) }), cache: cache
        )
        let header: [String: JSONValue] = ["alg": .string("RS256"), "typ": .string("JWT")]
        var oldHeader = header, newHeader = header
        oldHeader["kid"] = .string(oldKid)
        newHeader["kid"] = .string(newKid)
        let oldToken = F.token(header: oldHeader, payload: F.defaultPayload, key: TestJWKS.keyA)
        let newToken = F.token(header: newHeader, payload: F.defaultPayload, key: TestJWKS.keyB)

        _ = try await verifier.verify(sessionJWT: oldToken)
        _ = try await verifier.verify(sessionJWT: oldToken)
        #expect(verifier.tokenCache?.statistics.hits == 1)

        // Stytch rotates: the old key disappears from the set. The new kid forces one refresh.
        fetcher.set(TestJWKS.document([(newKid, TestJWKS.keyB)]))
        _ = try await verifier.verify(sessionJWT: newToken)
        do {
            _ = try await verifier.verify(sessionJWT: oldToken)
            Issue.record("a token whose key was removed still verified from the cache")
        } catch {
            #expect(error.code == .unknownKey)
        }
        #expect(Self.code { try verifier.verify(sessionJWT: oldToken) } == .unknownKey)
    }

    @Test("memory is bounded by entries and by bytes")
    func bounded() throws {
        let clock = WallClock(start: F.now)
        let verifier = try Self.verifier(clock: clock, limits: .init(maximumEntries: 64, maximumBytes: 16 << 20))
        for index in 0..<200 {
            _ = try verifier.verify(sessionJWT: F.token(payload: F.payload(setting: "n", to: F.int(Int64(index)))))
        }
        let cache = try #require(verifier.tokenCache)
        #expect(cache.count <= 64)
        #expect(cache.count >= 32, "the cache should still hold most of its capacity")
        #expect(cache.statistics.evictions >= 200 - 64)

        // Room for one and a half entries per shard: each shard holds one.
        let token = F.token(payload: F.payload(setting: "n", to: F.int(0)))
        let perShard = VerifiedTokenCache.charge(tokenBytes: token.utf8.count) * 3 / 2
        let byBytes = try Self.verifier(clock: clock, limits: .init(maximumEntries: 10_000, maximumBytes: 16 * perShard))
        for index in 0..<100 {
            _ = try byBytes.verify(sessionJWT: F.token(payload: F.payload(setting: "n", to: F.int(Int64(index)))))
        }
        let byBytesCache = try #require(byBytes.tokenCache)
        #expect(byBytesCache.count <= 16)
        #expect(byBytesCache.chargedBytes <= 16 * perShard)
    }

    /// `count` distinct tokens of the fixture's length (its text with the last 12 characters
    /// replaced by a number): the cache keys them, it never parses them.
    static func distinctTokens(_ count: Int) -> [String] {
        let stem = String(F.fixtureToken.utf8.dropLast(12))!
        return (0..<count).map { index in
            let number = String(index)
            return stem + String(repeating: "0", count: 12 - number.utf8.count) + number
        }
    }

    /// The fixture's session and the demo key, as the cache stores them for a verified token.
    static func fixtureEntry() throws -> (VerifiedSession, RSAPublicKey) {
        let session = try Self.verifier(clock: WallClock(start: F.now), limits: nil).verify(sessionJWT: F.fixtureToken)
        return (session, try #require(F.keys.key(for: F.kid)))
    }

    @Test("10,000 rotating tokens all hit after their first use, with the default limits")
    func rotatingTokensHit() throws {
        let (session, key) = try Self.fixtureEntry()
        let cache = VerifiedTokenCache()
        let tokens = Self.distinctTokens(10_000)
        for token in tokens {
            #expect(cache.lookup(token) == nil)
            cache.insert(token, session: session, key: key)
        }
        for _ in 0..<2 {
            for token in tokens where cache.lookup(token)?.session != session {
                Issue.record("a token verified before missed")
            }
        }
        let statistics = cache.statistics
        #expect(statistics.misses == 10_000)
        #expect(statistics.hits == 20_000, "hit rate after first use: \(statistics.hits) of 20,000")
        #expect(statistics.evictions == 0)
        #expect(cache.count == 10_000)
    }

    @Test("the default limits hold 50,000 typical session tokens within the stated budget")
    func defaultBudget() throws {
        let (session, key) = try Self.fixtureEntry()
        let cache = VerifiedTokenCache()
        #expect(cache.limits.maximumBytes == 80 << 20)
        #expect(cache.limits.maximumEntries == 65_536)
        for token in Self.distinctTokens(50_000) { cache.insert(token, session: session, key: key) }
        #expect(cache.count == 50_000)
        #expect(cache.statistics.evictions == 0)
        #expect(cache.chargedBytes == 50_000 * VerifiedTokenCache.charge(tokenBytes: F.fixtureToken.utf8.count))
        #expect(cache.chargedBytes <= cache.limits.maximumBytes)
    }

    @Test("a hit is the same bytes: one byte changed, dropped or added is a miss")
    func hitsAreByteExact() throws {
        let (session, key) = try Self.fixtureEntry()
        let cache = VerifiedTokenCache()
        let token = F.fixtureToken
        cache.insert(token, session: session, key: key)
        // The same bytes in another string's storage hit.
        #expect(cache.lookup(String(decoding: Array(token.utf8), as: UTF8.self))?.session == session)
        var changed = Array(token.utf8)
        changed[changed.count / 2] ^= 0x01
        for variant in [String(decoding: changed, as: UTF8.self), String(token.dropLast()), token + "A", "", "." + token] {
            #expect(cache.lookup(variant) == nil)
        }
        #expect(cache.statistics.hits == 1)
        #expect(cache.statistics.misses == 5)
        cache.remove(token)
        #expect(cache.lookup(token) == nil)
        #expect(cache.count == 0)
        #expect(cache.chargedBytes == 0)
    }

    @Test("a flood of distinct tokens does not evict a working set that is still in use")
    func floodResistance() throws {
        let clock = WallClock(start: F.now)
        let verifier = try Self.verifier(clock: clock, limits: .init(maximumEntries: 256, maximumBytes: 16 << 20))
        let workingSet = (0..<32).map { F.token(payload: F.payload(setting: "ws", to: F.int(Int64($0)))) }
        for _ in 0..<3 { for token in workingSet { _ = try verifier.verify(sessionJWT: token) } }

        let cache = try #require(verifier.tokenCache)
        for round in 0..<10 {
            for index in 0..<100 {
                _ = try verifier.verify(sessionJWT: F.token(payload: F.payload(setting: "flood", to: F.int(Int64(round * 100 + index)))))
            }
            for token in workingSet { _ = try verifier.verify(sessionJWT: token) }  // still in use
        }
        let before = cache.statistics.hits
        for token in workingSet { _ = try verifier.verify(sessionJWT: token) }
        let survivors = cache.statistics.hits - before
        #expect(survivors >= 29, "only \(survivors) of 32 working-set tokens survived a flood of 1,000")
        #expect(cache.count <= 256)
    }

    @Test("many tasks verifying the same tokens share the cache safely")
    func concurrent() async throws {
        let verifier = try Self.verifier(clock: WallClock(start: F.now))
        let tokens = (0..<8).map { F.token(payload: F.payload(setting: "c", to: F.int(Int64($0)))) }
        let forged = F.token(payload: F.defaultPayload, key: F.otherKey)
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<2_000 {
                group.addTask {
                    if index % 10 == 0 { return (try? verifier.verify(sessionJWT: forged)) == nil }
                    return (try? verifier.verify(sessionJWT: tokens[index % tokens.count]))?.memberID == F.memberID
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0 })
        #expect(verifier.tokenCache?.count == tokens.count)
    }
}

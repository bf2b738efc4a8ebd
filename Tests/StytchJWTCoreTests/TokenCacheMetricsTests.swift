import Foundation
@testable import StytchJWTCore
import MetricsTestKit
import StytchJWTTestSupport
import StytchJWTTesting
import Testing

/// The verified-token cache reports hits, misses and evictions through swift-metrics.
@Suite("Token cache metrics")
struct TokenCacheMetricsTests {
    @Test("hits, misses and evictions are counted per cache")
    func counters() throws {
        let metrics = MetricsBootstrap.testMetrics
        let label = "test-\(UInt64.random(in: 0 ... .max))"
        let cache = VerifiedTokenCache(limits: .init(maximumEntries: 16), label: label)
        let verifier = try TokenFactory.verifier()
        let key = try TokenFactory.signingKey.publicKey()
        var tokens: [String] = []
        for index in 0..<40 {
            let token = TokenFactory.token(payload: TokenFactory.payload(setting: "jti", to: .string("t\(index)")))
            tokens.append(token)
            cache.insert(token, session: try verifier.verify(sessionJWT: token), key: key)
        }
        _ = cache.lookup(tokens[39])
        _ = cache.lookup("not.a.token")
        _ = cache.lookup("not.a.token2")
        let hits = try metrics.expectCounter("stytch_jwt_token_cache_lookups_total", [("cache", label), ("result", "hit")])
        let misses = try metrics.expectCounter("stytch_jwt_token_cache_lookups_total", [("cache", label), ("result", "miss")])
        let evictions = try metrics.expectCounter("stytch_jwt_token_cache_evictions_total", [("cache", label)])
        #expect(hits.totalValue == 1)
        #expect(misses.totalValue == 2)
        #expect(evictions.totalValue == Int64(cache.statistics.evictions))
        #expect(evictions.totalValue >= 24)
        #expect(cache.count <= 16)
    }
}

import Foundation
import Metrics

/// A bounded cache of tokens this verifier has already verified, so a token seen again costs no
/// RSA operation and no parsing.
///
/// It is safe because nothing that can change is cached as a verdict:
/// - a hit is the exact same token string (compared in full) verified by the same verifier
///   (same project, issuers and key source);
/// - every time rule (`exp`, `nbf`, `iat`, the maximum token age, the session's `expires_at`) is
///   evaluated again at each hit, with the verifier's clock and leeway;
/// - the key that verified the token must still be the one held for its `kid`: a key removed from
///   the key set (or replaced) invalidates every entry it verified.
///
/// Memory is bounded by entry count and by bytes. Admission resists floods: eviction samples a few
/// entries and removes the one used least (hit counts age by halving), so a flood of distinct
/// tokens mostly evicts other flood tokens, not the working set.
///
/// Metrics (swift-metrics, built with the cache, dimension `cache` = its label):
/// `stytch_jwt_token_cache_lookups_total` with `result` = `hit` or `miss` (their ratio is the hit
/// rate), and `stytch_jwt_token_cache_evictions_total`.
public final class VerifiedTokenCache: Sendable {
    /// Bounds of the cache.
    public struct Limits: Sendable, Hashable {
        /// The most tokens held. Default 10,000.
        public var maximumEntries: Int = 10_000
        /// The most bytes held, estimated from token sizes. Default 16 MiB.
        public var maximumBytes: Int = 16 << 20

        /// The defaults listed on each setting.
        public init(maximumEntries: Int = 10_000, maximumBytes: Int = 16 << 20) {
            self.maximumEntries = maximumEntries
            self.maximumBytes = maximumBytes
        }
    }

    struct Entry {
        let session: VerifiedSession
        let key: RSAPublicKey
        let bytes: Int
        /// The entry's position in ``Shard/slots`` and ``Shard/hits``.
        var slot: Int
    }

    /// One part of the cache, behind its own lock (``LockedState``).
    struct Shard {
        var entries: [TokenKey: Entry] = [:]
        /// Every key, in no particular order: O(1) random sampling for eviction.
        var slots: [TokenKey] = []
        /// Use counts, parallel to `slots` (kept apart so sampling copies no session).
        var hits: [UInt32] = []
        var bytes = 0
        var insertsSinceAging = 0
        var statistics = Statistics()
        /// The eviction sampler's random numbers, seeded from the system generator when the
        /// shard is made. Nobody outside sees its draws, so a flood cannot aim at the working set,
        /// and a draw costs a few instructions where the system generator makes a system call each.
        var sampling = SplitMix64(seed: UInt64.random(in: .min ... .max))
    }

    /// Counters since the cache was made.
    public struct Statistics: Sendable, Hashable {
        /// Lookups that found the token.
        public var hits = 0
        /// Lookups that did not.
        public var misses = 0
        /// Entries removed to stay within the limits.
        public var evictions = 0
    }

    /// The limits in force.
    public let limits: Limits
    private let shards: [LockedState<Shard>]
    private let entriesPerShard: Int
    private let bytesPerShard: Int
    private let hitCounter: Counter, missCounter: Counter, evictionCounter: Counter
    private static let shardCount = 16
    private static let evictionSample = 5

    /// A cache with `limits`, named `label` in metrics.
    public init(limits: Limits = Limits(), label: String = "default") {
        self.limits = limits
        self.shards = (0..<Self.shardCount).map { _ in LockedState(Shard()) }
        self.entriesPerShard = max(1, limits.maximumEntries / Self.shardCount)
        self.bytesPerShard = max(1, limits.maximumBytes / Self.shardCount)
        self.hitCounter = Counter(label: "stytch_jwt_token_cache_lookups_total", dimensions: [("cache", label), ("result", "hit")])
        self.missCounter = Counter(label: "stytch_jwt_token_cache_lookups_total", dimensions: [("cache", label), ("result", "miss")])
        self.evictionCounter = Counter(label: "stytch_jwt_token_cache_evictions_total", dimensions: [("cache", label)])
    }

    /// The number of tokens held now.
    public var count: Int { shards.reduce(0) { $0 + $1.withLock { $0.entries.count } } }

    /// Hits, misses and evictions so far.
    public var statistics: Statistics {
        shards.reduce(into: Statistics()) { total, shard in
            let part = shard.withLock { $0.statistics }
            total.hits += part.hits
            total.misses += part.misses
            total.evictions += part.evictions
        }
    }

    /// Empties the cache.
    public func removeAll() {
        for shard in shards { shard.withLock { $0 = Shard() } }
    }

    /// The cached session for exactly `token`, with the key that verified it.
    func lookup(_ token: String) -> (session: VerifiedSession, key: RSAPublicKey)? {
        let key = TokenKey(token)
        let found = shards[key.shard(Self.shardCount)].withLock { shard -> (session: VerifiedSession, key: RSAPublicKey)? in
            guard let entry = shard.entries[key] else {
                shard.statistics.misses += 1
                return nil
            }
            shard.statistics.hits += 1
            if shard.hits[entry.slot] < .max { shard.hits[entry.slot] += 1 }
            return (entry.session, entry.key)
        }
        (found == nil ? missCounter : hitCounter).increment()
        return found
    }

    /// Forgets `token` (its key is gone, or it no longer passes a time rule that cannot heal).
    func remove(_ token: String) {
        let key = TokenKey(token)
        shards[key.shard(Self.shardCount)].withLock { shard in _ = Self.remove(key, from: &shard) }
    }

    /// Removes `key` from `shard` (entries, slots and byte count); returns whether it was there.
    private static func remove(_ key: TokenKey, from shard: inout Shard) -> Bool {
        guard let entry = shard.entries.removeValue(forKey: key) else { return false }
        shard.bytes -= entry.bytes
        let last = shard.slots.removeLast()
        let lastHits = shard.hits.removeLast()
        if entry.slot < shard.slots.count {
            shard.slots[entry.slot] = last
            shard.hits[entry.slot] = lastHits
            shard.entries[last]?.slot = entry.slot
        }
        return true
    }

    /// Remembers a token that just verified.
    func insert(_ token: String, session: VerifiedSession, key publicKey: RSAPublicKey) {
        let key = TokenKey(token)
        // Token text, the session's strings and arrays, and dictionary overhead, roughly.
        let bytes = token.utf8.count * 3 + 512
        guard bytes <= bytesPerShard else { return }
        let entriesPerShard = self.entriesPerShard
        let bytesPerShard = self.bytesPerShard
        let evicted = shards[key.shard(Self.shardCount)].withLock { shard -> Int in
            _ = Self.remove(key, from: &shard)
            var evicted = 0
            while !shard.entries.isEmpty, shard.entries.count >= entriesPerShard || shard.bytes + bytes > bytesPerShard {
                if Self.evictOne(from: &shard) { evicted += 1 }
            }
            shard.entries[key] = Entry(session: session, key: publicKey, bytes: bytes, slot: shard.slots.count)
            shard.slots.append(key)
            shard.hits.append(0)
            shard.bytes += bytes
            shard.insertsSinceAging += 1
            if shard.insertsSinceAging >= entriesPerShard {
                // Age hit counts so a working set that went cold can be evicted in turn.
                shard.insertsSinceAging = 0
                for index in shard.hits.indices { shard.hits[index] /= 2 }
            }
            return evicted
        }
        if evicted > 0 { evictionCounter.increment(by: evicted) }
    }

    /// Removes the least-used of a few randomly sampled entries.
    @discardableResult
    private static func evictOne(from shard: inout Shard) -> Bool {
        guard !shard.slots.isEmpty else { return false }
        var victim = Int.random(in: shard.slots.indices, using: &shard.sampling)
        for _ in 1..<evictionSample {
            let candidate = Int.random(in: shard.slots.indices, using: &shard.sampling)
            if shard.hits[candidate] < shard.hits[victim] { victim = candidate }
        }
        guard remove(shard.slots[victim], from: &shard) else { return false }
        shard.statistics.evictions += 1
        return true
    }
}

/// A token as a dictionary key: hashed by its last bytes (the signature's, uniformly random for a
/// token that verified) and its length, compared in full.
struct TokenKey: Hashable {
    let token: String

    init(_ token: String) { self.token = token }

    func hash(into hasher: inout Hasher) {
        var copy = token
        copy.withUTF8 { bytes in
            hasher.combine(bytes.count)
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes.suffix(32))))
        }
    }

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.token.hasSameUTF8(as: rhs.token) }

    /// Which shard holds the key: a mix of a few bytes near the end of the token.
    func shard(_ count: Int) -> Int {
        var copy = token
        return copy.withUTF8 { bytes in
            var mix = UInt32(bytes.count)
            for byte in bytes.suffix(24) { mix = mix &* 31 &+ UInt32(byte) }
            return Int(mix % UInt32(count))
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a small, fast, well-mixed generator. Not for secrets:
/// the token cache samples eviction candidates with it, and tests use it for reproducible inputs.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

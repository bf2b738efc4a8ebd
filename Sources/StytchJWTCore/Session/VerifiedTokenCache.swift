import Foundation
import Metrics
internal import CStytchShims

/// A bounded cache of tokens this verifier has already verified, so a token seen again costs no
/// RSA operation and no parsing.
///
/// It is safe because nothing that can change is cached as a verdict:
/// - a hit is the exact same token: the SHA-256 digest of its whole UTF-8 text equals the digest of
///   a token this verifier verified (the 32 bytes compared in full), so a token differing in any
///   byte, a canonically equivalent one included, is a miss;
/// - every time rule (`exp`, `nbf`, `iat`, the maximum token age, the session's `expires_at`) is
///   evaluated again at each hit, with the verifier's clock and leeway;
/// - the key that verified the token must still be the one held for its `kid`: a key removed from
///   the key set (or replaced) invalidates every entry it verified.
///
/// The token's text is not kept: an entry is its SHA-256 digest, the verified session and the key.
/// A typical Stytch session JWT (1,434 bytes) costs 1,192 bytes of heap per entry, the session's
/// strings and arrays, the digest, the index and the bookkeeping together (measured with 50,000
/// entries by `Benchmarks/Sources/cache-memory`), and is charged 1,277 (``charge(tokenBytes:)``).
///
/// A SHA-256 of a 1.4 KB token takes about 1.1 µs, as long as the rest of a hit, so the digests of
/// the tokens seen last are remembered with their text in a small direct-mapped table
/// (``digestMemoSlots`` slots, tokens of at most ``digestMemoMaximumTokenBytes`` bytes: at most 4 MiB,
/// about 1.5 MB for session JWTs). A token whose bytes equal the text in its slot (compared in
/// full) takes the digest from there; any other computes it. The table only spares recomputing a
/// pure function: what it holds decides nothing, and a flood only makes hits compute again.
///
/// Memory is bounded by entry count and by bytes: by default 65,536 tokens and 80 MiB, which hold
/// at least 50,000 typical Stytch session JWTs (about 57 MiB of heap, 61 MiB charged): 10,000
/// members active within a JWT's five minutes, five times over. Admission resists floods: eviction
/// samples a few entries and removes the one used least (hit counts age by halving), so a flood of
/// distinct tokens mostly evicts other flood tokens, not the working set.
///
/// Metrics (swift-metrics, built with the cache, dimension `cache` = its label):
/// `stytch_jwt_token_cache_lookups_total` with `result` = `hit` or `miss` (their ratio is the hit
/// rate), and `stytch_jwt_token_cache_evictions_total`.
public final class VerifiedTokenCache: Sendable {
    /// Bounds of the cache.
    public struct Limits: Sendable, Hashable {
        /// The most tokens held. Default 65,536.
        public var maximumEntries: Int = 65_536
        /// The most bytes held, as charged per entry (``VerifiedTokenCache/charge(tokenBytes:)``).
        /// Default 80 MiB: 65,536 typical session JWTs (1.4 KB) are charged about 80 MiB.
        public var maximumBytes: Int = 80 << 20

        /// The defaults listed on each setting.
        public init(maximumEntries: Int = 65_536, maximumBytes: Int = 80 << 20) {
            self.maximumEntries = maximumEntries
            self.maximumBytes = maximumBytes
        }
    }

    /// What a hit needs, allocated once per entry so the index and the sampling arrays stay small.
    final class Record: Sendable {
        let session: VerifiedSession.Boxed
        let key: RSAPublicKey
        /// What this entry is charged against ``Limits/maximumBytes``.
        let bytes: Int

        init(session: VerifiedSession.Boxed, key: RSAPublicKey, bytes: Int) {
            self.session = session
            self.key = key
            self.bytes = bytes
        }
    }

    /// An entry's place in ``Shard/slots``: its key (to remove it), its record, its use count.
    struct Slot {
        let key: TokenKey
        let record: Record
        var hits: UInt32
    }

    /// One part of the cache, behind its own lock (``LockedState``).
    struct Shard {
        /// Each key's position in `slots`.
        var index: [TokenKey: Int32] = [:]
        /// Every entry, in no particular order: O(1) random sampling for eviction.
        var slots: [Slot] = []
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
    /// The digest memo: ``digestMemoSlots`` slots in ``shardCount`` locked stripes.
    private let memo: [LockedState<[MemoSlot?]>]
    private static let shardCount = 16
    private static let evictionSample = 5

    /// The number of tokens whose digest is remembered with their text (see the type's description).
    public static let digestMemoSlots = 1_024
    /// The longest token whose digest is remembered with its text.
    public static let digestMemoMaximumTokenBytes = 4_096

    /// A token's text and its key, in the digest memo.
    struct MemoSlot {
        let token: String
        let key: TokenKey
    }

    /// A cache with `limits`, named `label` in metrics.
    public init(limits: Limits = Limits(), label: String = "default") {
        self.limits = limits
        self.shards = (0..<Self.shardCount).map { _ in LockedState(Shard()) }
        self.entriesPerShard = min(Int(Int32.max), max(1, limits.maximumEntries / Self.shardCount))
        self.bytesPerShard = max(1, limits.maximumBytes / Self.shardCount)
        self.hitCounter = Counter(label: "stytch_jwt_token_cache_lookups_total", dimensions: [("cache", label), ("result", "hit")])
        self.missCounter = Counter(label: "stytch_jwt_token_cache_lookups_total", dimensions: [("cache", label), ("result", "miss")])
        self.evictionCounter = Counter(label: "stytch_jwt_token_cache_evictions_total", dimensions: [("cache", label)])
        // Stripes get their slots on first use: a verifier made for one token allocates none.
        self.memo = (0..<Self.shardCount).map { _ in LockedState([MemoSlot?]()) }
    }

    /// The key of `token`: from the digest memo when its slot holds the same bytes, else computed
    /// (and remembered there); nil if OpenSSL could not compute the digest.
    func key(for token: String) -> TokenKey? {
        var token = token
        let length = token.utf8.count
        guard length <= Self.digestMemoMaximumTokenBytes else { return TokenKey(token) }
        // A cheap spread of the token's last bytes (a verified token's end is its signature's).
        let place = token.withUTF8 { bytes -> Int in
            var mix = UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
            for byte in bytes.suffix(16) { mix = (mix ^ UInt64(byte)) &* 0x100_0000_01B3 }
            return Int(truncatingIfNeeded: (mix >> 32) % UInt64(Self.digestMemoSlots))
        }
        let stripe = memo[place % Self.shardCount], slot = place / Self.shardCount
        let remembered = stripe.withLock { slots -> TokenKey? in
            guard slot < slots.count, let found = slots[slot], found.token.hasSameUTF8(as: token) else { return nil }
            return found.key
        }
        if let remembered { return remembered }
        guard let key = TokenKey(token) else { return nil }
        stripe.withLock { slots in
            if slots.isEmpty { slots = [MemoSlot?](repeating: nil, count: Self.digestMemoSlots / Self.shardCount) }
            slots[slot] = MemoSlot(token: token, key: key)
        }
        return key
    }

    /// The bytes an entry costs besides its session's strings and arrays, at worst: the index
    /// bucket (digest and position) at the dictionary's lowest load after growing (3/8), the slot
    /// at the array's lowest (1/2), and the record's allocation with malloc's header and rounding.
    public static let entryOverhead: Int = {
        let bucket = MemoryLayout<TokenKey>.stride + MemoryLayout<Int32>.stride
        let slot = MemoryLayout<Slot>.stride
        let record = 16 + MemoryLayout<VerifiedSession.Boxed>.stride + MemoryLayout<RSAPublicKey>.stride + MemoryLayout<Int>.stride
        let box = VerifiedSession.Boxed.boxBytes
        return bucket * 8 / 3 + slot * 2 + (record + 8 + 15) / 16 * 16 + (box + 8 + 15) / 16 * 16
    }()

    /// What an entry for a token of `tokenBytes` bytes is charged: ``entryOverhead`` plus half the
    /// token's length, for the session's strings and arrays (they come from the payload, about
    /// three quarters of the token). Measured on Stytch-shaped session JWTs of 1,434 bytes, an
    /// entry takes 1,192 bytes of heap in all and is charged 1,277; a payload of unusually many
    /// short strings (hundreds of roles) costs more per byte than that.
    public static func charge(tokenBytes: Int) -> Int {
        entryOverhead + tokenBytes / 2
    }

    /// The number of tokens held now.
    public var count: Int { shards.reduce(0) { $0 + $1.withLock { $0.slots.count } } }

    /// The bytes charged for the tokens held now (at most ``Limits/maximumBytes``).
    public var chargedBytes: Int { shards.reduce(0) { $0 + $1.withLock { $0.bytes } } }

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
        for stripe in memo { stripe.withLock { $0 = [] } }
    }

    /// The cached session for exactly `token`, with the key that verified it; a miss is counted
    /// unless `countingMiss` is false (a look that a full verification follows, which counts it).
    func lookup(_ token: String, countingMiss: Bool = true) -> (session: VerifiedSession, key: RSAPublicKey)? {
        guard let key = key(for: token) else {
            if countingMiss { missCounter.increment() }
            return nil
        }
        let found = shards[key.shard(Self.shardCount)].withLock { shard -> Record? in
            guard let position = shard.index[key].map(Int.init) else {
                if countingMiss { shard.statistics.misses += 1 }
                return nil
            }
            shard.statistics.hits += 1
            if shard.slots[position].hits < .max { shard.slots[position].hits += 1 }
            return shard.slots[position].record
        }
        guard let found else {
            if countingMiss { missCounter.increment() }
            return nil
        }
        hitCounter.increment()
        return (found.session.session, found.key)
    }

    /// Forgets `token` (its key is gone, or it no longer passes a time rule that cannot heal).
    func remove(_ token: String) {
        guard let key = key(for: token) else { return }
        shards[key.shard(Self.shardCount)].withLock { shard in _ = Self.remove(key, from: &shard) }
    }

    /// Removes `key` from `shard` (index, slots and byte count); returns whether it was there.
    private static func remove(_ key: TokenKey, from shard: inout Shard) -> Bool {
        guard let position = shard.index.removeValue(forKey: key).map(Int.init) else { return false }
        shard.bytes -= shard.slots[position].record.bytes
        let last = shard.slots.removeLast()
        if position < shard.slots.count {
            shard.slots[position] = last
            shard.index[last.key] = Int32(position)
        }
        return true
    }

    /// Remembers a token that just verified; returns its session as kept (its values in one box,
    /// so that every later copy of it is one reference count), whether or not it was kept.
    @discardableResult
    func insert(_ token: String, session: VerifiedSession, key publicKey: RSAPublicKey) -> VerifiedSession {
        let boxed = session.boxed()
        let bytes = Self.charge(tokenBytes: token.utf8.count)
        guard bytes <= bytesPerShard, let key = key(for: token) else { return boxed.session }
        let record = Record(session: boxed, key: publicKey, bytes: bytes)
        let entriesPerShard = self.entriesPerShard
        let bytesPerShard = self.bytesPerShard
        let evicted = shards[key.shard(Self.shardCount)].withLock { shard -> Int in
            _ = Self.remove(key, from: &shard)
            var evicted = 0
            while !shard.slots.isEmpty, shard.slots.count >= entriesPerShard || shard.bytes + bytes > bytesPerShard {
                if Self.evictOne(from: &shard) { evicted += 1 }
            }
            shard.index[key] = Int32(shard.slots.count)
            shard.slots.append(Slot(key: key, record: record, hits: 0))
            shard.bytes += bytes
            shard.insertsSinceAging += 1
            if shard.insertsSinceAging >= entriesPerShard {
                // Age hit counts so a working set that went cold can be evicted in turn.
                shard.insertsSinceAging = 0
                for position in shard.slots.indices { shard.slots[position].hits /= 2 }
            }
            return evicted
        }
        if evicted > 0 { evictionCounter.increment(by: evicted) }
        return boxed.session
    }

    /// Removes the least-used of a few randomly sampled entries.
    @discardableResult
    private static func evictOne(from shard: inout Shard) -> Bool {
        guard !shard.slots.isEmpty else { return false }
        var victim = Int.random(in: shard.slots.indices, using: &shard.sampling)
        for _ in 1..<evictionSample {
            let candidate = Int.random(in: shard.slots.indices, using: &shard.sampling)
            if shard.slots[candidate].hits < shard.slots[victim].hits { victim = candidate }
        }
        guard remove(shard.slots[victim].key, from: &shard) else { return false }
        shard.statistics.evictions += 1
        return true
    }
}

/// A token as the cache knows it: the SHA-256 digest of its UTF-8 bytes (OpenSSL's, through the
/// C shim), 32 bytes compared in full. Two tokens have equal keys exactly when their bytes are
/// equal (a SHA-256 collision aside, which nobody can produce), never by Unicode equivalence.
struct TokenKey: Hashable, Sendable {
    private let word0: UInt64, word1: UInt64, word2: UInt64, word3: UInt64

    /// The digest of `token`'s UTF-8 bytes; nil if OpenSSL could not compute it (then the token
    /// is neither looked up nor remembered).
    init?(_ token: String) {
        var token = token
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let status = token.withUTF8 { bytes in
            withUnsafeMutableBytes(of: &words) { digest in
                stytch_sha256_digest(
                    bytes.baseAddress, bytes.count,
                    digest.baseAddress!.assumingMemoryBound(to: UInt8.self), digest.count
                )
            }
        }
        guard status == 0 else { return nil }
        (word0, word1, word2, word3) = words
    }

    /// One word of a uniformly distributed digest is as good a hash input as all four.
    func hash(into hasher: inout Hasher) { hasher.combine(word0) }

    /// Which shard holds the key: another word of the digest than the one the index hashes.
    func shard(_ count: Int) -> Int { Int(word3 % UInt64(count)) }
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

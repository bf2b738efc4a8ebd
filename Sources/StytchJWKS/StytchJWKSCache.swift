public import Logging
public import StytchJWTCore
import Metrics
public import ServiceLifecycle

/// A JWKS document as fetched, with the freshness the server asked for.
public struct FetchedJWKS: Sendable {
    /// The response body.
    public var body: [UInt8]
    /// `Cache-Control: max-age`, in seconds, when the response carried one.
    public var maxAge: Double?

    /// A fetched document and its `max-age`, if any.
    public init(body: [UInt8], maxAge: Double? = nil) {
        self.body = body
        self.maxAge = maxAge
    }
}

/// Fetches a JWKS document. ``StytchJWKSFetcher`` fetches Stytch's over HTTPS; tests inject others.
public protocol JWKSFetcher: Sendable {
    /// Fetches the document once. Throw any error for a failed fetch (the cache counts it and keeps
    /// its last good keys); never include secrets in the error.
    func fetchJWKS() async throws -> FetchedJWKS
}

/// Keys from a remote JWKS kept ready to verify, shared by every request of a process.
///
/// - Parsed keys are kept as OpenSSL key objects; a verification that finds its key in the current
///   set takes a lock-protected read, no actor hop and no network.
/// - Refreshes on TTL (`Cache-Control: max-age` clamped to ``Configuration/minimumTTL`` …
///   ``Configuration/maximumTTL``, else ``Configuration/defaultTTL``) and on an unknown `kid`, at
///   most once per ``Configuration/refreshCooldown``; inside the cooldown an unknown `kid` fails at
///   once with `unknown_key`. Concurrent refreshes share one request.
/// - A key that vanishes from a fetched set stops verifying after that refresh.
/// - On a failed fetch the last good keys keep serving for up to ``Configuration/maximumStaleness``
///   past their TTL, retries back off exponentially, and `keys_unavailable` is reported only when no
///   usable key is held.
/// - Pinned keys (a `JWKSet`) verify at once with no network; remote keys add rotated ones.
public actor StytchJWKSCache {
    /// Settings; every one has a documented default.
    public struct Configuration: Sendable {
        /// TTL when the response has no usable `max-age`. Default 600 s (10 minutes).
        public var defaultTTL: Double = 600
        /// The shortest TTL honoured from `max-age`. Default 60 s.
        public var minimumTTL: Double = 60
        /// The longest TTL honoured from `max-age`. Default 86,400 s (1 day).
        public var maximumTTL: Double = 86_400
        /// The least time between two refreshes forced by unknown `kid`s. Default 30 s.
        public var refreshCooldown: Double = 30
        /// How long past their TTL the last good keys keep verifying while fetches fail. Default 12 h.
        public var maximumStaleness: Double = 43_200
        /// The first retry delay after a failed fetch; doubled per further failure. Default 1 s.
        public var initialBackoff: Double = 1
        /// The longest retry delay. Default 300 s.
        public var maximumBackoff: Double = 300
        /// The background refresh runs when this fraction of the TTL has passed. Default 0.8.
        public var refreshAheadFraction: Double = 0.8
        /// Limits applied to each fetched document (size, key count, depth).
        public var limits = JWKSet.Limits()

        /// The defaults listed on each setting.
        public init() {}
    }

    /// A point-in-time view of what the cache holds.
    public struct Status: Sendable {
        /// The `kid`s that verify now (pinned and remote).
        public var kids: [String]
        /// Successful fetches so far.
        public var successfulFetches: Int
        /// Failed fetches so far.
        public var failedFetches: Int
        /// Whether the remote keys are past their TTL.
        public var isStale: Bool
    }

    /// What a verification reads without entering the actor.
    struct Snapshot: Sendable {
        var remote: JWKSet?
        /// Monotonic instants: fetched at `fetchedAt`, fresh until `expiresAt`, usable until `usableUntil`.
        var fetchedAt: Double = -.infinity
        var expiresAt: Double = -.infinity
        var usableUntil: Double = -.infinity
        /// No fetch before this instant (backoff after failures).
        var nextAttemptAllowed: Double = -.infinity
        /// A TTL refresh has been started from the fast path and has not finished.
        var refreshPending = false
    }

    /// The settings in use.
    public nonisolated let configuration: Configuration
    private nonisolated let pinned: JWKSet?
    private nonisolated let fetcher: (any JWKSFetcher)?
    private nonisolated let clock: JWKSCacheClock
    private nonisolated let logger: Logger
    private nonisolated let snapshot: LockedState<Snapshot>
    private nonisolated let metrics: CacheMetrics

    private var inFlight: Task<Void, Never>?
    private var lastForcedRefresh: Double = -.infinity
    private var consecutiveFailures = 0
    private var successfulFetches = 0
    private var failedFetches = 0

    /// A cache over `fetcher`, optionally seeded with pinned keys that verify with no network.
    ///
    /// - Parameters:
    ///   - fetcher: where remote keys come from; nil for pinned keys only.
    ///   - pinned: keys that always verify, looked up before remote ones.
    ///   - configuration: TTLs, cooldown, staleness, backoff and document limits (see ``Configuration``).
    ///   - clock: the clock TTLs and cooldowns are measured on; `.continuous` outside tests.
    ///   - label: names this cache in metrics (`stytch_jwks_…{cache=label}`).
    ///   - logger: where refreshes and failed fetches are logged; nil logs nothing.
    public init(
        fetcher: (any JWKSFetcher)?,
        pinned: JWKSet? = nil,
        configuration: Configuration = Configuration(),
        clock: JWKSCacheClock = .continuous,
        label: String = "default",
        logger: Logger? = nil
    ) {
        self.fetcher = fetcher
        self.pinned = pinned
        self.configuration = configuration
        self.clock = clock
        self.logger = logger ?? Logger(label: "StytchJWKS.cache", factory: { _ in SwiftLogNoOpLogHandler() })
        self.snapshot = LockedState(Snapshot())
        self.metrics = CacheMetrics(label: label)
    }

    // MARK: Lookup

    /// The key for `kid`, refreshing from the remote source when that can help.
    ///
    /// - Throws: `StytchJWTError` `unknown_key` when no key has this `kid` (after at most one
    ///   refresh, and at once inside the cooldown), `keys_unavailable` when no usable key is held.
    public nonisolated func key(for kid: String) async throws(StytchJWTError) -> RSAPublicKey {
        if let key = heldKey(for: kid) { return key }
        return try await slowLookup(kid: kid)
    }

    /// The key for `kid` among the keys held now (pinned first, then remote keys still within
    /// their staleness bound), without waiting on anything. Remote keys past their TTL still
    /// answer, and start one background refresh.
    public nonisolated func heldKey(for kid: String) -> RSAPublicKey? {
        if let key = pinned?.key(for: kid) { return key }
        let now = clock.now()
        let (key, startRefresh) = snapshot.withLock { state -> (RSAPublicKey?, Bool) in
            guard now < state.usableUntil, let key = state.remote?.key(for: kid) else { return (nil, false) }
            guard now >= state.expiresAt, !state.refreshPending, now >= state.nextAttemptAllowed else { return (key, false) }
            state.refreshPending = true
            return (key, true)
        }
        if startRefresh { Task { await self.refreshIfDue() } }
        return key
    }

    /// The error for a `kid` no held key has: `unknown_key` while any usable key is held,
    /// `keys_unavailable` otherwise.
    public nonisolated func missingKeyError() -> StytchJWTError {
        let now = clock.now()
        let holdsAny = !(pinned?.isEmpty ?? true) || snapshot.withLock { now < $0.usableUntil && !($0.remote?.isEmpty ?? true) }
        return holdsAny
            ? StytchJWTError(.unknownKey, "no key matches header.kid")
            : StytchJWTError(.keysUnavailable, "no usable verification key is held")
    }

    private func slowLookup(kid: String) async throws(StytchJWTError) -> RSAPublicKey {
        // A refresh may have finished between the caller's look and entering the actor.
        if let key = heldKey(for: kid) { return key }
        guard fetcher != nil else { throw missingKeyError() }
        let now = clock.now()
        let state = snapshot.withLock { $0 }
        let holdsUsableKeys = now < state.usableUntil && !(state.remote?.isEmpty ?? true)
        if let inFlight {
            await inFlight.value  // coalesce: a refresh is under way, share it
        } else if !holdsUsableKeys {
            // Start-up, or everything past its staleness bound: fetch unless backing off.
            guard now >= state.nextAttemptAllowed else { throw missingKeyError() }
            await refresh(forced: false)
        } else {
            // An unknown kid while holding good keys: at most one forced refresh per cooldown;
            // inside the cooldown (or a backoff) fail at once rather than wait.
            guard now - lastForcedRefresh >= configuration.refreshCooldown, now >= state.nextAttemptAllowed else {
                metrics.cooldownRejections.increment()
                throw StytchJWTError(.unknownKey, "no key matches header.kid")
            }
            lastForcedRefresh = now
            await refresh(forced: true)
        }
        if let key = heldKey(for: kid) { return key }
        throw missingKeyError()
    }

    /// Whether this cache fetches remote keys (false for pinned keys only).
    public nonisolated var hasRemoteSource: Bool { fetcher != nil }

    // MARK: Refresh

    /// Fetches now, unless a fetch is under way (then waits for that one). For start-up.
    public func prefetch() async {
        if let inFlight { await inFlight.value } else { await refresh(forced: false) }
    }

    /// Refreshes when the TTL has run out and no failure asked to back off.
    func refreshIfDue() async {
        let now = clock.now()
        let state = snapshot.withLock { $0 }
        if now >= state.expiresAt, now >= state.nextAttemptAllowed {
            await refresh(forced: false)
        }
        snapshot.withLock { $0.refreshPending = false }
    }

    private func refresh(forced: Bool) async {
        if let inFlight {
            await inFlight.value
            return
        }
        let task = Task { await self.fetchOnce(forced: forced) }
        inFlight = task
        await task.value
        inFlight = nil
    }

    private func fetchOnce(forced: Bool) async {
        guard let fetcher else { return }
        let started = clock.now()
        do {
            let fetched = try await fetcher.fetchJWKS()
            let keys = try JWKSet(jwks: fetched.body, limits: configuration.limits, logger: logger)
            guard !keys.isEmpty else {
                throw StytchJWTError(.keysUnavailable, "fetched JWKS has no usable key")
            }
            let now = clock.now()
            let ttl = ttl(for: fetched.maxAge)
            snapshot.withLock {
                $0.remote = keys
                $0.fetchedAt = now
                $0.expiresAt = now + ttl
                $0.usableUntil = now + ttl + configuration.maximumStaleness
            }
            let recovered = consecutiveFailures > 0
            consecutiveFailures = 0
            snapshot.withLock { $0.nextAttemptAllowed = -.infinity }
            successfulFetches += 1
            metrics.fetch(outcome: "success", seconds: now - started)
            metrics.keysHeld.record(Double(keys.keys.count))
            // swift-log's library guidance: routine work at debug; a change of state (recovery
            // after failures) at info, once.
            logger.log(level: recovered ? .info : .debug, recovered ? "JWKS refresh recovered" : "JWKS refreshed", metadata: [
                "jwks.keys": "\(keys.keys.count)", "jwks.rejected": "\(keys.rejectedKeys.count)",
                "jwks.ttl_seconds": "\(Int(ttl))", "jwks.forced": "\(forced)",
            ])
        } catch {
            let now = clock.now()
            consecutiveFailures += 1
            failedFetches += 1
            let backoff = min(configuration.maximumBackoff, configuration.initialBackoff * pow2(consecutiveFailures - 1))
            snapshot.withLock { $0.nextAttemptAllowed = now + backoff }
            metrics.fetch(outcome: "failure", seconds: now - started)
            let reason = (error as? StytchJWTError)?.message ?? "fetch failed"
            // A warning when fetches start failing; the retries of the same outage at debug.
            logger.log(level: consecutiveFailures == 1 ? .warning : .debug, "JWKS refresh failed; keeping the last good keys", metadata: [
                "jwks.reason": "\(reason)", "jwks.retry_in_seconds": "\(Int(backoff))",
                "jwks.consecutive_failures": "\(consecutiveFailures)",
            ])
        }
    }

    private nonisolated func ttl(for maxAge: Double?) -> Double {
        guard let maxAge, maxAge.isFinite, maxAge >= 0 else { return configuration.defaultTTL }
        return min(max(maxAge, configuration.minimumTTL), configuration.maximumTTL)
    }

    private nonisolated func pow2(_ exponent: Int) -> Double {
        exponent >= 62 ? .infinity : Double(1 << max(0, exponent))
    }

    // MARK: Observation

    /// What the cache holds now.
    public func status() -> Status {
        let now = clock.now()
        let state = snapshot.withLock { $0 }
        var kids = Set(pinned?.kids ?? [])
        if now < state.usableUntil { kids.formUnion(state.remote?.kids ?? []) }
        return Status(kids: kids.sorted(), successfulFetches: successfulFetches, failedFetches: failedFetches, isStale: now >= state.expiresAt)
    }

    /// Seconds until the background refresh should next run: ahead of expiry once
    /// ``Configuration/refreshAheadFraction`` of the TTL has passed, never before a backoff ends.
    func secondsUntilRefresh() -> Double {
        let now = clock.now()
        let state = snapshot.withLock { $0 }
        var due = -Double.infinity
        if state.remote != nil {
            due = state.fetchedAt + (state.expiresAt - state.fetchedAt) * configuration.refreshAheadFraction
        }
        return max(0, max(due, state.nextAttemptAllowed) - now)
    }

    /// The background refresh: fetches when the refresh-ahead point has passed.
    func refreshAhead() async {
        guard secondsUntilRefresh() <= 0, inFlight == nil else { return }
        await refresh(forced: false)
    }
}

/// Background refresh ahead of expiry, so request paths never wait on the network in steady state.
///
/// Add it to a `ServiceGroup`; `run()` fetches at once, then refreshes when
/// ``StytchJWKSCache/Configuration/refreshAheadFraction`` of each TTL has passed (or when a backoff ends),
/// and returns on graceful shutdown or cancellation.
public struct JWKSRefreshService: Service {
    /// The cache kept fresh.
    public let cache: StytchJWKSCache

    /// A service that keeps `cache` fresh.
    public init(cache: StytchJWKSCache) { self.cache = cache }

    /// Prefetches, then refreshes ahead of each expiry until graceful shutdown or cancellation.
    public func run() async throws {
        guard cache.hasRemoteSource else {
            // Nothing to refresh: stay up until shutdown like any other service.
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            await refreshUntilCancelled()
        }
    }

    /// The refresh loop without swift-service-lifecycle, for a framework's own lifecycle (Vapor's
    /// `LifecycleHandler`): prefetches unless `prefetch` is false, then refreshes ahead of each
    /// expiry until the task running it is cancelled. Returns at once for a cache with no remote source.
    public func refreshUntilCancelled(prefetch: Bool = true) async {
        guard cache.hasRemoteSource else { return }
        if prefetch { await cache.prefetch() }
        while !Task.isCancelled {
            let delay = await cache.secondsUntilRefresh()
            do {
                try await Task.sleep(for: .seconds(max(delay, 0.01)))
            } catch {
                return  // cancelled
            }
            await cache.refreshAhead()
        }
    }
}

/// The cache's swift-metrics instruments.
struct CacheMetrics: Sendable {
    let label: String
    let keysHeld: Gauge
    let cooldownRejections: Counter

    init(label: String) {
        self.label = label
        self.keysHeld = Gauge(label: "stytch_jwks_keys_held", dimensions: [("cache", label)])
        self.cooldownRejections = Counter(label: "stytch_jwks_cooldown_rejections_total", dimensions: [("cache", label)])
    }

    func fetch(outcome: String, seconds: Double) {
        Counter(label: "stytch_jwks_fetches_total", dimensions: [("cache", label), ("outcome", outcome)]).increment()
        Metrics.Timer(label: "stytch_jwks_fetch_duration_seconds", dimensions: [("cache", label), ("outcome", outcome)])
            .recordNanoseconds(Int64(max(0, seconds) * 1e9))
    }
}

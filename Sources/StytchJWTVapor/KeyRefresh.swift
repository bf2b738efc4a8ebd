public import StytchJWT
public import Vapor

/// Vapor's lifecycle for a `StytchJWKSCache`: fetches the keys while the application boots, so
/// the first requests do not wait on Stytch, then refreshes them ahead of each expiry in the
/// background (the loop of `JWKSRefreshService`) until the application shuts down.
///
/// Register it through ``Vapor/Application/Stytch/refreshKeys(cache:)``:
///
/// ```swift
/// app.stytch.verifier = try StytchJWTVerifier(configuration: .init(projectID: "project-live-…"))
/// try app.stytch.refreshKeys()
/// ```
///
/// With `Application.make` and `execute()` (or `asyncBoot()`/`asyncShutdown()`), booting waits for
/// the first fetch (a failure is logged by the cache and retried with backoff; it does not stop the
/// boot) and shutting down waits for the refresh loop to end. With the synchronous `boot()` the
/// first fetch runs in the background and shutdown only cancels the loop.
public final class StytchKeyRefreshLifecycle: LifecycleHandler {
    /// The cache kept fresh.
    public let cache: StytchJWKSCache
    /// The background refresh while the application runs. `LockedState` keeps it Sendable.
    private let refresh = LockedState<Task<Void, Never>?>(nil)

    /// A handler for `cache`.
    public init(cache: StytchJWKSCache) { self.cache = cache }

    /// Whether the background refresh is running.
    public var isRefreshing: Bool { refresh.withLock { $0 != nil } }

    /// Fetches the keys before the server starts.
    public func willBootAsync(_ application: Application) async throws {
        await cache.prefetch()
    }

    /// Starts the background refresh.
    public func didBootAsync(_ application: Application) async throws {
        start(prefetch: false)
    }

    /// Stops the background refresh and waits for it to end.
    public func shutdownAsync(_ application: Application) async {
        await stop()?.value
    }

    /// Starts the background refresh, which fetches first (a synchronous boot cannot wait for it).
    public func didBoot(_ application: Application) throws {
        start(prefetch: true)
    }

    /// Stops the background refresh (a synchronous shutdown cannot wait for it).
    public func shutdown(_ application: Application) {
        _ = stop()
    }

    private func start(prefetch: Bool) {
        let service = JWKSRefreshService(cache: cache)
        refresh.withLock { task in
            task?.cancel()
            task = Task { await service.refreshUntilCancelled(prefetch: prefetch) }
        }
    }

    /// Cancels the refresh and hands back its task.
    private func stop() -> Task<Void, Never>? {
        let task = refresh.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        return task
    }
}

extension Application.Stytch {
    /// Registers a ``StytchKeyRefreshLifecycle`` for `cache`, or for the `StytchJWKSCache` of
    /// ``verifier`` (set the verifier first): keys fetched at boot, refreshed until shutdown.
    ///
    /// - Returns: the handler, for inspection.
    /// - Throws: `StytchJWTError` `invalid_configuration` when no cache is given and the verifier
    ///   is missing or its keys do not come from a `StytchJWKSCache` (pinned keys need no refresh).
    @discardableResult
    public func refreshKeys(cache: StytchJWKSCache? = nil) throws(StytchJWTError) -> StytchKeyRefreshLifecycle {
        guard let cache = cache ?? verifier?.jwksCache else {
            throw StytchJWTError(.invalidConfiguration, "no JWKS cache to refresh: set app.stytch.verifier to a verifier over a StytchJWKSCache, or pass the cache")
        }
        let handler = StytchKeyRefreshLifecycle(cache: cache)
        application.lifecycle.use(handler)
        return handler
    }
}

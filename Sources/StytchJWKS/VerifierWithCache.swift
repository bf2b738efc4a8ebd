public import Logging
public import StytchJWTCore

extension StytchJWKSCache: StytchKeyProvider {}

extension StytchJWTVerifier.KeySource {
    /// A ``StytchJWKSCache``: pinned and/or remote keys, refreshed and rotated.
    public static func cache(_ cache: StytchJWKSCache) -> Self { .provider(cache) }
}

extension StytchJWTVerifier {
    /// The ``StytchJWKSCache`` the keys come from, if they come from one (to refresh it in the
    /// background: `JWKSRefreshService(cache:)`).
    public var jwksCache: StytchJWKSCache? {
        guard case .provider(let provider) = keySource else { return nil }
        return provider as? StytchJWKSCache
    }

    /// Creates a verifier whose keys come from a ``StytchJWKSCache`` (remote keys, rotation, outages).
    public init(configuration: Configuration, cache: StytchJWKSCache, logger: Logger? = nil) throws(StytchJWTError) {
        try self.init(configuration: configuration, keySource: .provider(cache), logger: logger)
    }

    /// Creates a verifier that fetches the project's keys from Stytch's B2B JWKS endpoint
    /// (`https://test.stytch.com` or `https://api.stytch.com` by the project ID's prefix, or
    /// `configuration.baseURL`), through the process-wide ``StytchJWKSCache`` for that project
    /// (``StytchJWKSCache/stytch(projectID:baseURL:logger:)``), so every verifier of a project shares one cache.
    ///
    /// ```swift
    /// let verifier = try StytchJWTVerifier(configuration: .init(projectID: "project-live-…"))
    /// let session = try await verifier.verify(sessionJWT: token)
    /// ```
    public init(configuration: Configuration, logger: Logger? = nil) throws(StytchJWTError) {
        let cache = try StytchJWKSCache.stytch(projectID: configuration.projectID, baseURL: configuration.baseURL, logger: logger)
        try self.init(configuration: configuration, keySource: .provider(cache), logger: logger)
    }
}

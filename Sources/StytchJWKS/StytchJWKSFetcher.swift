public import AsyncHTTPClient
import Foundation
public import Logging
import NIOHTTP1
import StytchBoundedHTTP
public import StytchJWTCore

/// Fetches a JWKS over HTTPS with AsyncHTTPClient: Stytch's B2B endpoint for a project, or any URL.
///
/// Bounded: a request timeout (default 5 s, covering connect, headers and body), a body cap
/// (default 1 MiB, enforced while streaming), redirects refused, and any status but 200 a failure.
/// HTTPS only; plain HTTP is allowed to loopback hosts (127.0.0.0/8, `::1`, `localhost`) for
/// tests and local development.
public struct StytchJWKSFetcher: JWKSFetcher {
    /// The URL fetched.
    public let url: String
    /// The request timeout, in seconds.
    public let timeout: Double
    /// The largest body accepted, in bytes.
    public let maximumBodyBytes: Int
    private let client: HTTPClient

    /// A client for JWKS fetches shared by the process (and by `StytchB2BClient`): redirects
    /// disallowed, never shut down (like `HTTPClient.shared`).
    public static var sharedClient: HTTPClient { BoundedHTTP.sharedClient }

    /// The B2B JWKS URL for a project (`StytchProject/jwksURL(projectID:baseURL:)`).
    public static func jwksURL(projectID: String, baseURL: String? = nil) throws(StytchJWTError) -> String {
        try StytchProject.jwksURL(projectID: projectID, baseURL: baseURL)
    }

    /// Fetches Stytch's B2B JWKS for `projectID`.
    public init(
        projectID: String,
        baseURL: String? = nil,
        client: HTTPClient = StytchJWKSFetcher.sharedClient,
        timeout: Double = 5,
        maximumBodyBytes: Int = 1 << 20
    ) throws(StytchJWTError) {
        try self.init(url: Self.jwksURL(projectID: projectID, baseURL: baseURL), client: client, timeout: timeout, maximumBodyBytes: maximumBodyBytes)
    }

    /// Fetches the JWKS at `url` (https, or http to a loopback host).
    public init(
        url: String,
        client: HTTPClient = StytchJWKSFetcher.sharedClient,
        timeout: Double = 5,
        maximumBodyBytes: Int = 1 << 20
    ) throws(StytchJWTError) {
        _ = try StytchProject.checkedFetchURL(url)
        guard timeout > 0, timeout.isFinite, maximumBodyBytes > 0 else {
            throw StytchJWTError(.invalidConfiguration, "JWKS timeout and body cap must be positive")
        }
        self.url = url
        self.client = client
        self.timeout = timeout
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Fetches the document: one bounded exchange (the timeout covers the whole of it, body
    /// included); any status but 200 is a failure.
    public func fetchJWKS() async throws -> FetchedJWKS {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "StytchJWT")
        let response: BoundedHTTP.Response
        do {
            response = try await BoundedHTTP.execute(
                request, client: client, timeout: timeout, maximumBodyBytes: maximumBodyBytes,
                operation: "stytch.jwks.fetch", endpoint: "sessions/jwks"
            )
        } catch {
            if case .bodyTooLarge(let status, _) = error, status != 200 {
                throw StytchJWTError(.keysUnavailable, "JWKS endpoint answered HTTP \(status)")
            }
            if case .bodyTooLarge = error { throw StytchJWTError(.keysUnavailable, "JWKS \(error)") }
            throw StytchJWTError(.keysUnavailable, "JWKS request failed: \(error)")
        }
        guard response.status == 200 else {
            throw StytchJWTError(.keysUnavailable, "JWKS endpoint answered HTTP \(response.status)")
        }
        return FetchedJWKS(body: response.body, maxAge: Self.maxAge(response.headers[canonicalForm: "cache-control"].map(String.init)))
    }

    /// `max-age` from Cache-Control directives, in seconds; nil when absent or malformed, and when
    /// `no-store` or `no-cache` is present (the server asks not to reuse the response; the cache
    /// then keeps the keys for its default TTL, since it cannot verify without them).
    static func maxAge(_ directives: [String]) -> Double? {
        let names = directives.map { $0.split(separator: "=", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "" }
        if names.contains("no-store") || names.contains("no-cache") { return nil }
        for directive in directives {
            let parts = directive.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            if parts.first == "max-age", parts.count == 2 {
                let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                guard let seconds = Int(value), seconds >= 0 else { return nil }
                return Double(seconds)
            }
        }
        return nil
    }

    /// `url` without a trailing `/` (`StytchProject/normalizedBaseURL(_:)`).
    public static func normalizedBaseURL(_ url: String) throws(StytchJWTError) -> String {
        try StytchProject.normalizedBaseURL(url)
    }
}

extension StytchJWKSCache {
    /// Keyed by the URL's bytes (never `String` equality, which is Unicode canonical equivalence).
    private static let shared = LockedState<[[UInt8]: StytchJWKSCache]>([:])

    /// The process-wide cache of Stytch's B2B keys for one (base URL, project ID): every verifier
    /// built for that project shares it, and so shares its fetches, cooldown and backoff. Built
    /// with default settings on first use.
    ///
    /// - Throws: `StytchJWTError` `invalid_configuration` when no JWKS URL can be derived (see
    ///   ``StytchJWKSFetcher/jwksURL(projectID:baseURL:)``).
    /// `logger` is given to the cache when this call builds it (the first for that project).
    public static func stytch(projectID: String, baseURL: String? = nil, logger: Logger? = nil) throws(StytchJWTError) -> StytchJWKSCache {
        let url = try StytchJWKSFetcher.jwksURL(projectID: projectID, baseURL: baseURL)
        let fetcher = try StytchJWKSFetcher(url: url)
        let key = Array(url.utf8)
        return shared.withLock { caches in
            if let cache = caches[key] { return cache }
            let cache = StytchJWKSCache(fetcher: fetcher, label: projectID, logger: logger)
            caches[key] = cache
            return cache
        }
    }
}

public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

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

    /// A client for JWKS fetches shared by the process: redirects disallowed, never shut down
    /// (like `HTTPClient.shared`).
    public static let sharedClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow)
    )

    /// The B2B JWKS URL for a project: `{base}/v1/b2b/sessions/jwks/{projectID}`, where `base`
    /// is `baseURL` if given, else `https://test.stytch.com` for `project-test-…` and
    /// `https://api.stytch.com` for `project-live-…`. (Not the consumer `/v1/sessions/jwks/…`.)
    ///
    /// - Throws: ``StytchJWTError`` `malformed` for a project ID of neither kind without a base URL,
    ///   or a base URL that is not https (or http to loopback).
    public static func jwksURL(projectID: String, baseURL: String? = nil) throws(StytchJWTError) -> String {
        guard !projectID.isEmpty, projectID.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw StytchJWTError(.invalidConfiguration, "project ID is empty or has characters a URL path cannot carry")
        }
        let base: String
        if let baseURL {
            base = try normalizedBaseURL(baseURL)
        } else if projectID.hasPrefix("project-test-") {
            base = "https://test.stytch.com"
        } else if projectID.hasPrefix("project-live-") {
            base = "https://api.stytch.com"
        } else {
            throw StytchJWTError(.invalidConfiguration, "project ID is neither project-test-… nor project-live-…: give a base URL")
        }
        return "\(base)/v1/b2b/sessions/jwks/\(projectID)"
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
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil
        else { throw StytchJWTError(.invalidConfiguration, "JWKS URL is not an absolute URL") }
        guard scheme == "https" || (scheme == "http" && Self.isLoopback(host)) else {
            throw StytchJWTError(.invalidConfiguration, "JWKS URL must be https (plain http only to a loopback host)")
        }
        guard timeout > 0, timeout.isFinite, maximumBodyBytes > 0 else {
            throw StytchJWTError(.invalidConfiguration, "JWKS timeout and body cap must be positive")
        }
        self.url = url
        self.client = client
        self.timeout = timeout
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Fetches the document. The timeout covers the whole exchange, body included: AsyncHTTPClient's
    /// deadline stops at the response head, so the body is read in a race against the same deadline.
    public func fetchJWKS() async throws -> FetchedJWKS {
        let timeout = self.timeout
        return try await withThrowingTaskGroup(of: FetchedJWKS?.self) { group in
            group.addTask { try await self.fetchWithoutBodyDeadline() }
            group.addTask {
                try await Task.sleep(for: .nanoseconds(Int64(timeout * 1e9)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let fetched = first else {
                throw StytchJWTError(.keysUnavailable, "JWKS request failed: timed out")
            }
            return fetched
        }
    }

    private func fetchWithoutBodyDeadline() async throws -> FetchedJWKS {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "StytchJWT")
        let deadline = NIODeadline.now() + .nanoseconds(Int64(timeout * 1e9))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, deadline: deadline)
        } catch {
            throw StytchJWTError(.keysUnavailable, "JWKS request failed: \(Self.describe(error))")
        }
        guard response.status == .ok else {
            throw StytchJWTError(.keysUnavailable, "JWKS endpoint answered HTTP \(response.status.code)")
        }
        if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > maximumBodyBytes {
            throw StytchJWTError(.keysUnavailable, "JWKS body is larger than \(maximumBodyBytes) bytes")
        }
        var body = [UInt8]()
        do {
            for try await chunk in response.body {
                guard body.count + chunk.readableBytes <= maximumBodyBytes else {
                    throw StytchJWTError(.keysUnavailable, "JWKS body is larger than \(maximumBodyBytes) bytes")
                }
                body.append(contentsOf: chunk.readableBytesView)
            }
        } catch let error as StytchJWTError {
            throw error
        } catch {
            throw StytchJWTError(.keysUnavailable, "JWKS body could not be read: \(Self.describe(error))")
        }
        return FetchedJWKS(body: body, maxAge: Self.maxAge(response.headers[canonicalForm: "cache-control"].map(String.init)))
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

    /// `url` without a trailing `/`, after checking it is `https://host[:port]` with no path, query,
    /// fragment or credentials; plain `http` only to a loopback host.
    public static func normalizedBaseURL(_ url: String) throws(StytchJWTError) -> String {
        var trimmed = url
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty, components.path.isEmpty,
              components.query == nil, components.fragment == nil, components.user == nil, components.password == nil,
              scheme == "https" || (scheme == "http" && isLoopback(host))
        else { throw StytchJWTError(.invalidConfiguration, "base URL must be https://host[:port] with no path (http only to a loopback host)") }
        return trimmed
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".")
        return octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// A short reason without URLs' secrets or response content.
    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "timed out"
            case .remoteConnectionClosed: return "connection closed"
            default: return "\(error)"
            }
        }
        switch String(describing: type(of: error)) {
        case "NIOConnectionError", "SocketAddressError": return "could not connect"
        default: return "transport error"
        }
    }
}

extension JWKSCache {
    private static let shared = LockedState<[String: JWKSCache]>([:])

    /// The process-wide cache of Stytch's B2B keys for one (base URL, project ID): every verifier
    /// built for that project shares it, and so shares its fetches, cooldown and backoff. Built
    /// with default settings on first use.
    ///
    /// - Throws: ``StytchJWTError`` `malformed` when no JWKS URL can be derived (see
    ///   ``StytchJWKSFetcher/jwksURL(projectID:baseURL:)``).
    public static func stytch(projectID: String, baseURL: String? = nil) throws(StytchJWTError) -> JWKSCache {
        let url = try StytchJWKSFetcher.jwksURL(projectID: projectID, baseURL: baseURL)
        let fetcher = try StytchJWKSFetcher(url: url)
        return shared.withLock { caches in
            if let cache = caches[url] { return cache }
            let cache = JWKSCache(fetcher: fetcher, label: projectID)
            caches[url] = cache
            return cache
        }
    }
}

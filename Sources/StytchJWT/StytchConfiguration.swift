public import Configuration
import Foundation
public import Logging
public import StytchB2BAPI
public import StytchJWKS
public import StytchJWTCore

/// A Stytch project's settings read through apple/swift-configuration: environment variables,
/// files, or any other provider. The core takes plain values; this is where a `ConfigReader`
/// turns into them, checked.
///
/// Keys, relative to the reader (scope it to `stytch` to read `STYTCH_…` environment variables):
///
/// | key | environment (scoped to `stytch`) | value |
/// |---|---|---|
/// | `projectID` | `STYTCH_PROJECT_ID` | required: `project-test-…` or `project-live-…` |
/// | `secret` | `STYTCH_SECRET` | the project's secret (secret: never logged); only for Stytch's API |
/// | `baseURL` | `STYTCH_BASE_URL` | a custom domain, `https://host[:port]` |
/// | `jwksURL` | `STYTCH_JWKS_URL` | where to fetch keys; default derived from the project and base URL |
/// | `leeway` | `STYTCH_LEEWAY` | clock-skew tolerance, seconds, default 0 |
/// | `maxTokenAge` | `STYTCH_MAX_TOKEN_AGE` | the oldest a token may be, seconds; default no limit |
///
/// ```swift
/// import Configuration
/// import StytchJWT
///
/// let config = ConfigReader(provider: EnvironmentVariablesProvider())
/// let stytch = try StytchConfiguration(config: config.scoped(to: "stytch"))
/// let verifier = try stytch.makeVerifier(logger: logger)
/// ```
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
public struct StytchConfiguration: Sendable, CustomStringConvertible {
    /// How the verifier judges tokens (project, base URL, leeway, maximum token age).
    public var verifier: StytchJWTVerifier.Configuration
    /// Where keys are fetched from, checked (https, or http to a loopback host).
    public var jwksURL: String
    /// The project's secret, for Stytch's API (refresh, RBAC policies); nil when not configured.
    public var secret: String?

    /// Reads the settings from `config`.
    ///
    /// - Throws: `StytchJWTError` `invalid_configuration`, naming the key, for a missing project
    ///   ID, a value of the wrong type or form (a leeway that is not a number of seconds, 0 or more;
    ///   a base or JWKS URL that is not https), or an empty secret. Never echoes the secret.
    public init(config: ConfigReader) throws(StytchJWTError) {
        guard let projectID = config.string(forKey: "projectID"), !projectID.isEmpty else {
            throw StytchJWTError(.invalidConfiguration, "projectID (STYTCH_PROJECT_ID) is required")
        }
        let projectIDChecked = try Self.checked("projectID") { () throws(StytchJWTError) in try StytchProject.checkedProjectID(projectID) }
        let baseURL = try Self.checked("baseURL") { () throws(StytchJWTError) in try config.string(forKey: "baseURL").map(StytchProject.normalizedBaseURL) }
        let leeway = try Self.seconds(config, "leeway") ?? 0
        let maximumTokenAge = try Self.seconds(config, "maxTokenAge")
        let jwksURL = try Self.checked("jwksURL") { () throws(StytchJWTError) in
            if let url = config.string(forKey: "jwksURL") { return try StytchProject.checkedFetchURL(url) }
            return try StytchJWKSFetcher.jwksURL(projectID: projectIDChecked, baseURL: baseURL)
        }
        let secret = config.string(forKey: "secret", isSecret: true)
        if let secret, secret.isEmpty { throw StytchJWTError(.invalidConfiguration, "secret (STYTCH_SECRET) is empty") }
        self.verifier = StytchJWTVerifier.Configuration(projectID: projectIDChecked, baseURL: baseURL, leeway: leeway, maximumTokenAge: maximumTokenAge)
        self.jwksURL = jwksURL
        self.secret = secret
    }

    /// A `StytchJWKSCache` over ``jwksURL``, logging through `logger`. Keep it fresh with a
    /// `JWKSRefreshService` (swift-service-lifecycle) or, in Vapor, `app.stytch.refreshKeys()`.
    public func makeKeyCache(configuration: StytchJWKSCache.Configuration = .init(), logger: Logger? = nil) throws(StytchJWTError) -> StytchJWKSCache {
        StytchJWKSCache(fetcher: try StytchJWKSFetcher(url: jwksURL), configuration: configuration, label: verifier.projectID, logger: logger)
    }

    /// A verifier with these settings over `cache` (nil: a new ``makeKeyCache(configuration:logger:)``),
    /// logging through `logger`.
    public func makeVerifier(cache: StytchJWKSCache? = nil, logger: Logger? = nil) throws(StytchJWTError) -> StytchJWTVerifier {
        let cache = if let cache { cache } else { try makeKeyCache(logger: logger) }
        return try StytchJWTVerifier(configuration: verifier, cache: cache, logger: logger)
    }

    /// A client of Stytch's B2B API with these settings, or nil when no secret is configured.
    public func makeClient() throws(StytchJWTError) -> StytchB2BClient? {
        guard let secret else { return nil }
        return try StytchB2BClient(projectID: verifier.projectID, secret: secret, baseURL: verifier.baseURL)
    }

    /// Names the project and URLs; never the secret.
    public var description: String {
        "StytchConfiguration(projectID: \(verifier.projectID), baseURL: \(verifier.baseURL ?? "default"), jwksURL: \(jwksURL), "
            + "leeway: \(verifier.leeway), maxTokenAge: \(verifier.maximumTokenAge.map { "\($0)" } ?? "none"), secret: \(secret == nil ? "none" : "<redacted>"))"
    }

    /// A number of seconds (0 or more, finite) at `key`, nil when absent; a value that is no such
    /// number (an environment variable `abc`, a string in a JSON file) is `invalid_configuration`.
    private static func seconds(_ config: ConfigReader, _ key: String) throws(StytchJWTError) -> Double? {
        let value: Double
        if let number = config.double(forKey: ConfigKey(key)) {
            value = number
        } else if let integer = config.int(forKey: ConfigKey(key)) {
            value = Double(integer)
        } else if config.string(forKey: ConfigKey(key)) != nil {
            throw StytchJWTError(.invalidConfiguration, "\(key) is not a number of seconds")
        } else {
            return nil
        }
        guard value >= 0, value.isFinite else { throw StytchJWTError(.invalidConfiguration, "\(key) must be a finite number of seconds, 0 or more") }
        return value
    }

    /// Runs `body`, naming `key` in the `invalid_configuration` it throws.
    private static func checked<T>(_ key: String, _ body: () throws(StytchJWTError) -> T) throws(StytchJWTError) -> T {
        do throws(StytchJWTError) {
            return try body()
        } catch where error.code == .invalidConfiguration {
            throw StytchJWTError(.invalidConfiguration, "\(key): \(error.message)")
        }
    }
}

public import Foundation
public import Logging

/// Verifies Stytch B2B session JWTs, alone or inside an authenticate response.
///
/// ```swift
/// import StytchJWT
///
/// let verifier = try StytchJWTVerifier(projectID: "project-live-…", keys: JWKSet(contentsOfFile: "Keys/jwks.json"))
/// let session = try verifier.verify(sessionJWT: token)   // VerifiedSession, or throws StytchJWTError
/// ```
///
/// Verification order (the first failing step decides the error): size and structure → header →
/// key lookup → signature → registered claims → Stytch claims → (for a response) cross-check.
/// Nothing in the payload is believed before the signature has verified.
public struct StytchJWTVerifier: Sendable {
    /// How the verifier judges tokens.
    public struct Configuration: Sendable {
        /// The Stytch project ID; `aud` must contain it.
        public var projectID: String
        /// A custom API base URL (a custom domain such as `https://login.example.com`), if the
        /// project is reached through one. Its form is accepted as an issuer besides the defaults.
        public var baseURL: String?
        /// Tolerance for clock skew in every time rule, in seconds. Default 0.
        public var leeway: TimeInterval
        /// The oldest a token may be (`now - iat`), in seconds; nil for no limit. 0 refuses every token.
        public var maximumTokenAge: TimeInterval?
        /// The clock every time rule reads. Inject a fixed one for reproducible runs and tests.
        public var clock: @Sendable () -> Date

        /// A configuration with strict defaults: no leeway, no maximum age, the system clock.
        public init(
            projectID: String,
            baseURL: String? = nil,
            leeway: TimeInterval = 0,
            maximumTokenAge: TimeInterval? = nil,
            clock: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.projectID = projectID
            self.baseURL = baseURL
            self.leeway = leeway
            self.maximumTokenAge = maximumTokenAge
            self.clock = clock
        }
    }

    /// The configuration in force.
    public let configuration: Configuration
    /// The issuers accepted, by exact string equality.
    public let acceptedIssuers: Set<String>
    /// The keys tokens are verified with.
    public let keys: JWKSet
    private let logger: Logger?

    /// Creates a verifier for one project with pinned keys.
    ///
    /// Accepted issuers: `stytch.com/{projectID}`, the default API base URL for the project's
    /// environment (`https://test.stytch.com` for `project-test-…`, `https://api.stytch.com` for
    /// `project-live-…`), and `baseURL` when set (trailing `/` removed).
    ///
    /// - Throws: ``StytchJWTError`` with code `malformed` for an empty project ID, a negative
    ///   leeway or maximum age, or a base URL that is not `https://host[:port]`.
    public init(configuration: Configuration, keys: JWKSet, logger: Logger? = nil) throws(StytchJWTError) {
        guard !configuration.projectID.isEmpty else { throw StytchJWTError(.malformed, "project ID is empty") }
        guard configuration.leeway >= 0, configuration.leeway.isFinite else {
            throw StytchJWTError(.malformed, "leeway must be a finite number of seconds, 0 or more")
        }
        if let age = configuration.maximumTokenAge, !(age >= 0 && age.isFinite) {
            throw StytchJWTError(.malformed, "maximum token age must be a finite number of seconds, 0 or more")
        }
        var issuers: Set<String> = ["stytch.com/\(configuration.projectID)"]
        if let defaultBase = Self.defaultBaseURL(forProjectID: configuration.projectID) {
            issuers.insert(defaultBase)
        }
        if let baseURL = configuration.baseURL {
            issuers.insert(try Self.normalizedBaseURL(baseURL))
        }
        self.configuration = configuration
        self.acceptedIssuers = issuers
        self.keys = keys
        self.logger = logger
    }

    /// Creates a verifier for `projectID` with pinned keys and otherwise default settings.
    public init(projectID: String, keys: JWKSet, logger: Logger? = nil) throws(StytchJWTError) {
        try self.init(configuration: Configuration(projectID: projectID), keys: keys, logger: logger)
    }

    /// Stytch's API base URL for a project ID: `https://test.stytch.com` for `project-test-…`,
    /// `https://api.stytch.com` for `project-live-…`, nil otherwise.
    public static func defaultBaseURL(forProjectID projectID: String) -> String? {
        if projectID.hasPrefix("project-test-") { return "https://test.stytch.com" }
        if projectID.hasPrefix("project-live-") { return "https://api.stytch.com" }
        return nil
    }

    /// `url` without a trailing `/`, after checking it is `https://host[:port]` with no path,
    /// query, fragment or credentials.
    public static func normalizedBaseURL(_ url: String) throws(StytchJWTError) -> String {
        var trimmed = url
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed), components.scheme == "https",
              let host = components.host, !host.isEmpty,
              components.path.isEmpty, components.query == nil, components.fragment == nil,
              components.user == nil, components.password == nil
        else {
            throw StytchJWTError(.malformed, "base URL must be https://host[:port] with no path")
        }
        return trimmed
    }

    // MARK: - Verifying a session JWT

    /// Verifies a `session_jwt` and returns the verified session.
    ///
    /// - Throws: ``StytchJWTError``; its ``StytchJWTError/code`` says why.
    public func verify(sessionJWT token: String) throws(StytchJWTError) -> VerifiedSession {
        do {
            return try verifyToken(token, now: configuration.clock().timeIntervalSince1970)
        } catch {
            logger?.debug("session JWT rejected", metadata: ["stytch.error_code": "\(error.code)"])
            throw error
        }
    }

    func verifyToken(_ token: String, now: Double) throws(StytchJWTError) -> VerifiedSession {
        // 1. Size and structure.
        let jws = try CompactJWS(token)
        let payload = try jws.payloadObject()
        // 2. Header.
        let kid = try jws.checkHeader()
        // 3. Key lookup.
        guard !keys.isEmpty else { throw StytchJWTError(.keysUnavailable, "no usable verification key is configured") }
        guard let key = keys.key(for: kid) else { throw StytchJWTError(.unknownKey, "no key matches header.kid") }
        // 4. Signature.
        try jws.checkSignature(with: key)
        // 5. Registered claims, 6. Stytch claims.
        return try checkClaims(payload, kid: kid, now: now)
    }

    private static let reservedClaims: Set<String> = [
        "iss", "sub", "aud", "exp", "nbf", "iat", "jti", SessionClaim.name, OrganizationClaim.name,
    ]

    private func checkClaims(_ payload: [String: JSONValue], kid: String, now: Double) throws(StytchJWTError) -> VerifiedSession {
        let reader = ClaimReader(payload, path: "")
        let leeway = configuration.leeway

        let issuer = try reader.requiredString("iss")
        guard acceptedIssuers.contains(issuer) else { throw StytchJWTError(.issuerMismatch, "iss is not an accepted issuer") }

        let audience: [String]
        switch payload["aud"] {
        case nil: throw StytchJWTError(.missingClaim, "aud is missing")
        case .string(let value)?: audience = [value]
        case .array(let values)?:
            audience = try values.map { (value) throws(StytchJWTError) -> String in
                guard case .string(let string) = value else { throw StytchJWTError(.malformed, "aud holds a non-string") }
                return string
            }
        case .some: throw StytchJWTError(.malformed, "aud is neither a string nor an array of strings")
        }
        guard audience.contains(configuration.projectID) else {
            throw StytchJWTError(.audienceMismatch, "aud does not contain the project ID")
        }

        let subject = try reader.requiredString("sub")
        let expiresAt = try reader.requiredNumericDate("exp")
        let issuedAt = try reader.requiredNumericDate("iat")
        let notBefore = try reader.requiredNumericDate("nbf")

        if now >= expiresAt + leeway { throw StytchJWTError(.expired, "exp has passed") }
        if now + leeway < notBefore { throw StytchJWTError(.notYetValid, "nbf is in the future") }
        if now + leeway < issuedAt { throw StytchJWTError(.notYetValid, "iat is in the future") }
        // The age is never negative (a token issued "in the future" within the leeway is 0 s old),
        // so a maximum age of 0 refuses every token, as documented.
        if let maximumAge = configuration.maximumTokenAge, max(0, now - issuedAt) >= maximumAge {
            throw StytchJWTError(.tokenTooOld, "iat is older than the maximum token age")
        }

        guard let sessionJSON = payload[SessionClaim.name] else {
            throw StytchJWTError(.missingClaim, "\(SessionClaim.name) is missing")
        }
        let session = try SessionClaim(json: sessionJSON)
        if now >= session.expiresAt.timeIntervalSince1970 + leeway {
            throw StytchJWTError(.expired, "\(SessionClaim.name).expires_at has passed")
        }
        guard let organizationJSON = payload[OrganizationClaim.name] else {
            throw StytchJWTError(.missingClaim, "\(OrganizationClaim.name) is missing")
        }
        let organization = try OrganizationClaim(json: organizationJSON)

        var custom = payload
        for name in Self.reservedClaims { custom[name] = nil }

        return VerifiedSession(
            memberID: subject,
            organizationID: organization.organizationID,
            organizationSlug: organization.slug,
            memberSessionID: session.id,
            startedAt: session.startedAt,
            lastAccessedAt: session.lastAccessedAt,
            expiresAt: session.expiresAt,
            roles: session.roles,
            authenticationFactors: session.authenticationFactors,
            customClaims: custom,
            jwt: JWTMetadata(
                keyID: kid, issuer: issuer, audience: audience,
                issuedAt: issuedAt, notBefore: notBefore, expiresAt: expiresAt,
                id: payload["jti"]?.stringValue
            )
        )
    }
}

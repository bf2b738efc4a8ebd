public import Foundation
public import Logging
import Metrics

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
        /// Bounds of the verified-token cache (on by default); nil turns it off. A token seen again
        /// then costs no RSA operation, while every time rule is still evaluated at each use and a
        /// key removed from the key set invalidates what it verified. See ``VerifiedTokenCache``.
        public var tokenCache: VerifiedTokenCache.Limits?

        /// A configuration with strict defaults: no leeway, no maximum age, the system clock.
        public init(
            projectID: String,
            baseURL: String? = nil,
            leeway: TimeInterval = 0,
            maximumTokenAge: TimeInterval? = nil,
            clock: @escaping @Sendable () -> Date = { Date() },
            tokenCache: VerifiedTokenCache.Limits? = VerifiedTokenCache.Limits()
        ) {
            self.projectID = projectID
            self.baseURL = baseURL
            self.leeway = leeway
            self.maximumTokenAge = maximumTokenAge
            self.clock = clock
            self.tokenCache = tokenCache
        }
    }

    /// Where verification keys come from.
    public enum KeySource: Sendable {
        /// A fixed key set: pinned keys, no network.
        case pinned(JWKSet)
        /// A key provider: a `StytchJWKSCache` (StytchJWKS: pinned and/or remote keys, refreshed and
        /// rotated; `.cache(cache)` spells it there) or your own.
        case provider(any StytchKeyProvider)
    }

    /// The configuration in force.
    public let configuration: Configuration
    /// The issuers accepted, by exact string equality.
    public let acceptedIssuers: Set<String>
    /// ``acceptedIssuers`` as a list and `[projectID]`: what every token should carry, for the
    /// per-token issuer check and for the payload scanner to share.
    let expectedStrings: JWTScanner.ExpectedStrings
    /// Where keys come from.
    public let keySource: KeySource
    /// ``keySource``'s key set or provider, held apart so that a verification reads them in place
    /// (taking a key set out of the enum would copy it: a reference count per member).
    private let pinnedKeys: JWKSet?, keyCache: (any StytchKeyProvider)?
    /// The verified-token cache, when on.
    public let tokenCache: VerifiedTokenCache?
    private let logger: Logger?
    private let metrics: VerificationMetrics

    /// Creates a verifier for one project with pinned keys.
    ///
    /// Accepted issuers: `stytch.com/{projectID}`, the default API base URL for the project's
    /// environment (`https://test.stytch.com` for `project-test-…`, `https://api.stytch.com` for
    /// `project-live-…`), and `baseURL` when set (trailing `/` removed).
    ///
    /// - Throws: ``StytchJWTError`` with code `invalid_configuration` for an empty project ID, a negative
    ///   leeway or maximum age, or a base URL that is not `https://host[:port]` (or `http` to a
    ///   loopback host).
    public init(configuration: Configuration, keys: JWKSet, logger: Logger? = nil) throws(StytchJWTError) {
        try self.init(configuration: configuration, keySource: .pinned(keys), logger: logger)
    }

    /// Creates a verifier with keys from `keySource`.
    public init(configuration: Configuration, keySource: KeySource, logger: Logger? = nil) throws(StytchJWTError) {
        guard !configuration.projectID.isEmpty else { throw StytchJWTError(.invalidConfiguration, "project ID is empty") }
        guard configuration.leeway >= 0, configuration.leeway.isFinite else {
            throw StytchJWTError(.invalidConfiguration, "leeway must be a finite number of seconds, 0 or more")
        }
        if let age = configuration.maximumTokenAge, !(age >= 0 && age.isFinite) {
            throw StytchJWTError(.invalidConfiguration, "maximum token age must be a finite number of seconds, 0 or more")
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
        let pinnedKIDs: [String]
        if case .pinned(let keys) = keySource { pinnedKIDs = keys.kids } else { pinnedKIDs = [] }
        self.expectedStrings = JWTScanner.ExpectedStrings(issuers: issuers, projectID: configuration.projectID, kids: pinnedKIDs)
        self.keySource = keySource
        switch keySource {
        case .pinned(let keys): (pinnedKeys, keyCache) = (keys, nil)
        case .provider(let provider): (pinnedKeys, keyCache) = (nil, provider)
        }
        self.tokenCache = configuration.tokenCache.map { VerifiedTokenCache(limits: $0) }
        self.logger = logger
        self.metrics = VerificationMetrics()
    }

    /// Creates a verifier for `projectID` with pinned keys and otherwise default settings.
    public init(projectID: String, keys: JWKSet, logger: Logger? = nil) throws(StytchJWTError) {
        try self.init(configuration: Configuration(projectID: projectID), keys: keys, logger: logger)
    }

    /// Stytch's API base URL for a project ID: `https://test.stytch.com` for `project-test-…`,
    /// `https://api.stytch.com` for `project-live-…`, nil otherwise.
    public static func defaultBaseURL(forProjectID projectID: String) -> String? {
        StytchProject.defaultBaseURL(forProjectID: projectID)
    }

    /// `url` without a trailing `/`, after checking it is `https://host[:port]` with no path,
    /// query, fragment or credentials (plain `http` only to a loopback host, for tests and local
    /// development). The same rule as the JWKS fetcher's.
    public static func normalizedBaseURL(_ url: String) throws(StytchJWTError) -> String {
        try StytchProject.normalizedBaseURL(url)
    }

    // MARK: - Verifying a session JWT

    /// Verifies a `session_jwt` with the keys held now, without waiting on anything.
    ///
    /// With pinned keys this is all there is. With a `StytchJWKSCache` it uses the keys the cache holds
    /// and never fetches: an unknown `kid` is `unknown_key` at once. Use the `async` overload to let
    /// the cache fetch on start-up and rotation.
    ///
    /// - Throws: ``StytchJWTError``; its ``StytchJWTError/code`` says why.
    public func verify(sessionJWT token: String) throws(StytchJWTError) -> VerifiedSession {
        let now = configuration.clock().timeIntervalSince1970
        let started = metrics.start()
        var failure: StytchJWTError.Code?
        defer { metrics.recordDuration(since: started, failure: failure) }
        do throws(StytchJWTError) {
            if let cached = try cachedSession(token, now: now) {
                metrics.verified.increment()
                return cached
            }
            // Steps 1 and 2. A header and payload in their usual forms (what Stytch issues) are
            // read by the scanner, which builds the session; anything else by the general path.
            // Each step below runs in the same order on both.
            let jws = try CompactJWS(token, expected: expectedStrings)
            if let kid = jws.scannedKID, let session = JWTScanner.scanPayload(jws.payloadBytes, kid: kid, expected: expectedStrings) {
                try finish(scanned: session, of: jws, token: token, key: heldKey(for: kid), now: now)
                return session
            }
            let members = try jws.payloadMembers()
            let kid = try jws.checkHeader()
            return try finish(members: members, of: jws, kid: kid, token: token, key: heldKey(for: kid), now: now)
        } catch {
            failure = error.code
            throw record(error)
        }
    }

    /// Verifies a `session_jwt`, letting a `StytchJWKSCache` fetch keys when that can help (start-up,
    /// an unknown `kid` once per cooldown). With pinned keys it is the synchronous check.
    ///
    /// - Throws: ``StytchJWTError``; its ``StytchJWTError/code`` says why.
    public func verify(sessionJWT token: String) async throws(StytchJWTError) -> VerifiedSession {
        let now = configuration.clock().timeIntervalSince1970
        let started = metrics.start()
        var failure: StytchJWTError.Code?
        defer { metrics.recordDuration(since: started, failure: failure) }
        do throws(StytchJWTError) {
            if let cached = try cachedSession(token, now: now) {
                metrics.verified.increment()
                return cached
            }
            // The steps of the synchronous `verify(sessionJWT:)`, with a key lookup that may wait.
            let jws = try CompactJWS(token, expected: expectedStrings)
            if let kid = jws.scannedKID, let session = JWTScanner.scanPayload(jws.payloadBytes, kid: kid, expected: expectedStrings) {
                try finish(scanned: session, of: jws, token: token, key: await key(for: kid), now: now)
                return session
            }
            let members = try jws.payloadMembers()
            let kid = try jws.checkHeader()
            return try finish(members: members, of: jws, kid: kid, token: token, key: await key(for: kid), now: now)
        } catch {
            failure = error.code
            throw record(error)
        }
    }

    /// The session from the verified-token cache, when `token` verified before with a key that is
    /// still held for its `kid`; every time rule is evaluated again, now.
    private func cachedSession(_ token: String, now: Double) throws(StytchJWTError) -> VerifiedSession? {
        guard let tokenCache, let (session, key) = tokenCache.lookup(token) else { return nil }
        let held = if let keyCache { keyCache.heldKey(for: session.jwt.keyID) } else { pinnedKeys?.key(for: session.jwt.keyID) }
        guard held == key else {
            // The key that verified it is gone or replaced: verify afresh (and fail if it must).
            tokenCache.remove(token)
            return nil
        }
        do {
            try checkTimes(exp: session.jwt.expiresAt, iat: session.jwt.issuedAt, nbf: session.jwt.notBefore, now: now)
            try checkSessionExpiry(session.expiresAt, now: now)
        } catch {
            if error.code != .notYetValid { tokenCache.remove(token) }  // only "not yet" can heal
            throw error
        }
        return session
    }

    /// Steps 4 to 6 for the session the payload scanner built: the signature, the rules against
    /// configuration and the clock; then the session is remembered (when the token cache is on)
    /// and counted. The session is only borrowed, so the caller returns the one it has, uncopied.
    /// (Inlined: as a call it cost 160 instructions a verification, about 1% of our own work.)
    @inline(__always)
    private func finish(scanned session: VerifiedSession, of jws: CompactJWS, token: String, key: RSAPublicKey, now: Double) throws(StytchJWTError) {
        try jws.checkSignature(with: key)
        try checkScannedClaims(session, now: now)
        accept(token, session, key: key)
    }

    /// Steps 4 to 6 on the general path: the signature, then the claim readers over the members.
    private func finish(
        members: [JSONMember], of jws: CompactJWS, kid: String, token: String, key: RSAPublicKey, now: Double
    ) throws(StytchJWTError) -> VerifiedSession {
        try jws.checkSignature(with: key)
        let session = try checkClaims(members, kid: kid, now: now)
        accept(token, session, key: key)
        return session
    }

    /// A verified session: remembered (when the token cache is on) and counted.
    private func accept(_ token: String, _ session: VerifiedSession, key: RSAPublicKey) {
        tokenCache?.insert(token, session: session, key: key)
        metrics.verified.increment()
    }

    /// Step 3, letting a key provider (a `StytchJWKSCache`) fetch when that can help.
    func key(for kid: String) async throws(StytchJWTError) -> RSAPublicKey {
        guard let keyCache else { return try heldKey(for: kid) }
        return try await keyCache.key(for: kid)
    }

    /// Step 3 with the keys held now (never fetching): the pinned key set's, or the cache's.
    func heldKey(for kid: String) throws(StytchJWTError) -> RSAPublicKey {
        if let keyCache {
            guard let held = keyCache.heldKey(for: kid) else { throw keyCache.missingKeyError() }
            return held
        }
        guard pinnedKeys?.isEmpty == false else { throw StytchJWTError(.keysUnavailable, "no usable verification key is configured") }
        guard let key = pinnedKeys?.key(for: kid) else { throw StytchJWTError(.unknownKey, "no key matches header.kid") }
        return key
    }

    func record(_ error: StytchJWTError) -> StytchJWTError {
        metrics.rejected[error.code]?.increment()
        logger?.debug("session JWT rejected", metadata: ["stytch.error_code": "\(error.code)"])
        return error
    }

    /// The JWT's time rules, in order: `exp`, `nbf`, `iat`, then the maximum token age.
    func checkTimes(exp: Double, iat: Double, nbf: Double, now: Double) throws(StytchJWTError) {
        let leeway = configuration.leeway
        if now >= exp + leeway { throw StytchJWTError(.expired, "exp has passed") }
        if now + leeway < nbf { throw StytchJWTError(.notYetValid, "nbf is in the future") }
        if now + leeway < iat { throw StytchJWTError(.notYetValid, "iat is in the future") }
        // The age is never negative (a token issued "in the future" within the leeway is 0 s old),
        // so a maximum age of 0 refuses every token, as documented.
        if let maximumAge = configuration.maximumTokenAge, max(0, now - iat) >= maximumAge {
            throw StytchJWTError(.tokenTooOld, "iat is older than the maximum token age")
        }
    }

    /// The session's own expiry: a session past `expires_at` is expired even while its JWT is not.
    private func checkSessionExpiry(_ expiresAt: RFC3339Timestamp, now: Double) throws(StytchJWTError) {
        if now >= expiresAt.timeIntervalSince1970 + configuration.leeway {
            throw StytchJWTError(.expired, "\(SessionClaim.name).expires_at has passed")
        }
    }

    /// The payload members the claim rules read, picked out in one pass; every other member is a
    /// custom claim.
    package struct RegisteredMembers {
        var iss: JSONValue?, sub: JSONValue?, aud: JSONValue?, exp: JSONValue?, nbf: JSONValue?
        var iat: JSONValue?, jti: JSONValue?, session: JSONValue?, organization: JSONValue?
        var custom = CustomClaims()

        /// The reserved names are `iss sub aud exp nbf iat jti` and the two `https://stytch.com/…`
        /// claims: ASCII, of length 3, 26 or 31, so an ASCII name of another length is custom at once.
        init(_ payload: [JSONMember]) {
            for member in payload {
                if member.isASCII {
                    let length = member.name.utf8.count
                    if length != 3, length != 26, length != 31 {
                        _ = custom.insert(member.name, member.value)  // names are unique in `payload`
                        continue
                    }
                }
                switch member.name {
                case "iss": iss = member.value
                case "sub": sub = member.value
                case "aud": aud = member.value
                case "exp": exp = member.value
                case "nbf": nbf = member.value
                case "iat": iat = member.value
                case "jti": jti = member.value
                case SessionClaim.name: session = member.value
                case OrganizationClaim.name: organization = member.value
                default: _ = custom.insert(member.name, member.value)
                }
            }
        }
    }

    /// The registered claims every kind of Stytch JWT carries, checked (step 5): `iss`, `aud`,
    /// `sub`, `exp`, `iat`, `nbf` and, with `timeRules`, the time rules.
    package struct RegisteredClaims {
        let issuer: String, audience: [String], subject: String
        let expiresAt: Double, issuedAt: Double, notBefore: Double, id: String?

        func metadata(kid: String) -> JWTMetadata {
            JWTMetadata(keyID: kid, issuer: issuer, audience: audience, issuedAt: issuedAt, notBefore: notBefore, expiresAt: expiresAt, id: id)
        }
    }

    /// Step 5 over the payload members: the registered claims, each rule in the order of SPEC §4.
    package func checkRegistered(_ members: RegisteredMembers, now: Double, timeRules: Bool = true) throws(StytchJWTError) -> RegisteredClaims {
        let reader = ClaimReader([:], path: "")
        let issuer = try reader.requiredString("iss", members.iss)
        try checkIssuer(issuer)

        let audience: [String]
        switch members.aud {
        case nil: throw StytchJWTError(.missingClaim, "aud is missing")
        case .string(let value)?: audience = [value]
        case .array(let values)?:
            audience = try values.map { (value) throws(StytchJWTError) -> String in
                guard case .string(let string) = value else { throw StytchJWTError(.malformed, "aud holds a non-string") }
                return string
            }
        case .some: throw StytchJWTError(.malformed, "aud is neither a string nor an array of strings")
        }
        try checkAudience(audience)

        let subject = try reader.requiredString("sub", members.sub)
        let expiresAt = try reader.requiredNumericDate("exp", members.exp)
        let issuedAt = try reader.requiredNumericDate("iat", members.iat)
        let notBefore = try reader.requiredNumericDate("nbf", members.nbf)
        if timeRules { try checkTimes(exp: expiresAt, iat: issuedAt, nbf: notBefore, now: now) }
        return RegisteredClaims(
            issuer: issuer, audience: audience, subject: subject, expiresAt: expiresAt, issuedAt: issuedAt,
            notBefore: notBefore, id: members.jti?.stringValue
        )
    }

    /// Steps 5 and 6 over the payload members; with `timeRules` false the JWT's and the session's
    /// time rules are skipped (every other claim rule still applies).
    package func checkClaims(_ payload: [JSONMember], kid: String, now: Double, timeRules: Bool = true) throws(StytchJWTError) -> VerifiedSession {
        let members = RegisteredMembers(payload)
        let registered = try checkRegistered(members, now: now, timeRules: timeRules)
        guard let sessionJSON = members.session else {
            if let kind = members.accessTokenKind { throw StytchJWTError.wrongKind(kind, expected: .session) }
            throw StytchJWTError(.missingClaim, "\(SessionClaim.name) is missing")
        }
        let session = try SessionClaim(json: sessionJSON)
        if timeRules { try checkSessionExpiry(session.expiresAt, now: now) }
        guard let organizationJSON = members.organization else {
            throw StytchJWTError(.missingClaim, "\(OrganizationClaim.name) is missing")
        }
        let organization = try OrganizationClaim(json: organizationJSON)

        return VerifiedSession(PayloadClaims(
            issuer: registered.issuer, audience: registered.audience, subject: registered.subject,
            expiresAt: registered.expiresAt, issuedAt: registered.issuedAt, notBefore: registered.notBefore, id: registered.id,
            session: session, organization: organization, custom: members.custom
        ), kid: kid)
    }

    /// Steps 5 and 6 for the session the payload scanner built: each claim is present and
    /// well-formed, so what remains are the rules against configuration and the clock, in the
    /// order the general path above applies them.
    func checkScannedClaims(_ session: VerifiedSession, now: Double) throws(StytchJWTError) {
        try checkIssuer(session.jwt.issuer)
        try checkAudience(session.jwt.audience)
        try checkTimes(exp: session.jwt.expiresAt, iat: session.jwt.issuedAt, nbf: session.jwt.notBefore, now: now)
        try checkSessionExpiry(session.expiresAt, now: now)
    }

    func checkIssuer(_ issuer: String) throws(StytchJWTError) {
        // At most three issuers: comparing is cheaper than hashing a 60-byte string.
        guard expectedStrings.issuers.containsUTF8(issuer) else { throw StytchJWTError(.issuerMismatch, "iss is not an accepted issuer") }
    }

    func checkAudience(_ audience: [String]) throws(StytchJWTError) {
        guard audience.containsUTF8(configuration.projectID) else {
            throw StytchJWTError(.audienceMismatch, "aud does not contain the project ID")
        }
    }
}

/// Verification counters, `stytch_jwt_verifications_total{result="verified"|<error code>}`, and
/// the duration of each session JWT verification, `stytch_jwt_verification_duration_seconds{outcome="ok"|<error code>}`.
///
/// Built when the verifier is (after the application has bootstrapped its metrics backend, as
/// swift-metrics expects), so a verification increments a counter and creates nothing.
final class VerificationMetrics: Sendable {
    let verified: Counter
    let rejected: [StytchJWTError.Code: Counter]
    let succeededIn: Metrics.Timer
    let failedIn: [StytchJWTError.Code: Metrics.Timer]

    init() {
        verified = Counter(label: "stytch_jwt_verifications_total", dimensions: [("result", "verified")])
        succeededIn = Metrics.Timer(label: "stytch_jwt_verification_duration_seconds", dimensions: [("outcome", "ok")])
        var rejected: [StytchJWTError.Code: Counter] = [:]
        var failedIn: [StytchJWTError.Code: Metrics.Timer] = [:]
        for code in StytchJWTError.Code.allCases {
            rejected[code] = Counter(label: "stytch_jwt_verifications_total", dimensions: [("result", code.description)])
            failedIn[code] = Metrics.Timer(label: "stytch_jwt_verification_duration_seconds", dimensions: [("outcome", code.description)])
        }
        self.rejected = rejected
        self.failedIn = failedIn
        self.timed = !(MetricsSystem.factory is NOOPMetricsHandler)
    }

    /// Whether a metrics backend receives the timings: with none bootstrapped (swift-metrics'
    /// no-op handler) the clock is not read at all, so an application without metrics, and the
    /// benchmarks, pay nothing for them on the token-cache hit path.
    let timed: Bool

    /// The start of a verification (`DispatchTime` nanoseconds), or 0 when nothing is timed.
    @inline(__always)
    func start() -> UInt64 { timed ? DispatchTime.now().uptimeNanoseconds : 0 }

    /// Records the time since `started` under the outcome: `failure`'s code, or ok.
    @inline(__always)
    func recordDuration(since started: UInt64, failure: StytchJWTError.Code?) {
        guard timed else { return }
        let elapsed = Int64(truncatingIfNeeded: DispatchTime.now().uptimeNanoseconds &- started)
        if let failure { failedIn[failure]?.recordNanoseconds(elapsed) } else { succeededIn.recordNanoseconds(elapsed) }
    }
}

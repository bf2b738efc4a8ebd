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
    /// ``acceptedIssuers`` as a list, `[projectID]` and the pinned `kid`s: what every token
    /// should carry, for the issuer check and for the reader to share instead of copying.
    let sharedStrings: SharedStrings
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
        self.sharedStrings = SharedStrings(issuers: issuers, projectID: configuration.projectID, kids: pinnedKIDs)
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
            if let cached = try cachedSession(token, now: now) { return cached }
            var (jws, payload, kid) = try read(token)
            return try session(jws, &payload, kid: kid, key: heldKey(for: kid), token: token, now: now)
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
            if let cached = try cachedSession(token, now: now) { return cached }
            var (jws, payload, kid) = try read(token)
            return try session(jws, &payload, kid: kid, key: await key(for: kid), token: token, now: now)
        } catch {
            failure = error.code
            throw record(error)
        }
    }

    /// The session of `token` when the verified-token cache holds it and it passes every time rule
    /// now, without waiting on anything (the HTTP pipeline's fast path, which spares a framework
    /// a hop to another thread); nil otherwise, counting no miss and no failure: the `verify` that
    /// follows counts and decides.
    package func cachedVerification(_ token: String) -> VerifiedSession? {
        guard tokenCache != nil else { return nil }
        let now = configuration.clock().timeIntervalSince1970
        let started = metrics.start()
        guard let session = try? cachedSession(token, now: now, countingMiss: false) else { return nil }
        metrics.recordDuration(since: started, failure: nil)
        return session
    }

    /// Steps 1 and 2: size and structure (strict base64url, strict JSON), then the header rules.
    func read(_ token: String) throws(StytchJWTError) -> (jws: CompactJWS, payload: PayloadFields, kid: String) {
        let (jws, header, payload) = try ReadToken.parts(token, sharing: sharedStrings)
        return (jws, payload, try TokenRules.kid(of: header))
    }

    /// Steps 4 to 6 with the key of step 3: the signature, the claims; then the session is
    /// remembered (when the token cache is on) and counted.
    private func session(
        _ jws: CompactJWS, _ payload: inout PayloadFields, kid: String, key: RSAPublicKey, token: String, now: Double
    ) throws(StytchJWTError) -> VerifiedSession {
        try jws.checkSignature(with: key)
        var session = try session(&payload, kid: kid, now: now)
        if let tokenCache { session = tokenCache.insert(token, session: session, key: key) }
        metrics.verified.increment()
        return session
    }

    /// The session from the verified-token cache, when `token` verified before with a key that is
    /// still held for its `kid`; every time rule is evaluated again, now.
    private func cachedSession(_ token: String, now: Double, countingMiss: Bool = true) throws(StytchJWTError) -> VerifiedSession? {
        guard let tokenCache, let (session, key) = tokenCache.lookup(token, countingMiss: countingMiss) else { return nil }
        let jwt = session.jwt
        let held = if let keyCache { keyCache.heldKey(for: jwt.keyID) } else { pinnedKeys?.key(for: jwt.keyID) }
        guard held == key else {
            // The key that verified it is gone or replaced: verify afresh (and fail if it must).
            tokenCache.remove(token)
            return nil
        }
        do {
            try checkTimes(exp: jwt.expiresAt, iat: jwt.issuedAt, nbf: jwt.notBefore, now: now)
            try checkSessionExpiry(session.expiresAt, now: now)
        } catch {
            if error.code != .notYetValid { tokenCache.remove(token) }  // only "not yet" can heal
            throw error
        }
        metrics.verified.increment()
        return session
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
            throw StytchJWTError(.expired, "\(TokenRules.sessionClaim).expires_at has passed")
        }
    }

    /// Step 5: the registered claims every kind of Stytch JWT carries, each rule in the order of
    /// SPEC §4: `iss` (an accepted issuer), `aud` (holding the project ID), `sub`, `exp`, `iat`,
    /// `nbf`, then, with `timeRules`, the time rules.
    func registered(_ payload: inout PayloadFields, kid: String, now: Double, timeRules: Bool = true) throws(StytchJWTError) -> (subject: String, metadata: JWTMetadata) {
        // Each field is moved out as its rule reads it (`take()`): no reference count per string.
        let issuer = try TokenRules.requiredString(payload.iss.take(), "iss")
        try checkIssuer(issuer)
        let audience = try TokenRules.audience(payload.aud.take())
        try checkAudience(audience)
        let subject = try TokenRules.requiredString(payload.sub.take(), "sub")
        let expiresAt = try TokenRules.numericDate(payload.exp.take(), "exp")
        let issuedAt = try TokenRules.numericDate(payload.iat.take(), "iat")
        let notBefore = try TokenRules.numericDate(payload.nbf.take(), "nbf")
        if timeRules { try checkTimes(exp: expiresAt, iat: issuedAt, nbf: notBefore, now: now) }
        let id: String? = if case .read(let id) = payload.jti.take() { id } else { nil }
        return (subject, JWTMetadata(
            keyID: kid, issuer: issuer, audience: audience, issuedAt: issuedAt, notBefore: notBefore, expiresAt: expiresAt, id: id
        ))
    }

    /// Steps 5 and 6 for a session JWT: the registered claims, the session claim (a token of
    /// another kind is `wrong_token_kind`), the session's own expiry, the organization claim.
    /// With `timeRules` false the JWT's and the session's time rules are skipped. The fields move
    /// out of `payload` into the result.
    func session(_ payload: inout PayloadFields, kid: String, now: Double, timeRules: Bool = true) throws(StytchJWTError) -> VerifiedSession {
        let kind = TokenRules.kind(of: payload)
        // Tuples taken apart, so that every value moves into the result (a struct's properties read
        // one by one would each be copied: a reference count per string).
        let (subject, metadata) = try registered(&payload, kid: kid, now: now, timeRules: timeRules)
        var sessionFields: SessionFields
        switch payload.session.take() {
        case .read(let fields): sessionFields = fields
        case .other: throw StytchJWTError(.malformed, "\(TokenRules.sessionClaim) is not an object")
        case .absent:
            if let kind { throw StytchJWTError.wrongKind(kind, expected: .session) }
            throw StytchJWTError(.missingClaim, "\(TokenRules.sessionClaim) is missing")
        }
        let (id, startedAt, lastAccessedAt, expiresAt, factors, roles) = try TokenRules.session(&sessionFields)
        if timeRules { try checkSessionExpiry(expiresAt, now: now) }
        let (organizationID, slug) = try TokenRules.organization(payload.organization.take())
        return VerifiedSession(
            memberID: subject, organizationID: organizationID, organizationSlug: slug,
            memberSessionID: id, startedAt: startedAt, lastAccessedAt: lastAccessedAt,
            expiresAt: expiresAt, roles: roles, authenticationFactors: factors,
            custom: payload.takeCustom(), jwt: metadata
        )
    }

    func checkIssuer(_ issuer: String) throws(StytchJWTError) {
        // At most three issuers: comparing is cheaper than hashing a 60-byte string.
        guard sharedStrings.issuers.containsUTF8(issuer) else { throw StytchJWTError(.issuerMismatch, "iss is not an accepted issuer") }
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

public import StytchJWTCore
public import Logging
import Metrics

/// Where RBAC policies come from: Stytch's API (``StytchB2BClient``) or, in tests and offline
/// deployments, anything else that produces the same documents.
public protocol RBACPolicySource: Sendable {
    /// The project's policy.
    func rbacPolicy() async throws(StytchJWTError) -> RBACPolicy
    /// The roles `organizationID` adds to the project's policy.
    func organizationPolicy(organizationID: String) async throws(StytchJWTError) -> OrganizationRBACPolicy
}

extension StytchB2BClient: RBACPolicySource {}

/// Stytch's RBAC policies kept ready for local authorization checks: the project's policy and
/// each organization's extra roles.
///
/// - Each policy is kept for ``Configuration/ttl`` (default 10 minutes), then fetched again on the
///   next check; concurrent checks share one request per policy.
/// - When a fetch fails the last good policy keeps answering (for at most
///   ``Configuration/maximumStaleness`` past its TTL) and the fetch is retried no sooner than
///   ``Configuration/retryInterval`` later; with no good policy the check fails with
///   `stytch_api_error`, so nothing is ever allowed without a policy.
/// - An organization policy Stytch answers with 404 (the organization has none, or the
///   private-beta feature is off) counts as "no extra roles", which can only allow less.
/// - At most ``Configuration/maximumOrganizations`` organization policies are held (the least
///   recently fetched go first).
public actor StytchRBACPolicyCache {
    /// Settings; each has a documented default.
    public struct Configuration: Sendable {
        /// How long a fetched policy is used before it is fetched again. Default 600 s.
        public var ttl: Double = 600
        /// After a failed fetch, the last good policy answers for this long before another try. Default 30 s.
        public var retryInterval: Double = 30
        /// How long past its TTL a policy may keep answering while fetches fail. Default 24 h.
        public var maximumStaleness: Double = 86_400
        /// Whether to fetch each organization's own roles (`GET /v1/b2b/rbac/organizations/{id}`).
        /// Turn off when the project uses no organization policies: saves one request per
        /// organization per TTL. Default on.
        public var organizationPolicies: Bool = true
        /// The most organization policies held at once. Default 10,000.
        public var maximumOrganizations: Int = 10_000

        /// The defaults.
        public init() {}
    }

    enum SlotKey: Hashable, Sendable {
        case project
        /// An organization, by its ID's bytes (never `String` equality).
        case organization([UInt8])
    }

    struct Slot {
        /// The policy (an organization's holds its extra roles only).
        var policy: RBACPolicy?
        var fetchedAt = -Double.infinity
        var lastFailure = -Double.infinity
        var lastError: StytchJWTError?
        var inFlight: Task<Result<RBACPolicy, StytchJWTError>, Never>?
    }

    /// The settings in use.
    public nonisolated let configuration: Configuration
    private nonisolated let source: any RBACPolicySource
    private nonisolated let clock: JWKSCacheClock
    private nonisolated let logger: Logger
    private var slots: [SlotKey: Slot] = [:]
    /// Requests made to the policy source so far (project and organization policies).
    public private(set) var fetchCount = 0

    /// A cache over `source`.
    public init(
        source: any RBACPolicySource,
        configuration: Configuration = Configuration(),
        clock: JWKSCacheClock = .continuous,
        logger: Logger? = nil
    ) {
        self.source = source
        self.configuration = configuration
        self.clock = clock
        self.logger = logger ?? Logger(label: "StytchJWT.RBAC")
    }

    /// Every role that applies in `organizationID`: the project's roles, then the organization's
    /// own, as stytch-python's `rbac_local` lists them (`project.roles + org.roles`). A role ID
    /// defined in both grants what either entry grants: an organization can add to a project
    /// role, never narrow it.
    public func roles(organizationID: String) async throws(StytchJWTError) -> [RBACRole] {
        let project = try await roles(.project)
        guard configuration.organizationPolicies else { return project }
        return project + (try await roles(.organization(Array(organizationID.utf8))))
    }

    /// The project's policy (its roles, resources and scopes), fetched when due.
    public func projectPolicy() async throws(StytchJWTError) -> RBACPolicy {
        try await policy(.project)
    }

    /// Fetches the project's policy now (for instance at start-up), whatever its age.
    public func prefetch() async throws(StytchJWTError) {
        slots[.project, default: Slot()].fetchedAt = -.infinity
        slots[.project, default: Slot()].lastFailure = -.infinity
        _ = try await roles(.project)
    }

    private func roles(_ key: SlotKey) async throws(StytchJWTError) -> [RBACRole] {
        try await policy(key).roles
    }

    private func policy(_ key: SlotKey) async throws(StytchJWTError) -> RBACPolicy {
        let now = clock.now()
        let slot = slots[key] ?? Slot()
        if let policy = slot.policy, now < slot.fetchedAt + configuration.ttl { return policy }
        if now < slot.lastFailure + configuration.retryInterval {
            if let policy = usable(slot, now: now) { return policy }
            if let error = slot.lastError { throw error }
        }
        let task = slot.inFlight ?? startFetch(key)
        switch await task.value {
        case .success(let policy):
            return policy
        case .failure(let error):
            if let slot = slots[key], let policy = usable(slot, now: clock.now()) {
                logger.debug("RBAC policy fetch failed; using the last good policy", metadata: ["stytch.error": "\(error.message)"])
                return policy
            }
            throw error
        }
    }

    private func usable(_ slot: Slot, now: Double) -> RBACPolicy? {
        guard let policy = slot.policy, now < slot.fetchedAt + configuration.ttl + configuration.maximumStaleness else { return nil }
        return policy
    }

    private func startFetch(_ key: SlotKey) -> Task<Result<RBACPolicy, StytchJWTError>, Never> {
        fetchCount += 1
        let source = self.source
        let task = Task { () -> Result<RBACPolicy, StytchJWTError> in
            let result: Result<RBACPolicy, StytchJWTError>
            do throws(StytchJWTError) {
                switch key {
                case .project:
                    result = .success(try await source.rbacPolicy())
                case .organization(let id):
                    do throws(StytchJWTError) {
                        let organizationID = String(decoding: id, as: UTF8.self)
                        result = .success(RBACPolicy(roles: try await source.organizationPolicy(organizationID: organizationID).roles))
                    } catch where error.apiFailure?.statusCode == 404 {
                        result = .success(RBACPolicy(roles: []))
                    }
                }
            } catch {
                result = .failure(error)
            }
            self.finish(key, result)
            return result
        }
        slots[key, default: Slot()].inFlight = task
        return task
    }

    private func finish(_ key: SlotKey, _ result: Result<RBACPolicy, StytchJWTError>) {
        let kind = if case .project = key { "project" } else { "organization" }
        let outcome = if case .success = result { "success" } else { "failure" }
        Counter(label: "stytch_rbac_policy_fetches_total", dimensions: [("policy", kind), ("outcome", outcome)]).increment()
        var slot = slots[key] ?? Slot()
        slot.inFlight = nil
        // swift-log's library guidance: a warning when fetches of a policy start failing, its
        // retries during the same outage at debug, and the recovery at info, once.
        switch result {
        case .success(let policy):
            if slot.lastError != nil { logger.info("RBAC policy fetch recovered", metadata: ["stytch.policy": "\(kind)"]) }
            slot.policy = policy
            slot.fetchedAt = clock.now()
            slot.lastError = nil
        case .failure(let error):
            logger.log(level: slot.lastError == nil ? .warning : .debug, "RBAC policy fetch failed", metadata: [
                "stytch.policy": "\(kind)", "stytch.error_code": "\(error.code)",
            ])
            slot.lastFailure = clock.now()
            slot.lastError = error
        }
        slots[key] = slot
        if case .organization = key { evictOrganizationsIfNeeded() }
    }

    private func evictOrganizationsIfNeeded() {
        let organizations = slots.filter { if case .organization = $0.key { true } else { false } }
        guard organizations.count > configuration.maximumOrganizations else { return }
        let excess = organizations.count - configuration.maximumOrganizations
        for (key, _) in organizations.filter({ $0.value.inFlight == nil }).sorted(by: { $0.value.fetchedAt < $1.value.fetchedAt }).prefix(excess) {
            slots[key] = nil
        }
    }
}

/// Local authorization checks with Stytch's RBAC semantics, from cached policies: no network call
/// per request.
///
/// A check passes when the session belongs to the check's organization (else `tenancy_mismatch`)
/// and one of the session's roles has a permission on the check's resource whose actions hold
/// the action or `"*"` (else `permission_denied`). A session without roles is denied, never
/// skipped; a role the policy does not define grants nothing.
///
/// ```swift
/// let rbac = StytchRBACAuthorizer(client: try StytchB2BClient(projectID: id, secret: secret))
/// try await rbac.authorize(session, AuthorizationCheck(organizationID: session.organizationID,
///                                                      resourceID: "documents", action: "read"))
/// ```
public struct StytchRBACAuthorizer: StytchPermissionAuthorizing {
    /// The policies checks are made against.
    public let policies: StytchRBACPolicyCache

    /// An authorizer over a policy cache.
    public init(policies: StytchRBACPolicyCache) {
        self.policies = policies
    }

    /// An authorizer whose policies come from Stytch's API through `client`.
    public init(client: StytchB2BClient, configuration: StytchRBACPolicyCache.Configuration = .init(), logger: Logger? = nil) {
        self.policies = StytchRBACPolicyCache(source: client, configuration: configuration, logger: logger)
    }

    /// Checks `check` for `session`, returning the roles that grant it.
    ///
    /// - Throws: `StytchJWTError` `tenancy_mismatch`, `permission_denied`, or `stytch_api_error`
    ///   when no policy could be had.
    @discardableResult
    public func authorize(_ session: VerifiedSession, _ check: AuthorizationCheck) async throws(StytchJWTError) -> [String] {
        guard session.organizationID.hasSameUTF8(as: check.organizationID) else {
            throw StytchJWTError(.tenancyMismatch, "the session belongs to another organization than the authorization check")
        }
        guard !session.roles.isEmpty else {
            throw StytchJWTError(.permissionDenied, "the session has no roles")
        }
        let roles = try await policies.roles(organizationID: check.organizationID)
        return try Self.evaluate(sessionRoles: session.roles, check: check, roles: roles)
    }

    /// Checks `check` for a Connected Apps access token: its organization must be the one asked
    /// about (`tenancy_mismatch`), then one of its scopes must be a scope of the project's policy
    /// granting the action on the resource (`permission_denied`), as stytch-python's
    /// `introspect_access_token_local` does with an authorization check.
    public func authorize(accessToken token: VerifiedAccessToken, _ check: AuthorizationCheck) async throws(StytchJWTError) {
        guard token.organizationID.hasSameUTF8(as: check.organizationID) else {
            throw StytchJWTError(.tenancyMismatch, "the access token belongs to another organization than the authorization check")
        }
        let policy = try await policies.projectPolicy()
        guard ConnectedAppsScopes.grants(token.scopes, resource: check.resourceID, action: check.action, policy: policy) else {
            throw StytchJWTError(.permissionDenied, "no scope of the access token allows the action on the resource")
        }
    }

    /// The decision for `sessionRoles` against the policy's `roles`, without the tenancy check:
    /// the granting roles, or `permission_denied`. A role grants when an entry with its ID (byte
    /// for byte) has a permission on the resource (byte for byte) whose actions hold the action or
    /// `*`; `*` is a wildcard only as a permission's action, as in stytch-python.
    public static func evaluate(
        sessionRoles: [String], check: AuthorizationCheck, roles: [RBACRole]
    ) throws(StytchJWTError) -> [String] {
        var granting: [String] = []
        for role in sessionRoles where !granting.containsUTF8(role) {
            let grants = roles.contains { entry in
                entry.roleID.hasSameUTF8(as: role) && entry.permissions.contains { permission in
                    permission.resourceID.hasSameUTF8(as: check.resourceID)
                        && (permission.actions.containsUTF8(check.action) || permission.actions.containsUTF8("*"))
                }
            }
            if grants { granting.append(role) }
        }
        guard !granting.isEmpty else {
            throw StytchJWTError(.permissionDenied, "no role of the session allows the action on the resource")
        }
        return granting
    }
}

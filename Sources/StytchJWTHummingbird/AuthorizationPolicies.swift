public import Foundation
public import Hummingbird
public import HummingbirdAuth
public import StytchJWT

// hummingbird-auth's policies (`AuthorizationPolicy`, `AuthorizationPolicyMiddleware`, `allOf`,
// `anyOf`, `Not`, `RolePolicy`) over Stytch identities: the rules of the core's
// `SessionRequirement`, scope and permission checks as policies, so they mix with an
// application's own. A denial is `false` (the middleware answers its `deniedError`); a failure
// that is no denial (RBAC policy unavailable, a guard set up wrong) is thrown, so that `Not`
// can never turn an outage into a pass.

/// A `SessionRequirement` as a hummingbird-auth policy: true when the identity is a session
/// that meets it; an access token is not a session and never meets it.
///
/// ```swift
/// router.group("admin")
///     .add(middleware: StytchAuthenticator(verifier: verifier))
///     .add(middleware: AuthorizationPolicyMiddleware(anyOf {
///         StytchSessionPolicy(.allOf([.anyRole(["admin"]), .mfaCompleted]))
///         StytchSessionPolicy(.anyRole(["owner"]))
///     }, deniedError: StytchHTTPError.permissionDenied))
/// ```
public struct StytchSessionPolicy<Identity: StytchIdentity>: AuthorizationPolicy {
    /// The rule.
    public let requirement: SessionRequirement
    /// The clock the time rules read (`authenticatedWithin`).
    public let clock: @Sendable () -> Date

    /// A policy over `requirement`.
    public init(_ requirement: SessionRequirement, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.requirement = requirement
        self.clock = clock
    }

    /// Whether `identity` is a session meeting the requirement.
    public func isAuthorized(identity: Identity, request: Request) async throws -> Bool {
        guard case .session(let session) = identity.stytchCredential else { return false }
        return requirement.failure(for: session, now: clock()) == nil
    }
}

/// True when the identity's access token grants every one of `scopes` (an M2M token by Stytch's
/// M2M rules, a Connected Apps token byte for byte); a session has no scopes.
///
/// ```swift
/// .add(middleware: AuthorizationPolicyMiddleware(StytchScopePolicy(["read:users"])))
/// ```
public struct StytchScopePolicy<Identity: StytchIdentity>: AuthorizationPolicy {
    /// The scopes required.
    public let scopes: [String]

    /// A policy requiring `scopes`.
    public init(_ scopes: [String]) { self.scopes = scopes }

    /// Whether every scope is granted.
    public func isAuthorized(identity: Identity, request: Request) async throws -> Bool {
        StytchCredentialAuthenticator.check(identity.stytchCredential, grants: scopes) == nil
    }
}

/// True when `authorizer` grants `action` on `resource` in the identity's own organization: to a
/// session by its roles, to a Connected Apps token by its scopes (Stytch's RBAC policy). An M2M
/// token is never granted. Throws ``StytchHTTPError`` (503 `stytch_api_error`, 500
/// `invalid_configuration`) when the policy could not be had; use ``StytchPermissionGuard`` for a
/// check in an organization named by a route parameter (a policy sees the request, not the
/// route's parameters).
public struct StytchPermissionPolicy<Identity: StytchIdentity>: AuthorizationPolicy {
    /// The authorizer (StytchRBACAuthorizer, or your own).
    public let authorizer: any StytchPermissionAuthorizing
    /// The resource.
    public let resource: String
    /// The action.
    public let action: String

    /// A policy of `action` on `resource`.
    public init(authorizer: any StytchPermissionAuthorizing, resource: String, action: String) {
        self.authorizer = authorizer
        self.resource = resource
        self.action = action
    }

    /// Whether the permission is granted; throws when that cannot be known.
    public func isAuthorized(identity: Identity, request: Request) async throws -> Bool {
        let failure = await StytchCredentialAuthenticator.checkPermission(
            identity.stytchCredential, resource: resource, action: action, organization: .session, authorizer: authorizer, parameter: { _ in nil }
        )
        guard let failure else { return true }
        switch failure.error.code {
        case .permissionDenied, .tenancyMismatch, .wrongTokenKind: return false
        default: throw StytchHTTPError(failure)
        }
    }
}

extension StytchHTTPError {
    /// 403 `permission_denied` in the library's JSON body: a `deniedError` for hummingbird-auth's
    /// `AuthorizationPolicyMiddleware`, so a denial by policy is answered like a denial by guard.
    public static let permissionDenied = StytchHTTPError(StytchJWTError(.permissionDenied, "the request is not authorized"))
}

/// A Stytch role name whose equality is byte for byte (never Unicode canonical equivalence):
/// the element of `StytchIdentity.stytchRoles`, for hummingbird-auth's `RoleProviding`.
///
/// ```swift
/// struct User: StytchIdentity, RoleProviding {
///     let session: VerifiedSession
///     var stytchCredential: StytchCredential { .session(session) }
///     var roles: Set<StytchRole> { stytchRoles }
/// }
/// .add(middleware: AuthorizationPolicyMiddleware(RolePolicy<User>("admin")))
/// ```
public struct StytchRole: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The role ID.
    public let id: String

    /// A role named `id`.
    public init(_ id: String) { self.id = id }

    /// A role named by a literal.
    public init(stringLiteral value: String) { self.id = value }

    /// The role ID.
    public var description: String { id }

    /// Equal when the IDs are the same UTF-8 bytes.
    public static func == (lhs: StytchRole, rhs: StytchRole) -> Bool { lhs.id.hasSameUTF8(as: rhs.id) }

    /// Hashes the ID's UTF-8 bytes.
    public func hash(into hasher: inout Hasher) {
        for byte in id.utf8 { hasher.combine(byte) }
        hasher.combine(id.utf8.count)
    }
}

extension StytchIdentity {
    /// The session's roles (none for an access token), for `RoleProviding`.
    public var stytchRoles: Set<StytchRole> {
        guard case .session(let session) = stytchCredential else { return [] }
        return Set(session.roles.map { StytchRole($0) })
    }
}

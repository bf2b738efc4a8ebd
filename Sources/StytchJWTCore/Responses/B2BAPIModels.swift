import Foundation

// The typed answers of Stytch's B2B API that the offline core works with: the session
// authenticate response (carried by a refreshed `SessionAuthentication`), authorization checks and
// verdicts, and RBAC policy documents (evaluated locally). The client that fetches them is in
// StytchB2BAPI.

/// "May the member do `action` on `resourceID` in `organizationID`?"
public struct AuthorizationCheck: Sendable, Hashable, Codable {
    /// The organization the resource belongs to; must be the session's.
    public var organizationID: String
    /// The RBAC resource, e.g. `documents` or `stytch.member`.
    public var resourceID: String
    /// The action, e.g. `read`.
    public var action: String

    /// A check of `action` on `resourceID` in `organizationID`.
    public init(organizationID: String, resourceID: String, action: String) {
        self.organizationID = organizationID
        self.resourceID = resourceID
        self.action = action
    }

    enum CodingKeys: String, CodingKey {
        case organizationID = "organization_id", resourceID = "resource_id", action
    }
}

/// Stytch's answer to an `authorization_check`.
public struct AuthorizationVerdict: Sendable, Hashable, Codable {
    /// Whether the action is allowed.
    public let authorized: Bool
    /// The session's roles that grant it.
    public let grantingRoles: [String]

    enum CodingKeys: String, CodingKey {
        case authorized, grantingRoles = "granting_roles"
    }

    /// Decodes a verdict; `granting_roles` may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        authorized = try container.decode(Bool.self, forKey: .authorized)
        grantingRoles = try container.decodeIfPresent([String].self, forKey: .grantingRoles) ?? []
    }
}

/// The response of `POST /v1/b2b/sessions/authenticate`.
public struct B2BSessionAuthenticateResponse: Sendable, Hashable, Decodable {
    /// Stytch's request ID.
    public let requestID: String
    /// The HTTP status Stytch repeats in the body.
    public let statusCode: Int
    /// The session.
    public let memberSession: B2BMemberSession
    /// The session's opaque token (a secret: never log it).
    public let sessionToken: String
    /// A fresh session JWT.
    public let sessionJWT: String
    /// The member.
    public let member: B2BMember
    /// The member's organization.
    public let organization: B2BOrganization
    /// The verdict of the `authorization_check`, when one was asked.
    public let verdict: AuthorizationVerdict?

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", statusCode = "status_code", memberSession = "member_session"
        case sessionToken = "session_token", sessionJWT = "session_jwt", member, organization, verdict
    }
}

// MARK: - RBAC policy documents

/// The project's RBAC policy (`GET /v1/b2b/rbac/policy`).
public struct RBACPolicy: Sendable, Hashable, Codable {
    /// The roles and what each may do.
    public let roles: [RBACRole]
    /// The resources and their actions.
    public let resources: [RBACResource]
    /// The scopes (for connected apps); decoded, not used by the local check.
    public let scopes: [RBACScope]

    /// A policy document.
    public init(roles: [RBACRole], resources: [RBACResource] = [], scopes: [RBACScope] = []) {
        self.roles = roles
        self.resources = resources
        self.scopes = scopes
    }

    /// Decodes a policy; `resources` and `scopes` may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        roles = try container.decode([RBACRole].self, forKey: .roles)
        resources = try container.decodeIfPresent([RBACResource].self, forKey: .resources) ?? []
        scopes = try container.decodeIfPresent([RBACScope].self, forKey: .scopes) ?? []
    }
}

/// The roles one organization adds (`GET /v1/b2b/rbac/organizations/{organization_id}`).
public struct OrganizationRBACPolicy: Sendable, Hashable, Codable {
    /// The organization's own roles.
    public let roles: [RBACRole]

    /// A document with `roles`.
    public init(roles: [RBACRole]) { self.roles = roles }
}

/// A role and its permissions.
public struct RBACRole: Sendable, Hashable, Codable {
    /// The role's ID, e.g. `stytch_admin` or `editor`.
    public let roleID: String
    /// Its description.
    public let description: String
    /// What it may do.
    public let permissions: [RBACPermission]

    /// A role.
    public init(roleID: String, description: String = "", permissions: [RBACPermission]) {
        self.roleID = roleID
        self.description = description
        self.permissions = permissions
    }

    enum CodingKeys: String, CodingKey {
        case roleID = "role_id", description, permissions
    }

    /// Decodes a role; `description` may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        roleID = try container.decode(String.self, forKey: .roleID)
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        permissions = try container.decode([RBACPermission].self, forKey: .permissions)
    }
}

/// Actions allowed on one resource; `"*"` allows every action.
public struct RBACPermission: Sendable, Hashable, Codable {
    /// The resource.
    public let resourceID: String
    /// The actions, or `["*"]`.
    public let actions: [String]

    /// A permission.
    public init(resourceID: String, actions: [String]) {
        self.resourceID = resourceID
        self.actions = actions
    }

    enum CodingKeys: String, CodingKey {
        case resourceID = "resource_id", actions
    }
}

/// A resource and the actions it has.
public struct RBACResource: Sendable, Hashable, Codable {
    /// The resource's ID.
    public let resourceID: String
    /// Its description.
    public let description: String
    /// Its actions.
    public let actions: [String]

    enum CodingKeys: String, CodingKey {
        case resourceID = "resource_id", description, actions
    }

    /// Decodes a resource; `description` may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        resourceID = try container.decode(String.self, forKey: .resourceID)
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        actions = try container.decode([String].self, forKey: .actions)
    }
}

/// A scope and its permissions.
public struct RBACScope: Sendable, Hashable, Codable {
    /// The scope's name.
    public let scope: String
    /// Its description.
    public let description: String
    /// What it allows.
    public let permissions: [RBACPermission]

    /// A scope as given.
    public init(scope: String, description: String = "", permissions: [RBACPermission]) {
        self.scope = scope
        self.description = description
        self.permissions = permissions
    }

    /// Decodes a scope; `description` may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        scope = try container.decode(String.self, forKey: .scope)
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        permissions = try container.decode([RBACPermission].self, forKey: .permissions)
    }
}

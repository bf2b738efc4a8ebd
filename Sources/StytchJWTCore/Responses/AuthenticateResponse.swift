// Typed models of Stytch's B2B authenticate response (`api_b2b_password_v1_AuthenticateResponse`,
// POST /v1/b2b/passwords/authenticate; the other B2B authenticate endpoints share its shape).
//
// Decoding is tolerant: unknown members are ignored, fields Stytch may omit or send as null are
// optional, and lists that are absent or null decode as empty.

// MARK: - Response

/// A Stytch B2B authenticate response: the member, the organization and, once fully
/// authenticated, the member session with its `session_token` and `session_jwt`.
public struct B2BAuthenticateResponse: Sendable, Codable, Hashable {
    /// `request_id`: Stytch's ID of the API call, for support.
    public let requestID: String
    /// `member_id`: the authenticated member.
    public let memberID: String
    /// `organization_id`: the organization the member belongs to.
    public let organizationID: String
    /// `member`: the Member object.
    public let member: B2BMember
    /// `session_token`: the opaque session token; empty until MFA is complete. A secret.
    public let sessionToken: String
    /// `session_jwt`: the session JWT; empty until MFA is complete. A secret.
    public let sessionJWT: String
    /// `organization`: the Organization object.
    public let organization: B2BOrganization
    /// `intermediate_session_token`: non-empty when an MFA step is still needed. A secret.
    public let intermediateSessionToken: String
    /// `member_authenticated`: whether the member is fully authenticated (false: MFA pending).
    public let memberAuthenticated: Bool
    /// `status_code`: the HTTP status Stytch reported.
    public let statusCode: Int
    /// `member_session`: the session; nil while MFA is still required.
    public let memberSession: B2BMemberSession?
    /// `mfa_required`: the member's MFA options, when MFA is required.
    public let mfaRequired: B2BMFARequired?
    /// `primary_required`: further primary authentication the organization requires, when any.
    public let primaryRequired: B2BPrimaryRequired?
    /// `member_device`: device fingerprint details, when a `telemetry_id` was sent.
    public let memberDevice: B2BDeviceInfo?
    /// `intermediate_session_token_expires_at`: when the intermediate session token expires,
    /// when sent (absent, null and empty all read as nil).
    public let intermediateSessionTokenExpiresAt: RFC3339Timestamp?

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id"
        case memberID = "member_id"
        case organizationID = "organization_id"
        case member
        case sessionToken = "session_token"
        case sessionJWT = "session_jwt"
        case organization
        case intermediateSessionToken = "intermediate_session_token"
        case memberAuthenticated = "member_authenticated"
        case statusCode = "status_code"
        case memberSession = "member_session"
        case mfaRequired = "mfa_required"
        case primaryRequired = "primary_required"
        case memberDevice = "member_device"
        case intermediateSessionTokenExpiresAt = "intermediate_session_token_expires_at"
    }

    /// Decodes the response; an empty `intermediate_session_token_expires_at` reads as nil.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requestID = try container.decode(String.self, forKey: .requestID)
        memberID = try container.decode(String.self, forKey: .memberID)
        organizationID = try container.decode(String.self, forKey: .organizationID)
        member = try container.decode(B2BMember.self, forKey: .member)
        sessionToken = try container.decode(String.self, forKey: .sessionToken)
        sessionJWT = try container.decode(String.self, forKey: .sessionJWT)
        organization = try container.decode(B2BOrganization.self, forKey: .organization)
        intermediateSessionToken = try container.decode(String.self, forKey: .intermediateSessionToken)
        memberAuthenticated = try container.decode(Bool.self, forKey: .memberAuthenticated)
        statusCode = try container.decode(Int.self, forKey: .statusCode)
        memberSession = try container.decodeIfPresent(B2BMemberSession.self, forKey: .memberSession)
        mfaRequired = try container.decodeIfPresent(B2BMFARequired.self, forKey: .mfaRequired)
        primaryRequired = try container.decodeIfPresent(B2BPrimaryRequired.self, forKey: .primaryRequired)
        memberDevice = try container.decodeIfPresent(B2BDeviceInfo.self, forKey: .memberDevice)
        if let text = try container.decodeIfPresent(String.self, forKey: .intermediateSessionTokenExpiresAt), !text.isEmpty {
            intermediateSessionTokenExpiresAt = try container.decode(RFC3339Timestamp.self, forKey: .intermediateSessionTokenExpiresAt)
        } else {
            intermediateSessionTokenExpiresAt = nil
        }
    }
}

// MARK: - Member

/// A B2B Member object (`member`).
public struct B2BMember: Sendable, Codable, Hashable {
    /// `organization_id`: the member's organization.
    public let organizationID: String
    /// `member_id`: the member.
    public let memberID: String
    /// `email_address`: the member's email address.
    public let emailAddress: String
    /// `status`: `pending`, `invited`, `active` or `deleted`.
    public let status: String
    /// `name`: the member's name, when set.
    public let name: String?
    /// `sso_registrations`: the SAML/OIDC connections the member has authenticated with.
    public let ssoRegistrations: [B2BSSORegistration]
    /// `is_breakglass`: whether the member may bypass the organization's auth settings.
    public let isBreakglass: Bool?
    /// `member_password_id`: the member's password, when one is set (may be empty).
    public let memberPasswordID: String?
    /// `oauth_registrations`: the OAuth identities linked to the member.
    public let oauthRegistrations: [B2BOAuthRegistration]
    /// `email_address_verified`: whether the email address is verified.
    public let emailAddressVerified: Bool?
    /// `mfa_phone_number_verified`: whether the MFA phone number is verified.
    public let mfaPhoneNumberVerified: Bool?
    /// `is_admin`: whether the member has the `stytch_admin` role.
    public let isAdmin: Bool?
    /// `totp_registration_id`: the member's TOTP registration, when any (may be empty).
    public let totpRegistrationID: String?
    /// `retired_email_addresses`: email addresses the member used before.
    public let retiredEmailAddresses: [B2BRetiredEmail]
    /// `is_locked`: whether the member is locked out.
    public let isLocked: Bool?
    /// `mfa_enrolled`: whether the member must complete MFA at every login.
    public let mfaEnrolled: Bool?
    /// `mfa_phone_number`: the member's MFA phone number, when any (may be empty).
    public let mfaPhoneNumber: String?
    /// `default_mfa_method`: the member's default MFA method, when any (may be empty).
    public let defaultMFAMethod: String?
    /// `roles`: the member's explicit and implicit roles, with their sources.
    public let roles: [B2BMemberRole]
    /// `trusted_metadata`: application data only the backend may write.
    public let trustedMetadata: JSONValue?
    /// `untrusted_metadata`: application data the frontend may write; not to be trusted.
    public let untrustedMetadata: JSONValue?
    /// `created_at`: when the member was created (RFC 3339 text).
    public let createdAt: String?
    /// `updated_at`: when the member was last updated (RFC 3339 text).
    public let updatedAt: String?
    /// `scim_registration`: the SCIM registration that provisioned the member, when any.
    public let scimRegistration: B2BSCIMRegistration?
    /// `external_id`: the application's own ID for the member, when set.
    public let externalID: String?
    /// `lock_created_at`: when the member was locked (RFC 3339 text), when locked.
    public let lockCreatedAt: String?
    /// `lock_expires_at`: when the lock ends (RFC 3339 text), when locked.
    public let lockExpiresAt: String?

    enum CodingKeys: String, CodingKey {
        case organizationID = "organization_id"
        case memberID = "member_id"
        case emailAddress = "email_address"
        case status
        case name
        case ssoRegistrations = "sso_registrations"
        case isBreakglass = "is_breakglass"
        case memberPasswordID = "member_password_id"
        case oauthRegistrations = "oauth_registrations"
        case emailAddressVerified = "email_address_verified"
        case mfaPhoneNumberVerified = "mfa_phone_number_verified"
        case isAdmin = "is_admin"
        case totpRegistrationID = "totp_registration_id"
        case retiredEmailAddresses = "retired_email_addresses"
        case isLocked = "is_locked"
        case mfaEnrolled = "mfa_enrolled"
        case mfaPhoneNumber = "mfa_phone_number"
        case defaultMFAMethod = "default_mfa_method"
        case roles
        case trustedMetadata = "trusted_metadata"
        case untrustedMetadata = "untrusted_metadata"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case scimRegistration = "scim_registration"
        case externalID = "external_id"
        case lockCreatedAt = "lock_created_at"
        case lockExpiresAt = "lock_expires_at"
    }

    /// Decodes a member; absent or null lists read as empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        organizationID = try container.decode(String.self, forKey: .organizationID)
        memberID = try container.decode(String.self, forKey: .memberID)
        emailAddress = try container.decode(String.self, forKey: .emailAddress)
        status = try container.decode(String.self, forKey: .status)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        ssoRegistrations = try container.decodeList(B2BSSORegistration.self, forKey: .ssoRegistrations)
        isBreakglass = try container.decodeIfPresent(Bool.self, forKey: .isBreakglass)
        memberPasswordID = try container.decodeIfPresent(String.self, forKey: .memberPasswordID)
        oauthRegistrations = try container.decodeList(B2BOAuthRegistration.self, forKey: .oauthRegistrations)
        emailAddressVerified = try container.decodeIfPresent(Bool.self, forKey: .emailAddressVerified)
        mfaPhoneNumberVerified = try container.decodeIfPresent(Bool.self, forKey: .mfaPhoneNumberVerified)
        isAdmin = try container.decodeIfPresent(Bool.self, forKey: .isAdmin)
        totpRegistrationID = try container.decodeIfPresent(String.self, forKey: .totpRegistrationID)
        retiredEmailAddresses = try container.decodeList(B2BRetiredEmail.self, forKey: .retiredEmailAddresses)
        isLocked = try container.decodeIfPresent(Bool.self, forKey: .isLocked)
        mfaEnrolled = try container.decodeIfPresent(Bool.self, forKey: .mfaEnrolled)
        mfaPhoneNumber = try container.decodeIfPresent(String.self, forKey: .mfaPhoneNumber)
        defaultMFAMethod = try container.decodeIfPresent(String.self, forKey: .defaultMFAMethod)
        roles = try container.decodeList(B2BMemberRole.self, forKey: .roles)
        trustedMetadata = try container.decodeIfPresent(JSONValue.self, forKey: .trustedMetadata)
        untrustedMetadata = try container.decodeIfPresent(JSONValue.self, forKey: .untrustedMetadata)
        createdAt = try container.decodeIfPresent(String.self, forKey: .createdAt)
        updatedAt = try container.decodeIfPresent(String.self, forKey: .updatedAt)
        scimRegistration = try container.decodeIfPresent(B2BSCIMRegistration.self, forKey: .scimRegistration)
        externalID = try container.decodeIfPresent(String.self, forKey: .externalID)
        lockCreatedAt = try container.decodeIfPresent(String.self, forKey: .lockCreatedAt)
        lockExpiresAt = try container.decodeIfPresent(String.self, forKey: .lockExpiresAt)
    }
}

/// One of a member's `sso_registrations`: a SAML or OIDC connection it has used.
public struct B2BSSORegistration: Sendable, Codable, Hashable {
    /// `connection_id`: the SSO connection.
    public let connectionID: String
    /// `external_id`: the member's ID at the identity provider.
    public let externalID: String?
    /// `registration_id`: this registration.
    public let registrationID: String
    /// `sso_attributes`: attributes the identity provider sent, when any.
    public let ssoAttributes: JSONValue?

    enum CodingKeys: String, CodingKey {
        case connectionID = "connection_id"
        case externalID = "external_id"
        case registrationID = "registration_id"
        case ssoAttributes = "sso_attributes"
    }
}

/// One of a member's `oauth_registrations`: an OAuth identity linked to it.
public struct B2BOAuthRegistration: Sendable, Codable, Hashable {
    /// `provider_type`: the OAuth provider, e.g. `Google`.
    public let providerType: String
    /// `provider_subject`: the member's `sub` at that provider.
    public let providerSubject: String
    /// `member_oauth_registration_id`: this registration.
    public let memberOAuthRegistrationID: String
    /// `profile_picture_url`: the provider's profile picture URL, when available.
    public let profilePictureURL: String?
    /// `locale`: the provider's locale for the member, when available.
    public let locale: String?

    enum CodingKeys: String, CodingKey {
        case providerType = "provider_type"
        case providerSubject = "provider_subject"
        case memberOAuthRegistrationID = "member_oauth_registration_id"
        case profilePictureURL = "profile_picture_url"
        case locale
    }
}

/// One of a member's `retired_email_addresses`.
public struct B2BRetiredEmail: Sendable, Codable, Hashable {
    /// `email_id`: the retired email.
    public let emailID: String
    /// `email_address`: the retired address.
    public let emailAddress: String

    enum CodingKeys: String, CodingKey {
        case emailID = "email_id"
        case emailAddress = "email_address"
    }
}

/// A member's `scim_registration`: the SCIM connection that provisioned it.
public struct B2BSCIMRegistration: Sendable, Codable, Hashable {
    /// `connection_id`: the SCIM connection.
    public let connectionID: String
    /// `registration_id`: this registration.
    public let registrationID: String
    /// `external_id`: the member's ID at the identity provider, when sent.
    public let externalID: String?
    /// `scim_attributes`: the SCIM attributes the identity provider sent, when any.
    public let scimAttributes: JSONValue?

    enum CodingKeys: String, CodingKey {
        case connectionID = "connection_id"
        case registrationID = "registration_id"
        case externalID = "external_id"
        case scimAttributes = "scim_attributes"
    }
}

/// One of a member's `roles`: a role and why the member has it.
public struct B2BMemberRole: Sendable, Codable, Hashable {
    /// `role_id`: the role, e.g. `stytch_member` or `stytch_admin`.
    public let roleID: String
    /// `sources`: the assignments that grant the role (absent or null reads as empty).
    public let sources: [B2BMemberRoleSource]

    enum CodingKeys: String, CodingKey {
        case roleID = "role_id"
        case sources
    }

    /// Decodes a role; absent or null `sources` reads as empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        roleID = try container.decode(String.self, forKey: .roleID)
        sources = try container.decodeList(B2BMemberRoleSource.self, forKey: .sources)
    }
}

/// One source of a role assignment.
public struct B2BMemberRoleSource: Sendable, Codable, Hashable {
    /// `type`: `direct_assignment`, `email_assignment`, `sso_connection`,
    /// `sso_connection_group` or `scim_connection_group`.
    public let type: String
    /// `details`: type-specific details (domain, connection, group), when any.
    public let details: JSONValue?

    enum CodingKeys: String, CodingKey {
        case type
        case details
    }
}

// MARK: - Organization

/// A B2B Organization object (`organization`).
public struct B2BOrganization: Sendable, Codable, Hashable {
    /// `organization_id`: the organization.
    public let organizationID: String
    /// `organization_name`: the organization's name.
    public let organizationName: String
    /// `organization_logo_url`: the logo URL, when set (may be empty).
    public let organizationLogoURL: String?
    /// `organization_slug`: the organization's unique URL slug.
    public let organizationSlug: String
    /// `organization_external_id`: the application's own ID for the organization, when set.
    public let organizationExternalID: String?
    /// `sso_jit_provisioning`: `ALL_ALLOWED`, `RESTRICTED` or `NOT_ALLOWED`.
    public let ssoJITProvisioning: String?
    /// `sso_jit_provisioning_allowed_connections`: connections allowed to JIT-provision members.
    public let ssoJITProvisioningAllowedConnections: [String]
    /// `sso_active_connections`: the active SAML/OIDC connections.
    public let ssoActiveConnections: [B2BActiveSSOConnection]
    /// `sso_default_connection_id`: the default SSO connection, when set.
    public let ssoDefaultConnectionID: String?
    /// `scim_active_connection`: the active SCIM connection, when any.
    public let scimActiveConnection: B2BActiveSCIMConnection?
    /// `email_allowed_domains`: domains allowed for invites and email JIT provisioning.
    public let emailAllowedDomains: [String]
    /// `email_jit_provisioning`: `RESTRICTED` or `NOT_ALLOWED`.
    public let emailJITProvisioning: String?
    /// `email_invites`: `ALL_ALLOWED`, `RESTRICTED` or `NOT_ALLOWED`.
    public let emailInvites: String?
    /// `auth_methods`: `ALL_ALLOWED` or `RESTRICTED`.
    public let authMethods: String?
    /// `allowed_auth_methods`: the allowed methods when `auth_methods` is `RESTRICTED`.
    public let allowedAuthMethods: [String]
    /// `mfa_policy`: `REQUIRED_FOR_ALL` or `OPTIONAL`.
    public let mfaPolicy: String?
    /// `mfa_methods`: `ALL_ALLOWED` or `RESTRICTED`.
    public let mfaMethods: String?
    /// `allowed_mfa_methods`: the allowed MFA methods (`sms_otp`, `totp`) when restricted.
    public let allowedMFAMethods: [String]
    /// `rbac_email_implicit_role_assignments`: roles granted by email domain.
    public let rbacEmailImplicitRoleAssignments: [B2BEmailImplicitRoleAssignment]
    /// `oauth_tenant_jit_provisioning`: `RESTRICTED` or `NOT_ALLOWED`.
    public let oauthTenantJITProvisioning: String?
    /// `allowed_oauth_tenants`: allowed OAuth tenants by provider (`slack`, `hubspot`, `github`).
    public let allowedOAuthTenants: JSONValue?
    /// `claimed_email_domains`: email domains the organization has claimed.
    public let claimedEmailDomains: [String]
    /// `first_party_connected_apps_allowed_type`: `ALL_ALLOWED`, `RESTRICTED` or `NOT_ALLOWED`.
    public let firstPartyConnectedAppsAllowedType: String?
    /// `allowed_first_party_connected_apps`: allowed first-party Connected App IDs.
    public let allowedFirstPartyConnectedApps: [String]
    /// `third_party_connected_apps_allowed_type`: `ALL_ALLOWED`, `RESTRICTED` or `NOT_ALLOWED`.
    public let thirdPartyConnectedAppsAllowedType: String?
    /// `allowed_third_party_connected_apps`: allowed third-party Connected App IDs.
    public let allowedThirdPartyConnectedApps: [String]
    /// `custom_roles`: roles defined for this organization only.
    public let customRoles: [B2BCustomRole]
    /// `trusted_metadata`: application data only the backend may write.
    public let trustedMetadata: JSONValue?
    /// `created_at`: when the organization was created (RFC 3339 text).
    public let createdAt: String?
    /// `updated_at`: when the organization was last updated (RFC 3339 text).
    public let updatedAt: String?

    enum CodingKeys: String, CodingKey {
        case organizationID = "organization_id"
        case organizationName = "organization_name"
        case organizationLogoURL = "organization_logo_url"
        case organizationSlug = "organization_slug"
        case organizationExternalID = "organization_external_id"
        case ssoJITProvisioning = "sso_jit_provisioning"
        case ssoJITProvisioningAllowedConnections = "sso_jit_provisioning_allowed_connections"
        case ssoActiveConnections = "sso_active_connections"
        case ssoDefaultConnectionID = "sso_default_connection_id"
        case scimActiveConnection = "scim_active_connection"
        case emailAllowedDomains = "email_allowed_domains"
        case emailJITProvisioning = "email_jit_provisioning"
        case emailInvites = "email_invites"
        case authMethods = "auth_methods"
        case allowedAuthMethods = "allowed_auth_methods"
        case mfaPolicy = "mfa_policy"
        case mfaMethods = "mfa_methods"
        case allowedMFAMethods = "allowed_mfa_methods"
        case rbacEmailImplicitRoleAssignments = "rbac_email_implicit_role_assignments"
        case oauthTenantJITProvisioning = "oauth_tenant_jit_provisioning"
        case allowedOAuthTenants = "allowed_oauth_tenants"
        case claimedEmailDomains = "claimed_email_domains"
        case firstPartyConnectedAppsAllowedType = "first_party_connected_apps_allowed_type"
        case allowedFirstPartyConnectedApps = "allowed_first_party_connected_apps"
        case thirdPartyConnectedAppsAllowedType = "third_party_connected_apps_allowed_type"
        case allowedThirdPartyConnectedApps = "allowed_third_party_connected_apps"
        case customRoles = "custom_roles"
        case trustedMetadata = "trusted_metadata"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Decodes an organization; absent or null lists read as empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        organizationID = try container.decode(String.self, forKey: .organizationID)
        organizationName = try container.decode(String.self, forKey: .organizationName)
        organizationLogoURL = try container.decodeIfPresent(String.self, forKey: .organizationLogoURL)
        organizationSlug = try container.decode(String.self, forKey: .organizationSlug)
        organizationExternalID = try container.decodeIfPresent(String.self, forKey: .organizationExternalID)
        ssoJITProvisioning = try container.decodeIfPresent(String.self, forKey: .ssoJITProvisioning)
        ssoJITProvisioningAllowedConnections = try container.decodeList(String.self, forKey: .ssoJITProvisioningAllowedConnections)
        ssoActiveConnections = try container.decodeList(B2BActiveSSOConnection.self, forKey: .ssoActiveConnections)
        ssoDefaultConnectionID = try container.decodeIfPresent(String.self, forKey: .ssoDefaultConnectionID)
        scimActiveConnection = try container.decodeIfPresent(B2BActiveSCIMConnection.self, forKey: .scimActiveConnection)
        emailAllowedDomains = try container.decodeList(String.self, forKey: .emailAllowedDomains)
        emailJITProvisioning = try container.decodeIfPresent(String.self, forKey: .emailJITProvisioning)
        emailInvites = try container.decodeIfPresent(String.self, forKey: .emailInvites)
        authMethods = try container.decodeIfPresent(String.self, forKey: .authMethods)
        allowedAuthMethods = try container.decodeList(String.self, forKey: .allowedAuthMethods)
        mfaPolicy = try container.decodeIfPresent(String.self, forKey: .mfaPolicy)
        mfaMethods = try container.decodeIfPresent(String.self, forKey: .mfaMethods)
        allowedMFAMethods = try container.decodeList(String.self, forKey: .allowedMFAMethods)
        rbacEmailImplicitRoleAssignments = try container.decodeList(
            B2BEmailImplicitRoleAssignment.self, forKey: .rbacEmailImplicitRoleAssignments)
        oauthTenantJITProvisioning = try container.decodeIfPresent(String.self, forKey: .oauthTenantJITProvisioning)
        allowedOAuthTenants = try container.decodeIfPresent(JSONValue.self, forKey: .allowedOAuthTenants)
        claimedEmailDomains = try container.decodeList(String.self, forKey: .claimedEmailDomains)
        firstPartyConnectedAppsAllowedType = try container.decodeIfPresent(
            String.self, forKey: .firstPartyConnectedAppsAllowedType)
        allowedFirstPartyConnectedApps = try container.decodeList(String.self, forKey: .allowedFirstPartyConnectedApps)
        thirdPartyConnectedAppsAllowedType = try container.decodeIfPresent(
            String.self, forKey: .thirdPartyConnectedAppsAllowedType)
        allowedThirdPartyConnectedApps = try container.decodeList(String.self, forKey: .allowedThirdPartyConnectedApps)
        customRoles = try container.decodeList(B2BCustomRole.self, forKey: .customRoles)
        trustedMetadata = try container.decodeIfPresent(JSONValue.self, forKey: .trustedMetadata)
        createdAt = try container.decodeIfPresent(String.self, forKey: .createdAt)
        updatedAt = try container.decodeIfPresent(String.self, forKey: .updatedAt)
    }
}

/// One of an organization's `sso_active_connections`.
public struct B2BActiveSSOConnection: Sendable, Codable, Hashable {
    /// `connection_id`: the SSO connection.
    public let connectionID: String
    /// `display_name`: the connection's display name.
    public let displayName: String?
    /// `identity_provider`: the identity provider, e.g. `okta`, when sent.
    public let identityProvider: String?

    enum CodingKeys: String, CodingKey {
        case connectionID = "connection_id"
        case displayName = "display_name"
        case identityProvider = "identity_provider"
    }
}

/// An organization's `scim_active_connection`.
public struct B2BActiveSCIMConnection: Sendable, Codable, Hashable {
    /// `connection_id`: the SCIM connection.
    public let connectionID: String
    /// `display_name`: the connection's display name.
    public let displayName: String?
    /// `bearer_token_last_four`: the last four characters of the SCIM bearer token.
    public let bearerTokenLastFour: String?
    /// `bearer_token_expires_at`: when the bearer token expires (RFC 3339 text), when it does.
    public let bearerTokenExpiresAt: String?

    enum CodingKeys: String, CodingKey {
        case connectionID = "connection_id"
        case displayName = "display_name"
        case bearerTokenLastFour = "bearer_token_last_four"
        case bearerTokenExpiresAt = "bearer_token_expires_at"
    }
}

/// One of an organization's `rbac_email_implicit_role_assignments`.
public struct B2BEmailImplicitRoleAssignment: Sendable, Codable, Hashable {
    /// `domain`: the email domain that grants the role.
    public let domain: String
    /// `role_id`: the role granted.
    public let roleID: String

    enum CodingKeys: String, CodingKey {
        case domain
        case roleID = "role_id"
    }
}

/// One of an organization's `custom_roles`.
public struct B2BCustomRole: Sendable, Codable, Hashable {
    /// `role_id`: the role.
    public let roleID: String
    /// `description`: the role's description, when set.
    public let description: String?
    /// `permissions`: the role's permissions, as sent (absent or null reads as empty).
    public let permissions: [JSONValue]

    enum CodingKeys: String, CodingKey {
        case roleID = "role_id"
        case description
        case permissions
    }

    /// Decodes a custom role; absent or null `permissions` reads as empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        roleID = try container.decode(String.self, forKey: .roleID)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        permissions = try container.decodeList(JSONValue.self, forKey: .permissions)
    }
}

// MARK: - Member session

/// A B2B member session (`member_session`).
public struct B2BMemberSession: Sendable, Codable, Hashable {
    /// `member_session_id`: the session.
    public let memberSessionID: String
    /// `member_id`: the session's member.
    public let memberID: String
    /// `started_at`: when the session was created.
    public let startedAt: RFC3339Timestamp
    /// `last_accessed_at`: when the session was last used.
    public let lastAccessedAt: RFC3339Timestamp
    /// `expires_at`: when the session ends.
    public let expiresAt: RFC3339Timestamp
    /// `authentication_factors`: how the member authenticated (absent or null reads as empty).
    public let authenticationFactors: [AuthenticationFactor]
    /// `custom_claims`: the session's custom claims, when any.
    public let customClaims: JSONValue?
    /// `organization_id`: the session's organization.
    public let organizationID: String
    /// `roles`: the role IDs the session carries (absent or null reads as empty).
    public let roles: [String]
    /// `organization_slug`: the organization's slug, when sent.
    public let organizationSlug: String?

    enum CodingKeys: String, CodingKey {
        case memberSessionID = "member_session_id"
        case memberID = "member_id"
        case startedAt = "started_at"
        case lastAccessedAt = "last_accessed_at"
        case expiresAt = "expires_at"
        case authenticationFactors = "authentication_factors"
        case customClaims = "custom_claims"
        case organizationID = "organization_id"
        case roles
        case organizationSlug = "organization_slug"
    }

    /// Decodes a session; absent or null lists read as empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        memberSessionID = try container.decode(String.self, forKey: .memberSessionID)
        memberID = try container.decode(String.self, forKey: .memberID)
        startedAt = try container.decode(RFC3339Timestamp.self, forKey: .startedAt)
        lastAccessedAt = try container.decode(RFC3339Timestamp.self, forKey: .lastAccessedAt)
        expiresAt = try container.decode(RFC3339Timestamp.self, forKey: .expiresAt)
        authenticationFactors = try container.decodeList(AuthenticationFactor.self, forKey: .authenticationFactors)
        customClaims = try container.decodeIfPresent(JSONValue.self, forKey: .customClaims)
        organizationID = try container.decode(String.self, forKey: .organizationID)
        roles = try container.decodeList(String.self, forKey: .roles)
        organizationSlug = try container.decodeIfPresent(String.self, forKey: .organizationSlug)
    }
}

// MARK: - MFA and primary requirements

/// `mfa_required`: the organization's MFA requirement and the member's options.
public struct B2BMFARequired: Sendable, Codable, Hashable {
    /// `member_options`: the member's MFA options, when sent.
    public let memberOptions: B2BMFAMemberOptions?
    /// `secondary_auth_initiated`: nil when none was started; `sms_otp` when a code was sent.
    public let secondaryAuthInitiated: String?

    enum CodingKeys: String, CodingKey {
        case memberOptions = "member_options"
        case secondaryAuthInitiated = "secondary_auth_initiated"
    }
}

/// `mfa_required.member_options`: how the member can complete MFA.
public struct B2BMFAMemberOptions: Sendable, Codable, Hashable {
    /// `mfa_phone_number`: the member's MFA phone number, when any (may be empty).
    public let mfaPhoneNumber: String?
    /// `totp_registration_id`: the member's TOTP registration, when any (may be empty).
    public let totpRegistrationID: String?

    enum CodingKeys: String, CodingKey {
        case mfaPhoneNumber = "mfa_phone_number"
        case totpRegistrationID = "totp_registration_id"
    }
}

/// `primary_required`: primary authentication the organization still requires.
public struct B2BPrimaryRequired: Sendable, Codable, Hashable {
    /// `allowed_auth_methods`: the methods that satisfy the requirement, e.g. `magic_link`.
    public let allowedAuthMethods: [String]

    enum CodingKeys: String, CodingKey {
        case allowedAuthMethods = "allowed_auth_methods"
    }

    /// Decodes the requirement; absent or null `allowed_auth_methods` reads as empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        allowedAuthMethods = try container.decodeList(String.self, forKey: .allowedAuthMethods)
    }
}

// MARK: - Device

/// `member_device`: the member's device, from Stytch's fingerprint lookup.
public struct B2BDeviceInfo: Sendable, Codable, Hashable {
    /// `visitor_id`: the device's fingerprint visitor ID.
    public let visitorID: String
    /// `visitor_id_details`: whether and when this visitor ID was seen before.
    public let visitorIDDetails: B2BDeviceAttributeDetails?
    /// `ip_address`: the request's IP address.
    public let ipAddress: String?
    /// `ip_address_details`: whether and when this IP address was seen before.
    public let ipAddressDetails: B2BDeviceAttributeDetails?
    /// `ip_geo_city`: the IP address's city.
    public let ipGeoCity: String?
    /// `ip_geo_region`: the IP address's region.
    public let ipGeoRegion: String?
    /// `ip_geo_country`: the IP address's country code.
    public let ipGeoCountry: String?
    /// `ip_geo_country_details`: whether and when this country was seen before.
    public let ipGeoCountryDetails: B2BDeviceAttributeDetails?

    enum CodingKeys: String, CodingKey {
        case visitorID = "visitor_id"
        case visitorIDDetails = "visitor_id_details"
        case ipAddress = "ip_address"
        case ipAddressDetails = "ip_address_details"
        case ipGeoCity = "ip_geo_city"
        case ipGeoRegion = "ip_geo_region"
        case ipGeoCountry = "ip_geo_country"
        case ipGeoCountryDetails = "ip_geo_country_details"
    }
}

/// Whether a device attribute is new for the member, and when it was first and last seen.
public struct B2BDeviceAttributeDetails: Sendable, Codable, Hashable {
    /// `is_new`: whether the attribute was never seen before for this member.
    public let isNew: Bool
    /// `first_seen_at`: when it was first seen (RFC 3339 text), when known.
    public let firstSeenAt: String?
    /// `last_seen_at`: when it was last seen (RFC 3339 text), when known.
    public let lastSeenAt: String?

    enum CodingKeys: String, CodingKey {
        case isNew = "is_new"
        case firstSeenAt = "first_seen_at"
        case lastSeenAt = "last_seen_at"
    }
}

// MARK: - Decoding helpers

extension KeyedDecodingContainer {
    /// Decodes a JSON array, reading an absent or null member as empty.
    fileprivate func decodeList<Element: Decodable>(_ type: Element.Type, forKey key: Key) throws -> [Element] {
        try decodeIfPresent([Element].self, forKey: key) ?? []
    }
}

// Field lists taken from Stytch's generated SDK models (public GitHub repositories):
// - stytchauth/stytch-php: src/B2B/Models/Passwords/AuthenticateResponse.php,
//   src/B2B/Models/Organizations/Member.php, src/B2B/Models/Organizations/Organization.php,
//   src/B2B/Models/Organizations/SSORegistration.php, src/B2B/Models/Organizations/ActiveSSOConnection.php,
//   src/B2B/Models/Organizations/CustomRole.php, src/B2B/Models/Sessions/MemberSession.php,
//   src/Consumer/Models/DeviceInfo.php
// - stytchauth/stytch-python: stytch/b2b/models/passwords.py (AuthenticateResponse, including
//   intermediate_session_token_expires_at as a datetime), stytch/b2b/models/organizations.py
//   (Member, Organization, MemberRole, MemberRoleSource, OAuthRegistration, RetiredEmail,
//   SCIMRegistration, ActiveSCIMConnection, EmailImplicitRoleAssignment),
//   stytch/b2b/models/sessions.py (MemberSession, PrimaryRequired), stytch/b2b/models/mfa.py
//   (MfaRequired, MemberOptions), stytch/consumer/models/device_history.py (DeviceInfo,
//   DeviceAttributeDetails)

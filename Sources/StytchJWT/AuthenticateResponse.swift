// TEMPORARY minimal models so the target builds; helper-1 is replacing this file with full models.
public struct B2BAuthenticateResponse: Sendable, Codable, Hashable {
    public let requestID: String
    public let memberID: String
    public let organizationID: String
    public let member: B2BMember
    public let sessionToken: String
    public let sessionJWT: String
    public let organization: B2BOrganization
    public let intermediateSessionToken: String
    public let memberAuthenticated: Bool
    public let statusCode: Int
    public let memberSession: B2BMemberSession?
    public let mfaRequired: B2BMFARequired?
    public let intermediateSessionTokenExpiresAt: RFC3339Timestamp?
    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", memberID = "member_id", organizationID = "organization_id", member
        case sessionToken = "session_token", sessionJWT = "session_jwt", organization
        case intermediateSessionToken = "intermediate_session_token", memberAuthenticated = "member_authenticated"
        case statusCode = "status_code", memberSession = "member_session", mfaRequired = "mfa_required"
        case intermediateSessionTokenExpiresAt = "intermediate_session_token_expires_at"
    }
}
public struct B2BMember: Sendable, Codable, Hashable {
    public let memberID: String
    enum CodingKeys: String, CodingKey { case memberID = "member_id" }
}
public struct B2BOrganization: Sendable, Codable, Hashable {
    public let organizationID: String
    public let organizationSlug: String?
    enum CodingKeys: String, CodingKey { case organizationID = "organization_id", organizationSlug = "organization_slug" }
}
public struct B2BMemberSession: Sendable, Codable, Hashable {
    public let memberSessionID: String
    public let memberID: String
    public let startedAt: RFC3339Timestamp
    public let lastAccessedAt: RFC3339Timestamp
    public let expiresAt: RFC3339Timestamp
    public let authenticationFactors: [AuthenticationFactor]
    public let organizationID: String
    public let roles: [String]
    public let organizationSlug: String?
    enum CodingKeys: String, CodingKey {
        case memberSessionID = "member_session_id", memberID = "member_id", startedAt = "started_at"
        case lastAccessedAt = "last_accessed_at", expiresAt = "expires_at", authenticationFactors = "authentication_factors"
        case organizationID = "organization_id", roles, organizationSlug = "organization_slug"
    }
}
public struct B2BMFARequired: Sendable, Codable, Hashable {
    public let secondaryAuthInitiated: String?
    enum CodingKeys: String, CodingKey { case secondaryAuthInitiated = "secondary_auth_initiated" }
}

public import Foundation

/// A verified Stytch B2B session JWT: who the member is, in which organization, and the session
/// behind the token.
///
/// Two expiries, never to be confused: ``expiresAt`` is when the **session** ends (hours or days),
/// ``jwt``'s ``JWTMetadata/expiresAt`` is when this **JWT** stops being accepted (five minutes
/// after issue).
public struct VerifiedSession: Sendable, Hashable {
    /// The member ID (the JWT's `sub`).
    public let memberID: String
    /// The organization ID.
    public let organizationID: String
    /// The organization slug, when the token carries one.
    public let organizationSlug: String?
    /// The member session ID.
    public let memberSessionID: String
    /// When the session started.
    public let startedAt: RFC3339Timestamp
    /// When the session was last used.
    public let lastAccessedAt: RFC3339Timestamp
    /// When the session expires.
    public let expiresAt: RFC3339Timestamp
    /// The member's roles (empty when the token has none).
    public let roles: [String]
    /// How the member authenticated in this session.
    public let authenticationFactors: [AuthenticationFactor]
    /// The payload's other members: everything except `iss sub aud exp nbf iat jti` and the two
    /// `https://stytch.com/…` claims.
    public let customClaims: [String: JSONValue]
    /// The JWT's own header and registered claims.
    public let jwt: JWTMetadata

    /// Whether any authentication factor has the given type (e.g. `.totp` once MFA is done).
    public func hasFactor(_ type: FactorType) -> Bool {
        authenticationFactors.contains { $0.type == type }
    }
}

/// The JWT's own metadata.
public struct JWTMetadata: Sendable, Hashable {
    /// The `kid` of the key that signed it.
    public let keyID: String
    /// The issuer (`iss`).
    public let issuer: String
    /// The audience (`aud`), as a list even when sent as one string.
    public let audience: [String]
    /// `iat`, in seconds since 1970.
    public let issuedAt: Double
    /// `nbf`, in seconds since 1970.
    public let notBefore: Double
    /// `exp`, in seconds since 1970.
    public let expiresAt: Double
    /// `jti`, when sent as a string.
    public let id: String?

    /// `iat` as a date.
    public var issuedAtDate: Date { Date(timeIntervalSince1970: issuedAt) }
    /// `exp` as a date.
    public var expiresAtDate: Date { Date(timeIntervalSince1970: expiresAt) }
}

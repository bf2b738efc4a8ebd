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
    ///
    /// Built on each read from the claims as the token carried them (a token with none or one
    /// keeps no dictionary, so verifying it makes none); ``customClaim(_:)`` reads one claim
    /// without building it.
    public var customClaims: [String: JSONValue] { custom.dictionary }
    /// The custom claims as read (see ``CustomClaims``).
    let custom: CustomClaims
    /// The JWT's own header and registered claims.
    public let jwt: JWTMetadata

    /// The custom claim named `name` (a member of ``customClaims``), or nil when the token has none.
    public func customClaim(_ name: String) -> JSONValue? {
        custom[name]
    }

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

/// A payload's custom claims as read. Most session JWTs carry none or one, so those keep no
/// dictionary: a verification then allocates and hashes nothing for them. Two or more are kept
/// as a dictionary. Each set of claims has exactly one form, so the synthesized equality and
/// hashing are those of the claims themselves.
struct CustomClaims: Sendable, Hashable {
    private enum Storage: Sendable, Hashable {
        case none
        case one(name: String, value: JSONValue)
        /// Two or more claims.
        case many([String: JSONValue])
    }
    private var storage = Storage.none

    init() {}

    /// Adds a claim, or returns false (changing nothing) when one of that name is already here.
    mutating func insert(_ name: String, _ value: JSONValue) -> Bool {
        switch storage {
        case .none:
            storage = .one(name: name, value: value)
        case .one(let first, let firstValue):
            guard name != first else { return false }
            storage = .many([first: firstValue, name: value])
        case .many(var claims):
            guard claims[name] == nil else { return false }
            storage = .none  // leaves `claims` the only reference, so it grows in place
            claims[name] = value
            storage = .many(claims)
        }
        return true
    }

    /// The claim named `name`, if any.
    subscript(name: String) -> JSONValue? {
        switch storage {
        case .none: nil
        case .one(let first, let value): first == name ? value : nil
        case .many(let claims): claims[name]
        }
    }

    /// The claims as a dictionary.
    var dictionary: [String: JSONValue] {
        switch storage {
        case .none: [:]
        case .one(let name, let value): [name: value]
        case .many(let claims): claims
        }
    }
}

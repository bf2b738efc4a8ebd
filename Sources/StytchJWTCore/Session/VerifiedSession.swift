public import Foundation

/// A verified Stytch B2B session JWT: who the member is, in which organization, and the session
/// behind the token.
///
/// Two expiries, never to be confused: ``expiresAt`` is when the **session** ends (hours or days),
/// ``jwt``'s ``JWTMetadata/expiresAt`` is when this **JWT** stops being accepted (five minutes
/// after issue).
public struct VerifiedSession: Sendable, Hashable {
    /// The member ID (the JWT's `sub`).
    public var memberID: String { read { $0.memberID } }
    /// The organization ID.
    public var organizationID: String { read { $0.organizationID } }
    /// The organization slug, when the token carries one.
    public var organizationSlug: String? { read { $0.organizationSlug } }
    /// The member session ID.
    public var memberSessionID: String { read { $0.memberSessionID } }
    /// When the session started.
    public var startedAt: RFC3339Timestamp { read { $0.startedAt } }
    /// When the session was last used.
    public var lastAccessedAt: RFC3339Timestamp { read { $0.lastAccessedAt } }
    /// When the session expires.
    public var expiresAt: RFC3339Timestamp { read { $0.expiresAt } }
    /// The member's roles (empty when the token has none).
    public var roles: [String] { read { $0.roles } }
    /// How the member authenticated in this session.
    public var authenticationFactors: [AuthenticationFactor] { read { $0.authenticationFactors } }
    /// The payload's other members: everything except `iss sub aud exp nbf iat jti` and the two
    /// `https://stytch.com/…` claims.
    ///
    /// Built on each read from the claims as the token carried them (a token with none or one
    /// keeps no dictionary, so verifying it makes none); ``customClaim(_:)`` reads one claim
    /// without building it.
    public var customClaims: [String: JSONValue] { read { $0.custom.dictionary } }
    /// The JWT's own header and registered claims.
    public var jwt: JWTMetadata { read { $0.jwt } }

    /// The session's values, synthesized equality and hashing included.
    fileprivate struct Fields: Sendable, Hashable {
        let memberID: String
        let organizationID: String
        let organizationSlug: String?
        let memberSessionID: String
        let startedAt: RFC3339Timestamp
        let lastAccessedAt: RFC3339Timestamp
        let expiresAt: RFC3339Timestamp
        let roles: [String]
        let authenticationFactors: [AuthenticationFactor]
        let custom: CustomClaims
        let jwt: JWTMetadata
    }

    /// Where the values live. A session the verified-token cache keeps is boxed: one reference to
    /// all of them, since a cache hit is copied out of the cache, into the request's context and
    /// along the framework's middleware chain on every request, and a struct of a dozen strings
    /// and arrays costs a reference count per field per copy (about fifty atomic operations per
    /// request, on values both threads share). A session verified with the cache off stays inline
    /// and costs no allocation for the box.
    private enum Storage: Sendable {
        case inline(Fields)
        case boxed(Box)
    }

    fileprivate final class Box: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private let storage: Storage

    /// One value, read where it lives without copying the others (a getter returning all the
    /// values would copy each: a dozen reference counts for every property read).
    @inline(__always)
    private func read<Value>(_ value: (borrowing Fields) -> Value) -> Value {
        switch storage {
        case .inline(let fields): value(fields)
        case .boxed(let box): value(box.fields)
        }
    }

    private init(storage: Storage) {
        self.storage = storage
    }

    init(
        memberID: String, organizationID: String, organizationSlug: String?, memberSessionID: String,
        startedAt: RFC3339Timestamp, lastAccessedAt: RFC3339Timestamp, expiresAt: RFC3339Timestamp,
        roles: [String], authenticationFactors: [AuthenticationFactor], custom: CustomClaims, jwt: JWTMetadata
    ) {
        storage = .inline(Fields(
            memberID: memberID, organizationID: organizationID, organizationSlug: organizationSlug,
            memberSessionID: memberSessionID, startedAt: startedAt, lastAccessedAt: lastAccessedAt,
            expiresAt: expiresAt, roles: roles, authenticationFactors: authenticationFactors, custom: custom, jwt: jwt
        ))
    }

    /// A session in one box, as the verified-token cache keeps it: one word, one reference.
    struct Boxed: Sendable {
        fileprivate let box: Box
        /// The session, sharing the box.
        var session: VerifiedSession { VerifiedSession(storage: .boxed(box)) }
        /// The heap bytes of a box, for the cache's accounting.
        static let boxBytes = 16 + MemoryLayout<Fields>.stride
    }

    /// This session with its values in one box.
    func boxed() -> Boxed {
        switch storage {
        case .inline(let fields): Boxed(box: Box(fields))
        case .boxed(let box): Boxed(box: box)
        }
    }

    /// The custom claim named `name` (a member of ``customClaims``), or nil when the token has none.
    public func customClaim(_ name: String) -> JSONValue? {
        read { $0.custom[name] }
    }

    /// Calls `body` with each custom claim in name order, building no dictionary for a token with
    /// none or one (a writer of ``customClaims`` in a stable order).
    package func forEachCustomClaimInNameOrder(_ body: (String, JSONValue) -> Void) {
        read { $0.custom.forEachInNameOrder(body) }
    }

    /// Whether any authentication factor has the given type (e.g. `.totp` once MFA is done).
    public func hasFactor(_ type: FactorType) -> Bool {
        authenticationFactors.contains { $0.type == type }
    }

    /// Whether two sessions hold the same values (wherever each keeps them).
    public static func == (lhs: VerifiedSession, rhs: VerifiedSession) -> Bool {
        if case .boxed(let left) = lhs.storage, case .boxed(let right) = rhs.storage, left === right { return true }
        return lhs.read { left in rhs.read { left == $0 } }
    }

    /// Hashes the session's values, as `==` compares them.
    public func hash(into hasher: inout Hasher) {
        read { hasher.combine($0) }
    }
}

extension VerifiedSession: CustomReflectable {
    /// The session's values, as a struct of them would show in `dump` and the debugger.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "memberID": memberID, "organizationID": organizationID, "organizationSlug": organizationSlug as Any,
            "memberSessionID": memberSessionID, "startedAt": startedAt, "lastAccessedAt": lastAccessedAt,
            "expiresAt": expiresAt, "roles": roles, "authenticationFactors": authenticationFactors,
            "customClaims": customClaims, "jwt": jwt,
        ], displayStyle: .struct)
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

    /// Calls `body` with each claim in name order.
    func forEachInNameOrder(_ body: (String, JSONValue) -> Void) {
        switch storage {
        case .none: break
        case .one(let name, let value): body(name, value)
        case .many(let claims): for (name, value) in claims.sorted(by: { $0.key < $1.key }) { body(name, value) }
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

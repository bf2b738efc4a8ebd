import Foundation

/// The kinds of JWT a Stytch B2B project signs with its keys (SPEC §9). Kinds never stand in for
/// each other: a token with the session claim is a session JWT; without it, `scope` with the
/// organization claim is a Connected Apps access token and `scope` alone an M2M access token.
public enum StytchTokenKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A member session JWT (`session_jwt`).
    case session
    /// An M2M access token (client-credentials grant).
    case m2m
    /// A Connected Apps access token (Stytch as an OAuth/OIDC provider, acting for a member).
    case connectedApps = "access_token"

    /// The stable name: `session`, `m2m`, `access_token`.
    public var description: String { rawValue }
}

extension StytchJWTError {
    /// `wrong_token_kind`, naming the kind found and the kind expected.
    static func wrongKind(_ found: StytchTokenKind, expected: StytchTokenKind) -> StytchJWTError {
        wrongKind(found, accepted: [expected])
    }

    /// `wrong_token_kind`, naming the kind found and every kind accepted (in a stable order).
    static func wrongKind(_ found: StytchTokenKind, accepted: Set<StytchTokenKind>) -> StytchJWTError {
        let names = StytchTokenKind.allCases.filter(accepted.contains).map(\.readableName)
        return StytchJWTError(.wrongTokenKind, "the token is a \(found.readableName), not a \(names.joined(separator: " or "))")
    }
}

extension StytchTokenKind {
    var readableName: String {
        switch self {
        case .session: "session JWT"
        case .m2m: "M2M access token"
        case .connectedApps: "Connected Apps access token"
        }
    }
}

/// A verified M2M access token: which client, with which scopes.
public struct VerifiedM2MToken: Sendable, Hashable {
    /// The M2M client ID (the JWT's `sub`).
    public let clientID: String
    /// The granted scopes: `scope` split at spaces (U+0020 only, as Stytch does), empty pieces dropped.
    public let scopes: [String]
    /// The payload's other members: everything except `iss sub aud exp nbf iat jti scope`.
    public let customClaims: [String: JSONValue]
    /// The JWT's own header and registered claims.
    public let jwt: JWTMetadata
}

/// A verified Connected Apps access token: which member, of which organization, with which scopes.
public struct VerifiedAccessToken: Sendable, Hashable {
    /// The member ID (the JWT's `sub`).
    public let memberID: String
    /// The organization ID.
    public let organizationID: String
    /// The organization slug, when the token carries one.
    public let organizationSlug: String?
    /// The granted scopes: `scope` split at white space as stytch-python's `str.split()` does
    /// (``ConnectedAppsScopes/separators``), empty pieces dropped.
    public let scopes: [String]
    /// The payload's other members: everything except `iss sub aud exp nbf iat jti scope` and
    /// the organization claim (`client_id` stays here, as in stytch-python's local introspection).
    public let customClaims: [String: JSONValue]
    /// The JWT's own header and registered claims.
    public let jwt: JWTMetadata
}

/// Stytch's M2M scope rules (`m2m.authenticate_token`'s `required_scopes`).
public enum M2MScopes {
    /// The scopes of `scope`: split at U+0020, empty pieces dropped.
    public static func parse(_ scope: String) -> [String] {
        scope.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `scope` split at its first `:` into action and resource; a scope without `:` has the
    /// resource `-` (stytch-python's reading, so `admin` and `admin:-` are one scope). A second
    /// `:` stays in the resource (stytch-python raises there).
    static func actionAndResource(_ scope: String) -> (action: Substring.UTF8View, resource: Substring.UTF8View) {
        guard let colon = scope.utf8.firstIndex(of: UInt8(ascii: ":")) else {
            return (Substring(scope).utf8, Substring("-").utf8)
        }
        return (scope[..<colon].utf8, scope[scope.utf8.index(after: colon)...].utf8)
    }

    /// The required scopes that `granted` does not grant, in the order given: a required
    /// `action:resource` is granted by a scope with the same action (byte for byte) and the same
    /// resource or the resource `*`.
    public static func missing(required: [String], granted: [String]) -> [String] {
        let grants = granted.map(actionAndResource)
        return required.filter { scope in
            let needed = actionAndResource(scope)
            return !grants.contains { grant in
                grant.action.elementsEqual(needed.action)
                    && (grant.resource.elementsEqual(needed.resource) || grant.resource.elementsEqual("*".utf8))
            }
        }
    }
}

/// Stytch's Connected Apps scope rules (`idp.introspect_access_token_local`).
public enum ConnectedAppsScopes {
    /// The code points `scope` is split at: those Python's `str.split()` splits at, which
    /// stytch-python uses for Connected Apps tokens (M2M tokens split at U+0020 only).
    public static let separators: Set<Unicode.Scalar> = Set([
        0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
        0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A,
        0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
    ].compactMap(Unicode.Scalar.init(_:)))

    /// The scopes of `scope`, split at ``separators``, empty pieces dropped.
    public static func parse(_ scope: String) -> [String] {
        scope.unicodeScalars.split(whereSeparator: separators.contains).map { String(String.UnicodeScalarView($0)) }
    }

    /// Whether a token with `scopes` may perform `action` on `resource` under `policy`: one of the
    /// token's scopes is a scope of the policy (byte for byte) with a permission on the resource
    /// whose actions hold the action or `*` (stytch-python's `perform_scope_authorization_check`;
    /// scope names are opaque here: `read:*` matches only a policy scope named `read:*`).
    public static func grants(_ scopes: [String], resource: String, action: String, policy: RBACPolicy) -> Bool {
        policy.scopes.contains { policyScope in
            scopes.containsUTF8(policyScope.scope) && policyScope.permissions.contains { permission in
                permission.resourceID.hasSameUTF8(as: resource)
                    && (permission.actions.containsUTF8(action) || permission.actions.containsUTF8("*"))
            }
        }
    }
}

extension StytchJWTVerifier {
    /// Verifies an M2M access token and checks it grants every one of `requiredScopes`.
    ///
    /// ```swift
    /// let client = try await verifier.verify(m2mToken: token, requiredScopes: ["read:users"])
    /// ```
    ///
    /// - Throws: ``StytchJWTError``: every code of a session JWT's steps 1 to 5, then
    ///   `wrong_token_kind` for a session JWT or a Connected Apps token, `insufficient_scope`
    ///   naming the missing scopes (``StytchJWTError/missingScopes``).
    public func verify(m2mToken token: String, requiredScopes: [String] = []) async throws(StytchJWTError) -> VerifiedM2MToken {
        do throws(StytchJWTError) {
            var (jws, payload, kid) = try read(token)
            try jws.checkSignature(with: await key(for: kid))
            return try m2mToken(&payload, kid: kid, requiredScopes: requiredScopes)
        } catch {
            throw record(error)
        }
    }

    /// Verifies an M2M access token with the keys held now (see ``verify(m2mToken:requiredScopes:)``).
    public func verify(m2mToken token: String, requiredScopes: [String] = []) throws(StytchJWTError) -> VerifiedM2MToken {
        do throws(StytchJWTError) {
            var (jws, payload, kid) = try read(token)
            try jws.checkSignature(with: heldKey(for: kid))
            return try m2mToken(&payload, kid: kid, requiredScopes: requiredScopes)
        } catch {
            throw record(error)
        }
    }

    /// Verifies a Connected Apps access token issued for this project.
    ///
    /// - Throws: ``StytchJWTError``: every code of a session JWT's steps 1 to 5, then
    ///   `wrong_token_kind` for a session JWT or an M2M token.
    public func verify(accessToken token: String) async throws(StytchJWTError) -> VerifiedAccessToken {
        do throws(StytchJWTError) {
            var (jws, payload, kid) = try read(token)
            try jws.checkSignature(with: await key(for: kid))
            return try connectedAppsToken(&payload, kid: kid)
        } catch {
            throw record(error)
        }
    }

    /// Verifies a Connected Apps access token with the keys held now (see ``verify(accessToken:)``).
    public func verify(accessToken token: String) throws(StytchJWTError) -> VerifiedAccessToken {
        do throws(StytchJWTError) {
            var (jws, payload, kid) = try read(token)
            try jws.checkSignature(with: heldKey(for: kid))
            return try connectedAppsToken(&payload, kid: kid)
        } catch {
            throw record(error)
        }
    }

    // MARK: - Steps

    /// Step 5 and the kind: the registered claims, then the kind the claims make must be `kind`.
    private func accessTokenClaims(_ payload: inout PayloadFields, kid: String, expecting kind: StytchTokenKind) throws(StytchJWTError) -> (subject: String, metadata: JWTMetadata) {
        let found = TokenRules.kind(of: payload)
        let registered = try registered(&payload, kid: kid, now: configuration.clock().timeIntervalSince1970)
        guard let found else { throw StytchJWTError(.missingClaim, "scope is missing") }
        guard found == kind else { throw StytchJWTError.wrongKind(found, expected: kind) }
        return registered
    }

    func m2mToken(_ payload: inout PayloadFields, kid: String, requiredScopes: [String]) throws(StytchJWTError) -> VerifiedM2MToken {
        let registered = try accessTokenClaims(&payload, kid: kid, expecting: .m2m)
        let scopes = M2MScopes.parse(try payload.scope())
        let missing = M2MScopes.missing(required: requiredScopes, granted: scopes)
        guard missing.isEmpty else { throw StytchJWTError(insufficientScope: missing) }
        return VerifiedM2MToken(clientID: registered.subject, scopes: scopes, customClaims: payload.customClaimsWithoutScope, jwt: registered.metadata)
    }

    func connectedAppsToken(_ payload: inout PayloadFields, kid: String) throws(StytchJWTError) -> VerifiedAccessToken {
        let registered = try accessTokenClaims(&payload, kid: kid, expecting: .connectedApps)
        let scopes = ConnectedAppsScopes.parse(try payload.scope())
        let organization = try TokenRules.organization(payload.organization.take())
        return VerifiedAccessToken(
            memberID: registered.subject, organizationID: organization.id, organizationSlug: organization.slug,
            scopes: scopes, customClaims: payload.customClaimsWithoutScope, jwt: registered.metadata
        )
    }
}

extension PayloadFields {
    /// `scope`, which must be a string (it may be empty).
    func scope() throws(StytchJWTError) -> String {
        guard case .string(let scope)? = custom["scope"] else { throw StytchJWTError(.malformed, "scope is not a string") }
        return scope
    }

    /// The custom claims without `scope`.
    var customClaimsWithoutScope: [String: JSONValue] {
        custom.dictionary.filter { !$0.key.hasSameUTF8(as: "scope") }
    }
}

/// An identity the framework guards can read: a ``VerifiedSession``, a ``StytchCredential``, or an
/// application's own identity type that carries one.
public protocol StytchIdentity: Sendable {
    /// The verified Stytch credential behind this identity.
    var stytchCredential: StytchCredential { get }
}

extension VerifiedSession: StytchIdentity {
    /// The session as a credential.
    public var stytchCredential: StytchCredential { .session(self) }
}

/// What a route that accepts several kinds of Stytch JWT was given.
public enum StytchCredential: StytchIdentity, Sendable, Hashable {
    /// The credential itself.
    public var stytchCredential: StytchCredential { self }

    /// A member session JWT.
    case session(VerifiedSession)
    /// An M2M access token.
    case m2m(VerifiedM2MToken)
    /// A Connected Apps access token.
    case accessToken(VerifiedAccessToken)

    /// The kind of token.
    public var kind: StytchTokenKind {
        switch self {
        case .session: .session
        case .m2m: .m2m
        case .accessToken: .connectedApps
        }
    }

    /// The scopes an access token grants (empty for a session).
    public var scopes: [String] {
        switch self {
        case .session: []
        case .m2m(let token): token.scopes
        case .accessToken(let token): token.scopes
        }
    }
}

extension StytchJWTVerifier {
    /// Verifies a token that may be any of `kinds`: read and signature-checked once, its kind
    /// taken from its claims (SPEC §9), then checked as that kind. A kind not accepted is
    /// `wrong_token_kind`; an M2M token must grant `requiredScopes` (`insufficient_scope`).
    ///
    /// Routes that take sessions only should call `verify(sessionJWT:)`, which has the
    /// verified-token cache.
    public func verify(
        token: String, accepting kinds: Set<StytchTokenKind>, requiredScopes: [String] = []
    ) async throws(StytchJWTError) -> StytchCredential {
        do throws(StytchJWTError) {
            var (jws, payload, kid) = try read(token)
            try jws.checkSignature(with: await key(for: kid))
            let kind = TokenRules.kind(of: payload) ?? .session
            guard kinds.contains(kind) else { throw StytchJWTError.wrongKind(kind, accepted: kinds) }
            switch kind {
            case .session:
                return .session(try session(&payload, kid: kid, now: configuration.clock().timeIntervalSince1970))
            case .m2m:
                return .m2m(try m2mToken(&payload, kid: kid, requiredScopes: requiredScopes))
            case .connectedApps:
                return .accessToken(try connectedAppsToken(&payload, kid: kid))
            }
        } catch {
            throw record(error)
        }
    }
}

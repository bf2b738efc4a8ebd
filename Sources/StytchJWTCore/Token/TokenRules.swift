import Foundation

/// Every rule about a token's header and claims, each in one place, over what ``TokenReader``
/// read. The verifier applies them in the order of the specification (the first failing rule
/// decides the error): the header rules, then (after the key and the signature) the registered
/// claims, the Stytch claims, and the rules of each kind of token.
enum TokenRules {
    /// The session claim's name.
    static let sessionClaim = "https://stytch.com/session"
    /// The organization claim's name.
    static let organizationClaim = "https://stytch.com/organization"

    // MARK: The header

    /// The header rules, in order, returning the `kid`: `alg` exactly `RS256`; no `crit`; no key
    /// references (`jku`, `x5u`, `jwk`, `x5c`: the key comes only from configuration, and a token
    /// that points elsewhere is refused outright); `typ`, if present, `JWT` in any ASCII case;
    /// `kid` a non-empty string.
    static func kid(of header: HeaderFields) throws(StytchJWTError) -> String {
        switch header.alg {
        case .absent: throw StytchJWTError(.malformed, "header.alg is missing")
        case .other: throw StytchJWTError(.malformed, "header.alg is not a string")
        case .read(let alg): guard alg.hasSameUTF8(as: "RS256") else { throw StytchJWTError(.unsupportedAlgorithm, "header.alg must be RS256") }
        }
        if header.crit { throw StytchJWTError(.unsupportedHeader, "header.crit is present; no critical extensions are supported") }
        func reference(_ name: String) -> StytchJWTError {
            StytchJWTError(.unsupportedHeader, "header.\(name) is present; keys come only from configuration")
        }
        if header.jku { throw reference("jku") }
        if header.x5u { throw reference("x5u") }
        if header.jwk { throw reference("jwk") }
        if header.x5c { throw reference("x5c") }
        switch header.typ {
        case .absent: break
        case .read(let typ) where isJWT(typ): break
        default: throw StytchJWTError(.unsupportedHeader, "header.typ must be JWT")
        }
        switch header.kid {
        case .absent: throw StytchJWTError(.malformed, "header.kid is missing")
        case .read(let kid) where !kid.isEmpty: return kid
        default: throw StytchJWTError(.malformed, "header.kid is not a non-empty string")
        }
    }

    /// Whether `value` is `JWT` in any ASCII case: three bytes, compared as bytes (no Unicode
    /// case mapping or equivalence; ASCII letters differ from their lower case only in bit 0x20).
    private static func isJWT(_ value: String) -> Bool {
        let utf8 = value.utf8
        guard utf8.count == 3 else { return false }
        return zip(utf8, "jwt".utf8).allSatisfy { $0 < 0x80 && $0 | 0x20 == $1 }
    }

    // MARK: Members

    /// A required non-empty string.
    static func requiredString(_ field: consuming Field<String>, _ name: @autoclosure () -> String) throws(StytchJWTError) -> String {
        switch consume field {
        case .absent: throw StytchJWTError(.missingClaim, "\(name()) is missing")
        case .other: throw StytchJWTError(.malformed, "\(name()) is not a string")
        case .read(let string):
            guard !string.isEmpty else { throw StytchJWTError(.malformed, "\(name()) is empty") }
            return string
        }
    }

    /// An optional string (it may be empty).
    static func optionalString(_ field: consuming Field<String>, _ name: @autoclosure () -> String) throws(StytchJWTError) -> String? {
        switch consume field {
        case .absent: return nil
        case .other: throw StytchJWTError(.malformed, "\(name()) is not a string")
        case .read(let string): return string
        }
    }

    /// A required value of an open enumeration named by a non-empty string.
    static func requiredName<Value>(_ field: consuming Field<Value>, _ name: @autoclosure () -> String, isEmpty: (Value) -> Bool) throws(StytchJWTError) -> Value {
        switch consume field {
        case .absent: throw StytchJWTError(.missingClaim, "\(name()) is missing")
        case .other: throw StytchJWTError(.malformed, "\(name()) is not a string")
        case .read(let value):
            guard !isEmpty(value) else { throw StytchJWTError(.malformed, "\(name()) is empty") }
            return value
        }
    }

    /// A required RFC 3339 timestamp.
    static func requiredTimestamp(_ field: consuming Field<RFC3339Timestamp>, _ name: @autoclosure () -> String) throws(StytchJWTError) -> RFC3339Timestamp {
        guard let timestamp = try optionalTimestamp(consume field, name()) else { throw StytchJWTError(.missingClaim, "\(name()) is missing") }
        return timestamp
    }

    /// An optional RFC 3339 timestamp.
    static func optionalTimestamp(_ field: consuming Field<RFC3339Timestamp>, _ name: @autoclosure () -> String) throws(StytchJWTError) -> RFC3339Timestamp? {
        switch consume field {
        case .absent: return nil
        case .read(let timestamp): return timestamp
        case .other(.string(let text)) where text.isEmpty: throw StytchJWTError(.malformed, "\(name()) is empty")
        case .other(.string): throw StytchJWTError(.malformed, "\(name()) is not an RFC 3339 timestamp")
        case .other: throw StytchJWTError(.malformed, "\(name()) is not a string")
        }
    }

    /// An optional array of strings.
    static func optionalStrings(_ field: consuming Field<[String]>, _ name: @autoclosure () -> String) throws(StytchJWTError) -> [String]? {
        switch consume field {
        case .absent: return nil
        case .read(let strings): return strings
        case .other(.array): throw StytchJWTError(.malformed, "\(name()) holds a non-string")
        case .other: throw StytchJWTError(.malformed, "\(name()) is not an array")
        }
    }

    /// A JWT NumericDate: a finite JSON number. Strings, null and Booleans are malformed.
    static func numericDate(_ field: consuming Field<Double>, _ name: String) throws(StytchJWTError) -> Double {
        switch consume field {
        case .absent: throw StytchJWTError(.missingClaim, "\(name) is missing")
        case .read(let seconds): return seconds
        case .other(.number): throw StytchJWTError(.malformed, "\(name) is not a finite number")
        case .other: throw StytchJWTError(.malformed, "\(name) is not a number")
        }
    }

    // MARK: Claims

    /// `aud`: a string, or an array of strings.
    static func audience(_ field: consuming Field<[String]>) throws(StytchJWTError) -> [String] {
        switch consume field {
        case .absent: throw StytchJWTError(.missingClaim, "aud is missing")
        case .read(let audience): return audience
        case .other(.array): throw StytchJWTError(.malformed, "aud holds a non-string")
        case .other: throw StytchJWTError(.malformed, "aud is neither a string nor an array of strings")
        }
    }

    /// The session claim's members, in order: `id`, `started_at`, `last_accessed_at`,
    /// `expires_at`, `authentication_factors` (each factor in turn), `roles` (absent = none).
    static func session(_ session: inout SessionFields) throws(StytchJWTError) -> SessionParts {
        let name = sessionClaim
        return (
            id: try requiredString(session.id.take(), "\(name).id"),
            startedAt: try requiredTimestamp(session.startedAt.take(), "\(name).started_at"),
            lastAccessedAt: try requiredTimestamp(session.lastAccessedAt.take(), "\(name).last_accessed_at"),
            expiresAt: try requiredTimestamp(session.expiresAt.take(), "\(name).expires_at"),
            factors: try factors(session.factors.take()),
            roles: try optionalStrings(session.roles.take(), "\(name).roles") ?? []
        )
    }

    typealias SessionParts = (
        id: String, startedAt: RFC3339Timestamp, lastAccessedAt: RFC3339Timestamp, expiresAt: RFC3339Timestamp,
        factors: [AuthenticationFactor], roles: [String]
    )

    /// Where the factors sit, for error messages.
    static let factorsPath = "\(sessionClaim).authentication_factors"

    /// `authentication_factors`: an array of factor objects, each under the factor rules
    /// (``AuthenticationFactor/init(_:path:index:)``).
    static func factors(_ field: consuming Field<FactorList>) throws(StytchJWTError) -> [AuthenticationFactor] {
        switch consume field {
        case .absent: throw StytchJWTError(.missingClaim, "\(factorsPath) is missing")
        case .read(let list):
            if let failure = list.failure { throw failure }
            return list.factors
        case .other(.array(let elements)):
            // The reader keeps an array holding a non-object as JSON: the same rules, element by element.
            var factors: [AuthenticationFactor] = []
            for (index, element) in elements.enumerated() {
                guard case .object(let members) = element else { throw StytchJWTError(.malformed, "\(factorsPath)[\(index)] is not an object") }
                var fields = FactorFields(json: members)
                factors.append(try AuthenticationFactor(&fields, path: factorsPath, index: index))
            }
            return factors
        case .other: throw StytchJWTError(.malformed, "\(factorsPath) is not an array")
        }
    }

    /// The organization claim: `organization_id` and, when sent, `slug`.
    static func organization(_ field: consuming Field<OrganizationFields>) throws(StytchJWTError) -> (id: String, slug: String?) {
        let name = organizationClaim
        switch consume field {
        case .absent: throw StytchJWTError(.missingClaim, "\(name) is missing")
        case .other: throw StytchJWTError(.malformed, "\(name) is not an object")
        case .read(var organization):
            return (try requiredString(organization.organizationID.take(), "\(name).organization_id"),
                    try optionalString(organization.slug.take(), "\(name).slug"))
        }
    }

    /// The kind of token the claims make (SPEC §9): the session claim makes a session JWT;
    /// without it, `scope` with the organization claim a Connected Apps token, `scope` alone an
    /// M2M token; nil for none of these.
    static func kind(of payload: PayloadFields) -> StytchTokenKind? {
        if payload.session.isPresent { return .session }
        guard payload.custom["scope"] != nil else { return nil }
        return payload.organization.isPresent ? .connectedApps : .m2m
    }
}

extension FactorFields {
    /// The fields of a factor given as JSON (an authenticate response's, or one the reader kept
    /// as JSON), for the same rules as a factor read from a token.
    init(json members: [String: JSONValue]) {
        func open<Value>(_ value: JSONValue?, _ make: (String) -> Value) -> Field<Value> {
            guard let value else { return .absent }
            guard case .string(let text) = value else { return .other(value) }
            return .read(make(text))
        }
        func timestamp(_ value: JSONValue?) -> Field<RFC3339Timestamp> {
            guard let value else { return .absent }
            guard case .string(let text) = value, let timestamp = RFC3339Timestamp(text) else { return .other(value) }
            return .read(timestamp)
        }
        self.init(
            type: open(members["type"], FactorType.init(rawValue:)),
            deliveryMethod: open(members["delivery_method"], DeliveryMethod.init(rawValue:)),
            lastAuthenticatedAt: timestamp(members["last_authenticated_at"]),
            createdAt: timestamp(members["created_at"]), updatedAt: timestamp(members["updated_at"]),
            others: members.filter { !Self.typedNames.contains($0.key) }
        )
    }

    /// The members read into typed fields.
    static let typedNames: Set<String> = ["type", "delivery_method", "last_authenticated_at", "created_at", "updated_at"]
}

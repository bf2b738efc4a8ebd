/// How a member authenticated, as Stytch names it in `authentication_factors[].type`.
///
/// An open enum: Stytch adds factor types over time, and an unknown one decodes as
/// ``unknown(_:)`` instead of failing verification.
public enum FactorType: Sendable, Hashable, CustomStringConvertible {
    /// A type Stytch documents, named after its string (`magicLink` is `magic_link`).
    case magicLink, otp, oauth, webauthn, totp, crypto, password, signatureChallenge, sso, imported
    /// A type Stytch documents, named after its string (`emailOTP` is `email_otp`).
    case recoveryCodes, emailOTP, impersonated, trustedAuthToken
    /// A type this version does not know yet, with its string as sent.
    case unknown(String)

    private static let known: [(String, FactorType)] = [
        ("magic_link", .magicLink), ("otp", .otp), ("oauth", .oauth), ("webauthn", .webauthn),
        ("totp", .totp), ("crypto", .crypto), ("password", .password),
        ("signature_challenge", .signatureChallenge), ("sso", .sso), ("imported", .imported),
        ("recovery_codes", .recoveryCodes), ("email_otp", .emailOTP), ("impersonated", .impersonated),
        ("trusted_auth_token", .trustedAuthToken),
    ]
    private static let byName = Dictionary(uniqueKeysWithValues: known)

    /// The type for a string as Stytch sends it.
    public init(rawValue: String) {
        self = Self.byName[rawValue] ?? .unknown(rawValue)
    }

    /// The known type named by exactly these UTF-8 bytes, or nil (then ``init(rawValue:)`` decides).
    /// For the token reader: matching a name by length and bytes costs less than making a
    /// string and hashing it.
    package static func known(utf8 bytes: UnsafeBufferPointer<UInt8>) -> FactorType? {
        knownNames.match(bytes)
    }
    private static let knownNames = KnownNames(known)

    /// The string as Stytch sends it.
    public var rawValue: String {
        if case .unknown(let value) = self { return value }
        return Self.known.first(where: { $0.1 == self })!.0
    }

    /// The type's string as Stytch sends it (`rawValue`).
    public var description: String { rawValue }
}

/// How a factor was delivered (`authentication_factors[].delivery_method`), an open enum like
/// ``FactorType``: values this version does not know decode as ``unknown(_:)``.
public enum DeliveryMethod: Sendable, Hashable, CustomStringConvertible {
    /// A method Stytch documents, named after its string (`authenticatorApp` is `authenticator_app`).
    case email, sms, whatsapp, embedded, knowledge, biometric, authenticatorApp, recoveryCode
    /// A method Stytch documents, named after its string (`ssoSAML` is `sso_saml`).
    case ssoSAML, ssoOIDC, webauthnRegistration, cryptoWallet, impersonation, oauthExchange
    /// An OAuth provider's delivery method, `oauth_<provider>` (e.g. `oauth_google`), with the provider name.
    case oauth(provider: String)
    /// A method this version does not know yet, with its string as sent.
    case unknown(String)

    private static let known: [(String, DeliveryMethod)] = [
        ("email", .email), ("sms", .sms), ("whatsapp", .whatsapp), ("embedded", .embedded),
        ("knowledge", .knowledge), ("biometric", .biometric), ("authenticator_app", .authenticatorApp),
        ("recovery_code", .recoveryCode), ("sso_saml", .ssoSAML), ("sso_oidc", .ssoOIDC),
        ("webauthn_registration", .webauthnRegistration), ("crypto_wallet", .cryptoWallet),
        ("impersonation", .impersonation), ("oauth_exchange", .oauthExchange),
    ]
    private static let byName = Dictionary(uniqueKeysWithValues: known)

    /// The method for a string as Stytch sends it.
    public init(rawValue: String) {
        if let value = Self.byName[rawValue] {
            self = value
        } else if rawValue.hasPrefix("oauth_"), rawValue.count > 6 {
            self = .oauth(provider: String(rawValue.dropFirst(6)))
        } else {
            self = .unknown(rawValue)
        }
    }

    /// The known method named by exactly these UTF-8 bytes, or nil (then ``init(rawValue:)`` decides).
    package static func known(utf8 bytes: UnsafeBufferPointer<UInt8>) -> DeliveryMethod? {
        knownNames.match(bytes)
    }
    private static let knownNames = KnownNames(known)

    /// The string as Stytch sends it.
    public var rawValue: String {
        switch self {
        case .unknown(let value): return value
        case .oauth(let provider): return "oauth_" + provider
        default: return Self.known.first(where: { $0.1 == self })!.0
        }
    }

    /// The method's string as Stytch sends it (`rawValue`).
    public var description: String { rawValue }
}

/// A short table of known names, matched against UTF-8 bytes by length, then bytes: cheaper than
/// making a string and hashing it. The names are stored one after another in one buffer.
struct KnownNames<Value: Sendable>: Sendable {
    private let bytes: [UInt8]
    private let entries: [(start: Int, count: Int, value: Value)]

    init(_ names: [(String, Value)]) {
        var bytes: [UInt8] = [], entries: [(start: Int, count: Int, value: Value)] = []
        for (name, value) in names {
            entries.append((bytes.count, name.utf8.count, value))
            bytes.append(contentsOf: name.utf8)
        }
        self.bytes = bytes
        self.entries = entries
    }

    /// The value of the name whose bytes are exactly `candidate`, if any.
    func match(_ candidate: UnsafeBufferPointer<UInt8>) -> Value? {
        guard let candidateBase = candidate.baseAddress else { return nil }
        return bytes.withUnsafeBufferPointer { all in
            entries.withUnsafeBufferPointer { entries in
                next: for index in entries.indices where entries[index].count == candidate.count {
                    let name = all.baseAddress! + entries[index].start
                    for offset in 0..<candidate.count where name[offset] != candidateBase[offset] { continue next }
                    return entries[index].value
                }
                return nil
            }
        }
    }
}

/// The factor-specific sub-object of an authentication factor, such as `email_factor`,
/// `phone_number_factor`, `google_oauth_factor`, `saml_sso_factor` or `authenticator_app_factor`.
public struct FactorDetail: Sendable, Hashable {
    /// The member name, e.g. `"email_factor"`.
    public let name: String
    /// The sub-object's members as sent.
    public let fields: [String: JSONValue]

    /// The identifier Stytch gives the underlying registration: `id`, `email_id`, `phone_id`,
    /// `totp_id` or `totp_recovery_code_id`, whichever the sub-object has (in that order).
    public var id: String? {
        for key in ["id", "email_id", "phone_id", "totp_id", "totp_recovery_code_id"] {
            if let value = fields[key]?.stringValue { return value }
        }
        return nil
    }

    /// `email_address`, for email factors.
    public var emailAddress: String? { fields["email_address"]?.stringValue }
    /// `phone_number`, for phone factors.
    public var phoneNumber: String? { fields["phone_number"]?.stringValue }
    /// `provider_subject`, for OAuth factors.
    public var providerSubject: String? { fields["provider_subject"]?.stringValue }
    /// `provider_id`, for SSO factors.
    public var providerID: String? { fields["provider_id"]?.stringValue }
    /// `external_id`, for SSO factors.
    public var externalID: String? { fields["external_id"]?.stringValue }
}

/// One entry of a session's `authentication_factors`.
public struct AuthenticationFactor: Sendable, Hashable, Codable {
    /// How the member authenticated.
    public let type: FactorType
    /// How the factor was delivered.
    public let deliveryMethod: DeliveryMethod
    /// When the factor was last used, when sent.
    public let lastAuthenticatedAt: RFC3339Timestamp?
    /// When the factor was created, when sent.
    public let createdAt: RFC3339Timestamp?
    /// When the factor was updated, when sent.
    public let updatedAt: RFC3339Timestamp?
    /// The factor-specific sub-object, when sent (at most one).
    public let detail: FactorDetail?
    /// The factor exactly as sent.
    public var json: JSONValue { sentJSON ?? typedJSON }
    /// The factor as sent, unless it had only the five members this type reads, all strings
    /// (Stytch's usual factor in a session JWT): that object is exactly ``typedJSON``, which
    /// ``json`` rebuilds when asked, so reading a token makes no dictionary for its factors.
    /// (A `var` only so that `init` can build it from the typed fields; nothing else sets it.)
    private var sentJSON: JSONValue?

    /// Equality is of the factor as sent: the typed fields (timestamps by instant) and ``json``.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        guard lhs.type == rhs.type, lhs.deliveryMethod == rhs.deliveryMethod,
              lhs.lastAuthenticatedAt == rhs.lastAuthenticatedAt, lhs.createdAt == rhs.createdAt,
              lhs.updatedAt == rhs.updatedAt, lhs.detail == rhs.detail
        else { return false }
        if lhs.sentJSON == nil, rhs.sentJSON == nil {
            // Both objects are built from these fields: they differ only if a timestamp's text does.
            return lhs.lastAuthenticatedAt?.text == rhs.lastAuthenticatedAt?.text
                && lhs.createdAt?.text == rhs.createdAt?.text && lhs.updatedAt?.text == rhs.updatedAt?.text
        }
        return lhs.json == rhs.json
    }

    /// Hashes the typed fields only: equal factors have equal typed fields, so this agrees with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(deliveryMethod)
        hasher.combine(lastAuthenticatedAt)
        hasher.combine(createdAt)
        hasher.combine(updatedAt)
        hasher.combine(detail)
    }

    /// Whether ``json`` is the object as sent (it had members besides the five typed ones), not
    /// one rebuilt from the typed fields.
    package var keepsSentJSON: Bool { sentJSON != nil }

    /// Calls `body` with each member of the object rebuilt from the typed fields, in key order: for
    /// writers of a factor that does not ``keepsSentJSON``, which would otherwise build ``json``'s
    /// dictionary only to sort it.
    package func forEachTypedMemberInKeyOrder(_ body: (String, String) -> Void) {
        if let createdAt { body("created_at", createdAt.text) }
        body("delivery_method", deliveryMethod.rawValue)
        if let lastAuthenticatedAt { body("last_authenticated_at", lastAuthenticatedAt.text) }
        body("type", type.rawValue)
        if let updatedAt { body("updated_at", updatedAt.text) }
    }

    /// The factor's object rebuilt from the typed fields.
    private var typedJSON: JSONValue { .object(typedMembers(adding: [:])) }

    /// `others` plus the five members read into typed fields: `type` and `delivery_method` as
    /// sent (both types keep the string they were read from), each timestamp sent with its text.
    private func typedMembers(adding others: [String: JSONValue]) -> [String: JSONValue] {
        var members = others
        members["type"] = .string(type.rawValue)
        members["delivery_method"] = .string(deliveryMethod.rawValue)
        if let lastAuthenticatedAt { members["last_authenticated_at"] = .string(lastAuthenticatedAt.text) }
        if let createdAt { members["created_at"] = .string(createdAt.text) }
        if let updatedAt { members["updated_at"] = .string(updatedAt.text) }
        return members
    }

    /// A factor under the factor rules, in order: `type` and `delivery_method` non-empty strings,
    /// the three timestamps valid when sent, at most one member whose value is an object (the
    /// factor sub-object). `path` and `index` name it in errors (e.g. `authentication_factors[0]`);
    /// the name is built only when there is an error to report. A factor with members besides the
    /// five typed ones keeps its JSON; Stytch's usual factor keeps none (``json`` rebuilds it).
    init(_ fields: inout FactorFields, path: @autoclosure () -> String, index: Int? = nil) throws(StytchJWTError) {
        func name(_ member: String) -> String {
            let factor = index.map { "\(path())[\($0)]" } ?? path()
            return "\(factor).\(member)"
        }
        self.type = try TokenRules.requiredName(fields.type.take(), name("type")) { if case .unknown("") = $0 { true } else { false } }
        self.deliveryMethod = try TokenRules.requiredName(fields.deliveryMethod.take(), name("delivery_method")) {
            if case .unknown("") = $0 { true } else { false }
        }
        self.lastAuthenticatedAt = try TokenRules.optionalTimestamp(fields.lastAuthenticatedAt.take(), name("last_authenticated_at"))
        self.createdAt = try TokenRules.optionalTimestamp(fields.createdAt.take(), name("created_at"))
        self.updatedAt = try TokenRules.optionalTimestamp(fields.updatedAt.take(), name("updated_at"))
        var detail: FactorDetail?
        for (member, value) in fields.others {
            guard case .object(let subFields) = value else { continue }
            guard detail == nil else {
                throw StytchJWTError(.malformed, "\(index.map { "\(path())[\($0)]" } ?? path()) has more than one factor sub-object")
            }
            detail = FactorDetail(name: member, fields: subFields)
        }
        self.detail = detail
        self.sentJSON = nil
        if !fields.others.isEmpty { self.sentJSON = .object(typedMembers(adding: fields.others)) }
    }

    /// What the response cross-check compares: type, delivery method and sub-object id.
    var crossCheckKey: String {
        "\(type.rawValue)\u{0}\(deliveryMethod.rawValue)\u{0}\(detail?.id ?? "")"
    }

    /// Decodes a factor from its JSON object under the rules a token's factors meet.
    public init(from decoder: any Decoder) throws {
        let json = try JSONValue(from: decoder)
        guard case .object(let members) = json else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "authentication_factor is not an object"))
        }
        do {
            var fields = FactorFields(json: members)
            try self.init(&fields, path: "authentication_factor")
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    /// Encodes the factor as the JSON object it was read from.
    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }
}

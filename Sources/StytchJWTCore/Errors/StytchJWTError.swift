/// The one error every StytchJWT API throws for a rejection.
///
/// Compare errors by ``code``: its ``Code/description`` is the stable code of the specification
/// (`malformed`, `expired`, …), the same in the library, the CLI's JSON and the middleware's logs.
/// ``message`` names the failing claim or field; it is safe to log and never contains a token,
/// a key or a secret.
///
/// ```swift
/// do {
///     let session = try await verifier.verify(sessionJWT: token)
/// } catch where error.code == .expired {   // error is a StytchJWTError: verify throws only that
///     // refresh the session
/// }
/// ```
public struct StytchJWTError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable, machine-readable reason for a rejection.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Backing: String, Sendable, CaseIterable {
            case malformed
            case unsupportedAlgorithm = "unsupported_algorithm"
            case unsupportedHeader = "unsupported_header"
            case unknownKey = "unknown_key"
            case invalidSignature = "invalid_signature"
            case expired
            case notYetValid = "not_yet_valid"
            case tokenTooOld = "token_too_old"
            case issuerMismatch = "issuer_mismatch"
            case audienceMismatch = "audience_mismatch"
            case missingClaim = "missing_claim"
            case sessionMismatch = "session_mismatch"
            case mfaRequired = "mfa_required"
            case keysUnavailable = "keys_unavailable"
            case tenancyMismatch = "tenancy_mismatch"
            case permissionDenied = "permission_denied"
            case stytchAPIError = "stytch_api_error"
            case invalidConfiguration = "invalid_configuration"
            case wrongTokenKind = "wrong_token_kind"
            case insufficientScope = "insufficient_scope"
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The token, a segment, or a JSON document is not well formed, or a claim has the wrong type.
        public static let malformed = Code(.malformed)
        /// The header's `alg` is not `RS256`.
        public static let unsupportedAlgorithm = Code(.unsupportedAlgorithm)
        /// The header carries `crit`, a key reference (`jku`, `x5u`, `jwk`, `x5c`) or a `typ` other than `JWT`.
        public static let unsupportedHeader = Code(.unsupportedHeader)
        /// No usable key has the token's `kid`.
        public static let unknownKey = Code(.unknownKey)
        /// The RS256 signature does not verify.
        public static let invalidSignature = Code(.invalidSignature)
        /// The JWT (`exp`) or the session (`expires_at`) has expired.
        public static let expired = Code(.expired)
        /// `nbf` or `iat` lies in the future.
        public static let notYetValid = Code(.notYetValid)
        /// The token is older than the configured maximum token age.
        public static let tokenTooOld = Code(.tokenTooOld)
        /// `iss` is not one of the accepted issuers.
        public static let issuerMismatch = Code(.issuerMismatch)
        /// `aud` does not contain the project ID.
        public static let audienceMismatch = Code(.audienceMismatch)
        /// A required claim or field is absent.
        public static let missingClaim = Code(.missingClaim)
        /// The JWT disagrees with the authenticate response that carried it.
        public static let sessionMismatch = Code(.sessionMismatch)
        /// The member must still complete MFA: no session exists yet.
        public static let mfaRequired = Code(.mfaRequired)
        /// No usable key could be had (the key set is empty, unreadable or unreachable).
        public static let keysUnavailable = Code(.keysUnavailable)
        /// The session belongs to another organization than the one asked about.
        public static let tenancyMismatch = Code(.tenancyMismatch)
        /// The session's roles do not grant the requested permission.
        public static let permissionDenied = Code(.permissionDenied)
        /// A call to Stytch's API failed.
        public static let stytchAPIError = Code(.stytchAPIError)
        /// A verifier, cache, fetcher, client or middleware was set up with values that cannot work
        /// (a project ID a URL path cannot carry, a non-https base URL, a guard without the
        /// authorizer it needs). Thrown at construction, never for a token.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The token is another kind of Stytch JWT than the one expected (a session JWT where an
        /// M2M token is expected, or the reverse; the message names both).
        public static let wrongTokenKind = Code(.wrongTokenKind)
        /// An access token does not grant a required scope (``StytchJWTError/missingScopes`` names them).
        public static let insufficientScope = Code(.insufficientScope)

        /// Every code, in the order of the specification.
        public static let allCases: [Code] = Backing.allCases.map(Code.init)

        /// The stable string form, e.g. `"invalid_signature"`.
        public var description: String { backing.rawValue }

        /// The code whose stable string form is `string`, if there is one.
        public init?(_ string: String) {
            guard let backing = Backing(rawValue: string) else { return nil }
            self.backing = backing
        }
    }

    /// The stable reason.
    public let code: Code
    /// A human explanation naming the claim or field; safe to log.
    public let message: String
    /// What Stytch's API answered, for code `stytch_api_error` (nil for every other code).
    public let apiFailure: StytchAPIFailure?
    /// The required scopes the token does not grant, for code `insufficient_scope` (empty otherwise).
    public let missingScopes: [String]

    /// Creates an error. Keep `message` free of tokens, keys and secrets.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
        self.apiFailure = nil
        self.missingScopes = []
    }

    /// Creates an `insufficient_scope` error naming `missingScopes` (scope names, not secrets).
    public init(insufficientScope missingScopes: [String]) {
        self.code = .insufficientScope
        self.message = "the token does not grant: \(missingScopes.joined(separator: " "))"
        self.apiFailure = nil
        self.missingScopes = missingScopes
    }

    /// Creates a `stytch_api_error` carrying what the API answered.
    public init(apiFailure: StytchAPIFailure, _ message: String) {
        self.code = .stytchAPIError
        self.message = message
        self.apiFailure = apiFailure
        self.missingScopes = []
    }

    /// `"<code>: <message>"`, safe to log.
    public var description: String { "\(code): \(message)" }

    /// Errors are equal when their codes are: tests and callers match on the stable code.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    /// Hashes the code, consistently with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// What a failed call to Stytch's API answered: the fields of Stytch's error body, or, when no
/// HTTP answer came (timeout, connection refused), a nil ``statusCode``.
///
/// None of these fields ever holds the project secret or a session token; `errorMessage` is
/// Stytch's own text and is kept here rather than in ``StytchJWTError/message``.
public struct StytchAPIFailure: Sendable, Hashable {
    /// The HTTP status (Stytch repeats it as `status_code`); nil when no answer arrived.
    public let statusCode: Int?
    /// Stytch's `request_id`, for support tickets.
    public let requestID: String?
    /// Stytch's `error_type`, e.g. `session_not_found`, `unauthorized_credentials`, `too_many_requests`.
    public let errorType: String?
    /// Stytch's `error_message`.
    public let errorMessage: String?
    /// Stytch's `error_url`, a documentation link.
    public let errorURL: String?

    /// Records what the API answered.
    public init(statusCode: Int?, requestID: String? = nil, errorType: String? = nil, errorMessage: String? = nil, errorURL: String? = nil) {
        self.statusCode = statusCode
        self.requestID = requestID
        self.errorType = errorType
        self.errorMessage = errorMessage
        self.errorURL = errorURL
    }
}

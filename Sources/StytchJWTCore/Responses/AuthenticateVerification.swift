import Foundation

extension B2BAuthenticateResponse {
    /// The largest authenticate response accepted, in bytes (1 MiB).
    public static let maximumJSONBytes = 1 << 20
    /// The deepest JSON nesting accepted in a response (metadata objects may nest).
    public static let maximumJSONDepth = 64

    /// Decodes an authenticate response body strictly: at most 1 MiB, UTF-8 JSON with no
    /// duplicate member names at any depth, then the typed model (unknown members are ignored).
    ///
    /// - Throws: ``StytchJWTError`` with code `malformed` naming what is wrong, including a
    ///   `status_code` outside 2xx (not an authenticate success).
    public init(json bytes: [UInt8]) throws(StytchJWTError) {
        guard bytes.count <= Self.maximumJSONBytes else {
            throw StytchJWTError(.malformed, "authenticate response is larger than \(Self.maximumJSONBytes) bytes")
        }
        let members: [String: JSONValue]
        do {
            members = try StrictJSON.parseObject(bytes, maximumDepth: Self.maximumJSONDepth)
        } catch {
            throw StytchJWTError(.malformed, "authenticate response is not a strict JSON object: \(error)")
        }
        // A Stytch error body ({"status_code":401,"error_type":…}) lacks most fields: say what it is.
        // Foundation's decoder names no field for a number it cannot represent: `status_code`, the
        // one number of the model, is checked here.
        if let value = members["status_code"], value.numberValue?.int64Value == nil {
            throw StytchJWTError(.malformed, "authenticate response: status_code is not an integer")
        }
        if let status = members["status_code"]?.numberValue?.int64Value, !(200...299).contains(status) {
            let errorType = members["error_type"]?.stringValue.map(Self.loggableWord).map { " (error_type \($0))" } ?? ""
            throw StytchJWTError(.malformed, "authenticate response has status_code \(status)\(errorType): not an authenticate success")
        }
        // The strict parse has refused duplicates, bad UTF-8 and excess depth, so Foundation's
        // decoder, which would silently keep one of two duplicate members, sees only strict JSON.
        let decoded: B2BAuthenticateResponse
        do {
            decoded = try JSONDecoder().decode(B2BAuthenticateResponse.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw StytchJWTError(.malformed, "authenticate response: \(Self.describe(error))")
        } catch {
            throw StytchJWTError(.malformed, "authenticate response cannot be decoded")
        }
        guard (200...299).contains(decoded.statusCode) else {
            throw StytchJWTError(.malformed, "authenticate response has status_code \(decoded.statusCode): not an authenticate success")
        }
        self = decoded
    }

    /// A Stytch `error_type` is a snake_case word; anything else is not echoed.
    private static func loggableWord(_ text: String) -> String {
        text.count <= 64 && text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) ? text : "not shown"
    }

    /// Names the field a decoding error is about, without echoing any of the document's values.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop(while: { $0 == "." }).description
            return text.isEmpty ? "the document" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return "\(parent.isEmpty ? "" : parent + ".")\(key.stringValue) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context.codingPath)) has the wrong type"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)) is invalid"
        @unknown default:
            return "cannot be decoded"
        }
    }
}

/// What verifying an authenticate response found.
public enum AuthenticateOutcome: Sendable {
    /// The member is authenticated: the JWT verified and agrees with the response.
    case authenticated(AuthenticatedMember)
    /// No session exists yet: the member must complete MFA (`member_authenticated` is false).
    case mfaRequired(MFARequiredOutcome)

    /// The authenticated member, or a ``StytchJWTError`` with code `mfa_required`.
    public func requireSession() throws(StytchJWTError) -> AuthenticatedMember {
        switch self {
        case .authenticated(let member): return member
        case .mfaRequired(let pending): throw pending.error
        }
    }
}

/// A verified authenticate response: the verified session and the response it came in.
public struct AuthenticatedMember: Sendable {
    /// The verified session from `session_jwt`.
    public let session: VerifiedSession
    /// The whole response, decoded.
    public let response: B2BAuthenticateResponse
}

/// The "MFA still required" outcome: the primary factor succeeded, no session exists yet.
public struct MFARequiredOutcome: Sendable {
    /// The member ID.
    public let memberID: String
    /// The organization ID.
    public let organizationID: String
    /// The token that continues the login through an MFA endpoint. A secret: never log it.
    public let intermediateSessionToken: String
    /// When that token expires, when the response says.
    public let intermediateSessionTokenExpiresAt: RFC3339Timestamp?
    /// Which MFA options the member has, when sent.
    public let mfaRequired: B2BMFARequired?
    /// The whole response, decoded.
    public let response: B2BAuthenticateResponse

    /// The `mfa_required` error for callers that need a session or nothing.
    public var error: StytchJWTError {
        StytchJWTError(.mfaRequired, "member_authenticated is false: the member must complete MFA before a session exists")
    }
}

extension StytchJWTVerifier {
    /// Decodes and verifies a B2B authenticate response body (SPEC §5).
    ///
    /// - Throws: ``StytchJWTError``: `malformed` when the body is not a successful authenticate
    ///   response, the JWT's own codes, or `session_mismatch` naming the disagreeing field.
    public func verify(authenticateResponse json: [UInt8]) throws(StytchJWTError) -> AuthenticateOutcome {
        try verify(authenticateResponse: try B2BAuthenticateResponse(json: json))
    }

    /// Verifies a decoded B2B authenticate response (SPEC §5): when `member_authenticated` is
    /// false, returns ``AuthenticateOutcome/mfaRequired(_:)`` without a JWT to verify; otherwise
    /// verifies `session_jwt` and cross-checks it against `member_session`, `member_id`,
    /// `organization_id`, `member` and `organization`.
    public func verify(authenticateResponse response: B2BAuthenticateResponse) throws(StytchJWTError) -> AuthenticateOutcome {
        switch try Self.triage(response) {
        case .done(let outcome): return outcome
        case .verify(let jwt, let memberSession):
            return try Self.complete(verify(sessionJWT: jwt), response: response, memberSession: memberSession)
        }
    }

    /// Decodes and verifies a B2B authenticate response body, letting a key provider (a `StytchJWKSCache`) fetch keys
    /// when that can help (see the `async` `verify(sessionJWT:)`).
    public func verify(authenticateResponse json: [UInt8]) async throws(StytchJWTError) -> AuthenticateOutcome {
        try await verify(authenticateResponse: try B2BAuthenticateResponse(json: json))
    }

    /// Verifies a decoded B2B authenticate response, letting a key provider (a `StytchJWKSCache`) fetch keys when that can help.
    public func verify(authenticateResponse response: B2BAuthenticateResponse) async throws(StytchJWTError) -> AuthenticateOutcome {
        switch try Self.triage(response) {
        case .done(let outcome): return outcome
        case .verify(let jwt, let memberSession):
            return try Self.complete(await verify(sessionJWT: jwt), response: response, memberSession: memberSession)
        }
    }

    private enum Triage {
        case done(AuthenticateOutcome)
        case verify(jwt: String, memberSession: B2BMemberSession)
    }

    /// Everything before the JWT: the status, the MFA outcome, the fields a session needs.
    private static func triage(_ response: B2BAuthenticateResponse) throws(StytchJWTError) -> Triage {
        guard (200...299).contains(response.statusCode) else {
            throw StytchJWTError(.malformed, "authenticate response has status_code \(response.statusCode): not an authenticate success")
        }
        guard response.memberAuthenticated else {
            guard !response.intermediateSessionToken.isEmpty else {
                throw StytchJWTError(.malformed, "intermediate_session_token is empty although member_authenticated is false")
            }
            return .done(.mfaRequired(MFARequiredOutcome(
                memberID: response.memberID,
                organizationID: response.organizationID,
                intermediateSessionToken: response.intermediateSessionToken,
                intermediateSessionTokenExpiresAt: response.intermediateSessionTokenExpiresAt,
                mfaRequired: response.mfaRequired,
                response: response
            )))
        }
        guard !response.sessionJWT.isEmpty else {
            throw StytchJWTError(.missingClaim, "session_jwt is empty although member_authenticated is true")
        }
        guard let memberSession = response.memberSession else {
            throw StytchJWTError(.missingClaim, "member_session is missing although member_authenticated is true")
        }
        return .verify(jwt: response.sessionJWT, memberSession: memberSession)
    }

    private static func complete(
        _ session: VerifiedSession, response: B2BAuthenticateResponse, memberSession: B2BMemberSession
    ) throws(StytchJWTError) -> AuthenticateOutcome {
        try crossCheck(session, response: response, memberSession: memberSession)
        return .authenticated(AuthenticatedMember(session: session, response: response))
    }

    private static func crossCheck(
        _ session: VerifiedSession, response: B2BAuthenticateResponse, memberSession: B2BMemberSession
    ) throws(StytchJWTError) {
        try crossCheck(session, memberID: response.memberID, organizationID: response.organizationID,
                       member: response.member, organization: response.organization, memberSession: memberSession)
    }

    /// SPEC §5's cross-check of a verified JWT against the response that carried it; also used for
    /// the sessions/authenticate response (which has no top-level member or organization ID).
    package static func crossCheck(
        _ session: VerifiedSession, memberID: String?, organizationID: String?,
        member: B2BMember, organization: B2BOrganization, memberSession: B2BMemberSession
    ) throws(StytchJWTError) {
        func require(_ agrees: Bool, _ field: String, _ claim: String) throws(StytchJWTError) {
            guard agrees else { throw StytchJWTError(.sessionMismatch, "\(field) does not match the JWT's \(claim)") }
        }
        if let memberID { try require(memberID.hasSameUTF8(as: session.memberID), "member_id", "sub") }
        try require(memberSession.memberID.hasSameUTF8(as: session.memberID), "member_session.member_id", "sub")
        try require(member.memberID.hasSameUTF8(as: session.memberID), "member.member_id", "sub")
        try require(memberSession.memberSessionID.hasSameUTF8(as: session.memberSessionID), "member_session.member_session_id", "session id")
        if let organizationID { try require(organizationID.hasSameUTF8(as: session.organizationID), "organization_id", "organization_id") }
        try require(memberSession.organizationID.hasSameUTF8(as: session.organizationID), "member_session.organization_id", "organization_id")
        try require(organization.organizationID.hasSameUTF8(as: session.organizationID), "organization.organization_id", "organization_id")
        if let slug = session.organizationSlug {
            try require(organization.organizationSlug.hasSameUTF8(as: slug), "organization.organization_slug", "organization slug")
            if let sessionSlug = memberSession.organizationSlug {
                try require(sessionSlug.hasSameUTF8(as: slug), "member_session.organization_slug", "organization slug")
            }
        }
        try require(memberSession.startedAt == session.startedAt, "member_session.started_at", "session started_at")
        try require(memberSession.expiresAt == session.expiresAt, "member_session.expires_at", "session expires_at")
        try require(Set(memberSession.roles.map { Array($0.utf8) }) == Set(session.roles.map { Array($0.utf8) }), "member_session.roles", "session roles")
        let responseFactors = memberSession.authenticationFactors.map { Array($0.crossCheckKey.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        let tokenFactors = session.authenticationFactors.map { Array($0.crossCheckKey.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        try require(responseFactors == tokenFactors, "member_session.authentication_factors", "authentication factors")
    }
}

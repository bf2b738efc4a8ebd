public import Foundation

/// Framework-neutral HTTP rules shared by the Hummingbird and Vapor adapters: where the token is
/// found, which status and headers a failure gets, and the authorization guards.
public enum StytchHTTPAuthentication {
    /// The cookie Stytch's frontend SDKs set.
    public static let sessionCookieName = "stytch_session_jwt"

    /// The response header that carries a session JWT refreshed through Stytch's API back to a
    /// client that sent its JWT as a bearer token (a cookie client gets a `Set-Cookie` instead).
    /// A browser client reading it across origins needs it in `Access-Control-Expose-Headers`.
    public static let refreshedJWTHeader = "Stytch-Session-JWT"

    /// Where a request carried its session JWT.
    public enum TokenLocation: Sendable, Hashable {
        /// `Authorization: Bearer <jwt>`.
        case bearerHeader
        /// The session cookie.
        case cookie
    }

    /// Where to look for the session JWT, in order.
    public struct TokenSources: Sendable, Hashable {
        /// `Authorization: Bearer <jwt>`.
        public var bearerHeader: Bool
        /// The cookie named ``cookieName``, used only when the request has no `Authorization` header.
        public var cookie: Bool
        /// The cookie's name. Default `stytch_session_jwt`.
        public var cookieName: String

        /// Sources as given; the defaults look at the header, then the `stytch_session_jwt` cookie.
        public init(bearerHeader: Bool = true, cookie: Bool = true, cookieName: String = StytchHTTPAuthentication.sessionCookieName) {
            self.bearerHeader = bearerHeader
            self.cookie = cookie
            self.cookieName = cookieName
        }

        /// Header, then cookie.
        public static let `default` = TokenSources()
    }

    /// The session JWT of a request, or nil when it carries none.
    ///
    /// The `Authorization` header wins; a header that is present but not `Bearer <token>` (one
    /// header, one space, a non-empty token) is `malformed`, never a fall-through to the cookie.
    /// The cookie is read only when there is no `Authorization` header; a request carrying the
    /// cookie more than once (a sibling subdomain can plant a second one with a more specific
    /// `Path`) is `malformed`, never "the first one wins". Read over UTF-8 bytes, copying nothing
    /// but the token.
    public static func token(
        authorization: [String], cookieHeaders: [String], sources: TokenSources = .default
    ) throws(StytchJWTError) -> String? {
        if sources.bearerHeader, !authorization.isEmpty {
            guard authorization.count == 1 else { throw StytchJWTError(.malformed, "more than one Authorization header") }
            guard let token = bearerToken(authorization[0]) else {
                throw StytchJWTError(.malformed, "Authorization header is not Bearer <token>")
            }
            return token
        }
        guard sources.cookie else { return nil }
        var found: String?
        var count = 0
        for header in cookieHeaders {
            var header = header
            header.withUTF8 { bytes in
                forEachCookie(in: bytes, named: sources.cookieName) { value in
                    count += 1
                    found = value
                }
            }
        }
        guard count <= 1 else { throw StytchJWTError(.malformed, "the request carries the session cookie more than once") }
        return found.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether `authorization` is one `Bearer` header whose token has the shape of a compact JWS
    /// (exactly two dots): what an optional authenticator claims; anything else is another
    /// authenticator's to judge.
    public static func carriesBearerJWT(_ authorization: [String]) -> Bool {
        optionalBearerJWT(authorization) != nil
    }

    /// The token of `Bearer <token>` (scheme case-insensitive, one space, no space, tab or comma
    /// in the token), else nil; with `compactJWS`, also nil unless the token has exactly two dots.
    static func bearerToken(_ value: String, compactJWS: Bool = false) -> String? {
        var value = value
        return value.withUTF8 { bytes -> String? in
            let scheme: StaticString = "bearer "
            guard bytes.count > 7 else { return nil }
            for index in 0..<7 {
                let expected = scheme.utf8Start[index]
                let byte = bytes[index]
                guard byte == expected || (index < 6 && byte | 0x20 == expected) else { return nil }
            }
            let token = UnsafeBufferPointer(rebasing: bytes[7...])
            let shape = shape(of: token)
            guard !shape.hasSeparator, !compactJWS || shape.dots == 2 else { return nil }
            return String(decoding: token, as: UTF8.self)
        }
    }

    /// Whether `bytes` holds a space, a tab or a comma, and how many dots it holds, in one pass
    /// of eight bytes per step (a 1.4 KB header walked byte by byte through `String.UTF8View` was
    /// a tenth of the authenticator's time on cache hits).
    static func shape(of bytes: UnsafeBufferPointer<UInt8>) -> (hasSeparator: Bool, dots: Int) {
        let ones: UInt64 = 0x0101_0101_0101_0101, lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        // The high bit of each byte of `word` that equals `byte`, and no other bit.
        func matches(_ word: UInt64, _ byte: UInt8) -> UInt64 {
            let difference = word ^ (ones &* UInt64(byte))
            return ~(((difference & lows) &+ lows) | difference | lows)
        }
        let raw = UnsafeRawBufferPointer(bytes)
        var index = 0, dots = 0
        while bytes.count - index >= 8 {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if matches(word, 0x20) | matches(word, 0x09) | matches(word, 0x2C) != 0 { return (true, dots) }
            dots += matches(word, 0x2E).nonzeroBitCount
            index += 8
        }
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x2C: return (true, dots)
            case 0x2E: dots += 1
            default: break
            }
            index += 1
        }
        return (false, dots)
    }

    /// In optional mode, with the bearer header a source and an `Authorization` header present:
    /// the bearer JWT to verify, or nil when the header is another authenticator's (not one
    /// `Bearer` header with a compact JWS), read once.
    static func optionalBearerJWT(_ authorization: [String]) -> String? {
        guard authorization.count == 1 else { return nil }
        return bearerToken(authorization[0], compactJWS: true)
    }

    /// Calls `body` with the value (quotes and spaces trimmed) of each `name=value` pair of a
    /// `Cookie` header whose name is `name`, byte for byte.
    private static func forEachCookie(in bytes: UnsafeBufferPointer<UInt8>, named name: String, _ body: (String) -> Void) {
        let semicolon = UInt8(ascii: ";"), space = UInt8(ascii: " "), equals = UInt8(ascii: "="), quote = UInt8(ascii: "\"")
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != semicolon { end += 1 }
            var nameStart = start
            while nameStart < end, bytes[nameStart] == space { nameStart += 1 }
            if let equalsIndex = (nameStart..<end).first(where: { bytes[$0] == equals }),
               UnsafeBufferPointer(rebasing: bytes[nameStart..<equalsIndex]).elementsEqual(name.utf8) {
                var valueStart = equalsIndex + 1, valueEnd = end
                while valueStart < valueEnd, bytes[valueStart] == space || bytes[valueStart] == quote { valueStart += 1 }
                while valueEnd > valueStart, bytes[valueEnd - 1] == space || bytes[valueEnd - 1] == quote { valueEnd -= 1 }
                body(String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self))
            }
            start = end + 1
        }
    }

    /// The `Set-Cookie` a middleware sends with a session JWT refreshed through Stytch's API.
    ///
    /// Defaults are strict: `Path=/`, `Secure`, `HttpOnly`, `SameSite=Lax`, and a `Max-Age` that
    /// ends with the session. Turn `httpOnly` off only if browser code (Stytch's frontend SDK) must
    /// read the cookie.
    ///
    /// ```swift
    /// let cookie = try StytchHTTPAuthentication.SessionCookie(domain: "example.com", sameSite: .strict)
    /// ```
    public struct SessionCookie: Sendable, Hashable {
        /// The `SameSite` attribute.
        public enum SameSite: String, Sendable, Hashable {
            /// `SameSite=Strict`, `Lax` or `None` (`None` is always sent with `Secure`).
            case strict = "Strict", lax = "Lax", none = "None"
        }

        /// How long the browser keeps the cookie.
        public enum Lifetime: Sendable, Hashable {
            /// Until the session's `expires_at` (`Max-Age`).
            case sessionExpiry
            /// Until the browser closes (no `Max-Age`).
            case browserSession
            /// A fixed `Max-Age`, in seconds.
            case maxAge(Int)
        }

        /// The cookie's name; default `stytch_session_jwt`, where the middleware also reads it.
        public let name: String
        /// The `Domain` attribute; nil for a host-only cookie.
        public let domain: String?
        /// The `Path` attribute; default `/`.
        public let path: String?
        /// `Secure`; default on (always on with `SameSite=None`, which browsers require).
        public let secure: Bool
        /// `HttpOnly`; default on.
        public let httpOnly: Bool
        /// `SameSite`; default `Lax`.
        public let sameSite: SameSite?
        /// The lifetime; default until the session expires.
        public let lifetime: Lifetime

        /// Cookie attributes; `name`, `domain` and `path` may not hold separators or control characters.
        ///
        /// - Throws: ``StytchJWTError`` `malformed` for a name, domain or path a cookie cannot carry.
        public init(
            name: String = StytchHTTPAuthentication.sessionCookieName,
            domain: String? = nil,
            path: String? = "/",
            secure: Bool = true,
            httpOnly: Bool = true,
            sameSite: SameSite? = .lax,
            lifetime: Lifetime = .sessionExpiry
        ) throws(StytchJWTError) {
            let separators = Set("()<>@,;:\\\"/[]?={} \t")
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && !$0.isWhitespace && ($0.asciiValue ?? 0) > 32 && ($0.asciiValue ?? 0) < 127 && !separators.contains($0) }) else {
                throw StytchJWTError(.invalidConfiguration, "cookie name is empty or holds characters a cookie name cannot have")
            }
            for value in [domain, path].compactMap({ $0 }) {
                guard !value.isEmpty, value.allSatisfy({ $0.isASCII && ($0.asciiValue ?? 0) > 32 && ($0.asciiValue ?? 0) < 127 && $0 != ";" && $0 != "," }) else {
                    throw StytchJWTError(.invalidConfiguration, "cookie domain or path holds characters a cookie attribute cannot have")
                }
            }
            if case .maxAge(let seconds) = lifetime, seconds < 0 {
                throw StytchJWTError(.invalidConfiguration, "cookie Max-Age is negative")
            }
            self.name = name
            self.domain = domain
            self.path = path
            self.secure = secure || sameSite == SameSite.none
            self.httpOnly = httpOnly
            self.sameSite = sameSite
            self.lifetime = lifetime
        }

        /// The strict defaults.
        public static let `default` = try! SessionCookie()

        /// The `Set-Cookie` header value carrying `jwt` for `session`.
        public func headerValue(jwt: String, session: VerifiedSession, now: Date = Date()) -> String {
            var parts = ["\(name)=\(jwt)"]
            switch lifetime {
            case .sessionExpiry:
                parts.append("Max-Age=\(max(0, Int((session.expiresAt.timeIntervalSince1970 - now.timeIntervalSince1970).rounded(.down))))")
            case .browserSession:
                break
            case .maxAge(let seconds):
                parts.append("Max-Age=\(seconds)")
            }
            if let domain { parts.append("Domain=\(domain)") }
            if let path { parts.append("Path=\(path)") }
            if secure { parts.append("Secure") }
            if httpOnly { parts.append("HttpOnly") }
            if let sameSite { parts.append("SameSite=\(sameSite.rawValue)") }
            return parts.joined(separator: "; ")
        }
    }

    /// A rejection rendered for HTTP: status, `WWW-Authenticate` when 401, and a small JSON body
    /// carrying the stable code (never a token or key material).
    public struct Failure: Error, Sendable {
        /// The error behind the response.
        public let error: StytchJWTError
        /// Whether the request carried no token at all (a 401 without an `error` attribute).
        public let missingToken: Bool

        /// The failure for `error`; `missingToken` marks a request that carried no token at all.
        public init(_ error: StytchJWTError, missingToken: Bool = false) {
            self.error = error
            self.missingToken = missingToken
        }

        /// The failure for a request with no token: code `malformed` (the specification's codes have
        /// no separate one), a 401 whose `WWW-Authenticate` carries no error attribute.
        public static let missing = Failure(StytchJWTError(.malformed, "no session token in the request"), missingToken: true)

        /// 503 when keys are unavailable or Stytch's API failed, 500 for a configuration that cannot
        /// work, 403 for an authorization rule, 401 otherwise (including a refresh Stytch answered with 404: the session is gone).
        public var status: Int {
            switch error.code {
            case .keysUnavailable: 503
            // The server was set up with values that cannot work (e.g. a guard without its
            // authorizer): the client did nothing wrong.
            case .invalidConfiguration: 500
            case .permissionDenied, .tenancyMismatch, .mfaRequired, .insufficientScope: 403
            // Stytch answered that the session is gone: the client must log in again. Any other
            // API failure (bad secret, rate limit, outage, timeout) is ours, not the client's.
            case .stytchAPIError: error.apiFailure?.statusCode == 404 ? 401 : 503
            default: 401
            }
        }

        /// `WWW-Authenticate` (RFC 6750 §3): `Bearer` alone when no token was sent,
        /// `Bearer error="invalid_token"` for a rejected one, `Bearer error="insufficient_scope",
        /// scope="…"` for a token lacking scopes (403); nil for other statuses.
        public var wwwAuthenticate: String? {
            if error.code == .insufficientScope {
                // RFC 6750 §3.1: a 403 naming the scopes the request needed. Scope names are
                // ASCII without quotes or backslashes (RFC 6749 §3.3); any other is left out.
                let scopes = error.missingScopes.filter { $0.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C } }
                return "Bearer error=\"insufficient_scope\", scope=\"\(scopes.joined(separator: " "))\""
            }
            guard status == 401 else { return nil }
            return missingToken ? "Bearer" : "Bearer error=\"invalid_token\""
        }

        /// `{"error":{"code":"…","message":"…"}}` with ``publicMessage``: the stable code and a
        /// generic sentence. The detailed ``StytchJWTError/message`` (which claim, Stytch's status,
        /// its `error_type` and request ID) goes to the log only.
        public var jsonBody: String {
            JSONValue.object([
                "error": .object(["code": .string(error.code.description), "message": .string(publicMessage)]),
            ]).jsonText
        }

        /// A generic sentence for the code, safe to send to any client.
        public var publicMessage: String {
            if missingToken { return "no session token in the request" }
            switch error.code {
            case .expired: return "the token or session has expired"
            case .notYetValid: return "the token is not valid yet"
            case .tokenTooOld: return "the token is too old"
            case .keysUnavailable: return "the token cannot be verified right now"
            case .stytchAPIError: return status == 401 ? "the session is no longer valid" : "the session cannot be checked right now"
            case .permissionDenied: return "the request is not permitted"
            case .tenancyMismatch: return "the request is for another organization"
            case .mfaRequired: return "multi-factor authentication is required"
            case .insufficientScope: return "the token does not grant a required scope"
            case .wrongTokenKind: return "the token is not the kind this endpoint accepts"
            case .invalidConfiguration: return "the server is not configured for this request"
            default: return "the token was rejected"
            }
        }

        /// Every header of the response: `Content-Type`, `Cache-Control: no-store`, and
        /// `WWW-Authenticate` when there is one.
        public var headers: [(name: String, value: String)] {
            var headers = [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store")]
            if let challenge = wwwAuthenticate { headers.append(("WWW-Authenticate", challenge)) }
            return headers
        }
    }
}

/// An authorization rule over a verified session, usable per route or group in either adapter.
///
/// ```swift
/// .requireSession(.anyRole(["admin", "editor"]), .factor(.totp))
/// ```
public struct SessionRequirement: Sendable {
    private let check: @Sendable (VerifiedSession, Date) -> StytchJWTError?

    /// A rule from a closure returning the error for a session that fails it.
    public init(_ check: @escaping @Sendable (VerifiedSession, Date) -> StytchJWTError?) {
        self.check = check
    }

    /// The error if `session` fails the rule at `now`, else nil.
    public func failure(for session: VerifiedSession, now: Date = Date()) -> StytchJWTError? {
        check(session, now)
    }

    /// The member has at least one of `roles`.
    public static func anyRole(_ roles: Set<String>) -> SessionRequirement {
        SessionRequirement { session, _ in
            roles.contains(where: session.roles.containsUTF8) ? nil : StytchJWTError(.permissionDenied, "the session has none of the required roles")
        }
    }

    /// The member has every one of `roles`.
    public static func allRoles(_ roles: Set<String>) -> SessionRequirement {
        SessionRequirement { session, _ in
            roles.allSatisfy(session.roles.containsUTF8) ? nil : StytchJWTError(.permissionDenied, "the session lacks a required role")
        }
    }

    /// The session belongs to this organization ID.
    public static func organization(id: String) -> SessionRequirement {
        SessionRequirement { session, _ in
            session.organizationID.hasSameUTF8(as: id) ? nil : StytchJWTError(.tenancyMismatch, "the session belongs to another organization")
        }
    }

    /// The session belongs to the organization with this slug.
    public static func organization(slug: String) -> SessionRequirement {
        SessionRequirement { session, _ in
            session.organizationSlug?.hasSameUTF8(as: slug) == true ? nil : StytchJWTError(.tenancyMismatch, "the session belongs to another organization")
        }
    }

    /// The session has an authentication factor of this type (e.g. `.totp` once MFA is done).
    public static func factor(_ type: FactorType) -> SessionRequirement {
        SessionRequirement { session, _ in
            session.hasFactor(type) ? nil : StytchJWTError(.permissionDenied, "the session lacks a required authentication factor")
        }
    }

    /// The member completed MFA in this session: it holds at least two authentication factors of
    /// different types (Stytch adds the second factor, such as `totp` or `otp`, to the session when
    /// MFA succeeds; a session from one primary factor holds one).
    public static var mfaCompleted: SessionRequirement {
        SessionRequirement { session, _ in
            var types: [String] = []
            for factor in session.authenticationFactors where !types.containsUTF8(factor.type.rawValue) {
                types.append(factor.type.rawValue)
            }
            return types.count >= 2 ? nil : StytchJWTError(.permissionDenied, "the session has not completed multi-factor authentication")
        }
    }

    /// Every one of `requirements` holds (the first failure is the answer).
    public static func allOf(_ requirements: [SessionRequirement]) -> SessionRequirement {
        SessionRequirement { session, now in
            for requirement in requirements {
                if let error = requirement.failure(for: session, now: now) { return error }
            }
            return nil
        }
    }

    /// At least one of `requirements` holds (when none does, the first one's failure is the answer).
    public static func anyOf(_ requirements: [SessionRequirement]) -> SessionRequirement {
        SessionRequirement { session, now in
            var first: StytchJWTError?
            for requirement in requirements {
                guard let error = requirement.failure(for: session, now: now) else { return nil }
                if first == nil { first = error }
            }
            return first ?? StytchJWTError(.permissionDenied, "no requirement was given to satisfy")
        }
    }

    /// The session started, or a factor was last used, at most `seconds` ago (recent authentication
    /// for sensitive actions). Factors without `last_authenticated_at` count from the session start.
    public static func authenticatedWithin(seconds: TimeInterval) -> SessionRequirement {
        SessionRequirement { session, now in
            let latest = ([session.startedAt] + session.authenticationFactors.compactMap(\.lastAuthenticatedAt)).max()!
            return now.timeIntervalSince1970 - latest.timeIntervalSince1970 <= seconds
                ? nil : StytchJWTError(.permissionDenied, "the session has not authenticated recently enough")
        }
    }
}

/// Where a permission guard's organization comes from (both middleware adapters).
public enum StytchOrganizationSource: Sendable, Hashable {
    /// The session's own organization (the check is then about the role alone).
    case session
    /// A route parameter, e.g. `organization_id` in `/orgs/:organization_id/documents`: a session
    /// of another organization is refused with `tenancy_mismatch`.
    case routeParameter(String)

    /// The organization to check for `session`, reading route parameters with `parameter`.
    ///
    /// - Throws: `tenancy_mismatch` when the route has no such parameter.
    public func organizationID(of session: VerifiedSession, parameter: (String) -> String?) throws(StytchJWTError) -> String {
        switch self {
        case .session:
            return session.organizationID
        case .routeParameter(let name):
            guard let value = parameter(name) else { throw StytchJWTError(.tenancyMismatch, "the route names no organization") }
            return value
        }
    }
}

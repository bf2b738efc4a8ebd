public import Foundation

/// The result of authenticating a session JWT for a request: locally, or (through StytchB2BAPI's
/// `StytchSessionRefresher`) refreshed with Stytch's API.
public struct SessionAuthentication: Sendable {
    /// The verified session.
    public let session: VerifiedSession
    /// The JWT the session was verified from: the one presented, or the fresh one from Stytch.
    public let sessionJWT: String
    /// Whether Stytch's API was asked (the presented JWT had expired or was too old) and
    /// ``sessionJWT`` is a new JWT the client should use from now on.
    public let refreshed: Bool
    /// Stytch's response when ``refreshed`` (it holds the session token: never log it).
    public let response: B2BSessionAuthenticateResponse?
    /// Where the request carried the JWT; the pipeline sets it, and a refreshed JWT goes back the
    /// same way (a cookie for a cookie, the ``StytchHTTPAuthentication/refreshedJWTHeader`` for a
    /// bearer header). Default: the cookie (what a refreshed JWT got before this was recorded).
    public var presentedIn: StytchHTTPAuthentication.TokenLocation = .cookie

    /// A result as given.
    public init(session: VerifiedSession, sessionJWT: String, refreshed: Bool, response: B2BSessionAuthenticateResponse?) {
        self.session = session
        self.sessionJWT = sessionJWT
        self.refreshed = refreshed
        self.response = response
    }
}

/// Turns a session JWT into a ``SessionAuthentication``: a ``StytchJWTVerifier`` (local only) or
/// StytchB2BAPI's `StytchSessionRefresher` (local, then Stytch's API for an expired JWT).
public protocol StytchSessionAuthenticating: Sendable {
    /// The verifier that checks tokens locally (its clock stamps refreshed cookies).
    var verifier: StytchJWTVerifier { get }

    /// Verifies `sessionJWT`, refreshing it if this authenticator can.
    func authenticate(sessionJWT: String) async throws(StytchJWTError) -> SessionAuthentication

    /// What ``authenticate(sessionJWT:)`` would return, when this authenticator can tell without
    /// waiting (a verified-token cache hit); nil has the pipeline await it. Frameworks that run
    /// middleware on futures answer such a request without a hop to another thread. The default
    /// is nil, so an authenticator of your own is always awaited.
    func authenticationWithoutWaiting(sessionJWT: String) -> SessionAuthentication?
}

extension StytchSessionAuthenticating {
    /// Nil: always await ``authenticate(sessionJWT:)``.
    public func authenticationWithoutWaiting(sessionJWT: String) -> SessionAuthentication? { nil }
}

extension StytchJWTVerifier: StytchSessionAuthenticating {
    /// The verifier itself.
    public var verifier: StytchJWTVerifier { self }

    /// Verifies `sessionJWT` locally (never refreshed).
    public func authenticate(sessionJWT: String) async throws(StytchJWTError) -> SessionAuthentication {
        let session = try await verify(sessionJWT: sessionJWT)
        return SessionAuthentication(session: session, sessionJWT: sessionJWT, refreshed: false, response: nil)
    }

    /// The cached session of `sessionJWT` when the verified-token cache holds it, else nil.
    public func authenticationWithoutWaiting(sessionJWT: String) -> SessionAuthentication? {
        cachedVerification(sessionJWT).map { SessionAuthentication(session: $0, sessionJWT: sessionJWT, refreshed: false, response: nil) }
    }
}

/// Whether a route answers requests that carry no token at all.
public enum StytchSessionMode: Sendable, Hashable {
    /// A request without a token is answered 401 (`WWW-Authenticate: Bearer`).
    case required
    /// A request without a token goes through with no session; a bad token is still a 401.
    case optional
}

/// The framework-neutral request pipeline both middleware adapters run: find the token, verify
/// (or refresh) it, and say what to answer. The adapters only translate requests and responses.
///
/// ```swift
/// let pipeline = StytchRequestAuthenticator(authenticator: verifier)
/// switch await pipeline.authenticate(authorization: authorizationHeaders, cookieHeaders: cookieHeaders) {
/// case .anonymous: …                                  // optional mode, no token
/// case .authenticated(let authentication): …          // add pipeline.responseHeaders(for:) to the answer
/// case .rejected(let failure): …                      // answer failure.status, failure.headers, failure.jsonBody
/// }
/// ```
public struct StytchRequestAuthenticator: Sendable {
    /// What to do with a request.
    public enum Outcome: Sendable {
        /// No token, in ``StytchSessionMode/optional`` mode: go on without a session.
        case anonymous
        /// A verified (possibly refreshed) session.
        case authenticated(SessionAuthentication)
        /// Answer with this failure.
        case rejected(StytchHTTPAuthentication.Failure)
    }

    /// Verifies (and perhaps refreshes) tokens.
    public let authenticator: any StytchSessionAuthenticating
    /// Where the token is looked for.
    public let sources: StytchHTTPAuthentication.TokenSources
    /// Whether a request without a token is refused.
    public let mode: StytchSessionMode
    /// The attributes of the `Set-Cookie` carrying a refreshed JWT.
    public let refreshCookie: StytchHTTPAuthentication.SessionCookie

    /// A pipeline over `authenticator`.
    public init(
        authenticator: any StytchSessionAuthenticating,
        sources: StytchHTTPAuthentication.TokenSources = .default,
        mode: StytchSessionMode = .required,
        refreshCookie: StytchHTTPAuthentication.SessionCookie = .default
    ) {
        self.authenticator = authenticator
        self.sources = sources
        self.mode = mode
        self.refreshCookie = refreshCookie
    }

    /// The outcome for a request with these `Authorization` and `Cookie` header values.
    ///
    /// In ``StytchSessionMode/optional`` mode a request whose `Authorization` header is not a
    /// bearer JWT (another scheme, or a bearer value without the two dots of a compact JWS, such
    /// as an API key) is left to the next authenticator: ``Outcome/anonymous``. A bearer JWT that
    /// fails verification is still refused.
    public func authenticate(authorization: [String], cookieHeaders: [String]) async -> Outcome {
        let (token, location): (String, StytchHTTPAuthentication.TokenLocation)
        switch presented(authorization: authorization, cookieHeaders: cookieHeaders) {
        case .decided(let outcome): return outcome
        case .token(let presentedToken, let presentedIn): (token, location) = (presentedToken, presentedIn)
        }
        do throws(StytchJWTError) {
            var authentication: SessionAuthentication
            if let cached = authenticator.authenticationWithoutWaiting(sessionJWT: token) {
                authentication = cached
            } else {
                authentication = try await authenticator.authenticate(sessionJWT: token)
            }
            authentication.presentedIn = location
            return .authenticated(authentication)
        } catch {
            return .rejected(StytchHTTPAuthentication.Failure(error))
        }
    }

    /// The outcome of ``authenticate(authorization:cookieHeaders:)`` when it is known without
    /// waiting: no token, headers refused, or a verified-token cache hit. Nil means await
    /// ``authenticate(authorization:cookieHeaders:)``. For frameworks that run middleware on
    /// futures (Vapor), which would otherwise hop to another thread for every request.
    public func authenticateWithoutWaiting(authorization: [String], cookieHeaders: [String]) -> Outcome? {
        switch presented(authorization: authorization, cookieHeaders: cookieHeaders) {
        case .decided(let outcome): return outcome
        case .token(let token, let location):
            guard var authentication = authenticator.authenticationWithoutWaiting(sessionJWT: token) else { return nil }
            authentication.presentedIn = location
            return .authenticated(authentication)
        }
    }

    /// What a request presents: an outcome decided by its headers alone, or a token to verify.
    private enum Presented {
        case decided(Outcome)
        case token(String, StytchHTTPAuthentication.TokenLocation)
    }

    private func presented(authorization: [String], cookieHeaders: [String]) -> Presented {
        if mode == .optional, sources.bearerHeader, !authorization.isEmpty {
            // The header is read once: a bearer JWT is verified, anything else left to others.
            guard let token = StytchHTTPAuthentication.optionalBearerJWT(authorization) else { return .decided(.anonymous) }
            return .token(token, .bearerHeader)
        }
        let token: String?
        do {
            token = try StytchHTTPAuthentication.token(authorization: authorization, cookieHeaders: cookieHeaders, sources: sources)
        } catch {
            return .decided(.rejected(StytchHTTPAuthentication.Failure(error)))
        }
        guard let token else { return .decided(mode == .optional ? .anonymous : .rejected(.missing)) }
        return .token(token, sources.bearerHeader && !authorization.isEmpty ? .bearerHeader : .cookie)
    }

    /// The headers to add to the response of an authenticated request; nothing unless the JWT was
    /// refreshed. A refreshed JWT goes back the way the old one came: to a cookie client as the
    /// session cookie's `Set-Cookie`, to a bearer client in the `Stytch-Session-JWT` header
    /// (``StytchHTTPAuthentication/refreshedJWTHeader``), which it should send as its bearer token
    /// from then on. Either way with `Cache-Control: no-store`: a response carrying a token is
    /// never cached.
    public func responseHeaders(for authentication: SessionAuthentication) -> [(name: String, value: String)] {
        guard authentication.refreshed else { return [] }
        switch authentication.presentedIn {
        case .cookie:
            let now = authenticator.verifier.configuration.clock()
            return [
                ("Set-Cookie", refreshCookie.headerValue(jwt: authentication.sessionJWT, session: authentication.session, now: now)),
                ("Cache-Control", "no-store"),
            ]
        case .bearerHeader:
            return [(StytchHTTPAuthentication.refreshedJWTHeader, authentication.sessionJWT), ("Cache-Control", "no-store")]
        }
    }

    /// The failure, if any, of `identity`'s session against every one of `requirements` at
    /// `now` (another kind of credential is `wrong_token_kind`).
    public static func check(_ identity: (any StytchIdentity)?, against requirements: [SessionRequirement], now: Date) -> StytchHTTPAuthentication.Failure? {
        guard let identity else { return .missing }
        guard case .session(let session) = identity.stytchCredential else {
            return StytchHTTPAuthentication.Failure(StytchJWTError.wrongKind(identity.stytchCredential.kind, expected: .session))
        }
        for requirement in requirements {
            if let error = requirement.failure(for: session, now: now) { return StytchHTTPAuthentication.Failure(error) }
        }
        return nil
    }

    /// The failure, if any, of a permission check: `action` on `resource` in the organization
    /// `organization` names (reading route parameters with `parameter`), by `authorizer`.
    public static func checkPermission(
        _ session: VerifiedSession?, resource: String, action: String, organization: StytchOrganizationSource,
        authorizer: (any StytchPermissionAuthorizing)?, parameter: (String) -> String?
    ) async -> StytchHTTPAuthentication.Failure? {
        guard let session else { return .missing }
        guard let authorizer else {
            return StytchHTTPAuthentication.Failure(StytchJWTError(.invalidConfiguration, "a permission guard has no RBAC authorizer"))
        }
        do {
            let organizationID = try organization.organizationID(of: session, parameter: parameter)
            _ = try await authorizer.authorize(session, AuthorizationCheck(organizationID: organizationID, resourceID: resource, action: action))
            return nil
        } catch {
            return StytchHTTPAuthentication.Failure(error)
        }
    }
}

/// Decides whether a session may perform an action on a resource in an organization: StytchB2BAPI's
/// `StytchRBACAuthorizer` (Stytch's RBAC policy, evaluated locally), or your own.
public protocol StytchPermissionAuthorizing: Sendable {
    /// The roles that grant `check` to `session`.
    ///
    /// - Throws: `tenancy_mismatch`, `permission_denied`, or what fetching the policy threw.
    func authorize(_ session: VerifiedSession, _ check: AuthorizationCheck) async throws(StytchJWTError) -> [String]

    /// Whether a Connected Apps access token's scopes grant `check`.
    ///
    /// - Throws: `tenancy_mismatch`, `permission_denied`, or what fetching the policy threw.
    func authorize(accessToken: VerifiedAccessToken, _ check: AuthorizationCheck) async throws(StytchJWTError)
}

/// The request pipeline for routes that accept access tokens (and perhaps sessions): the token is
/// read as a bearer token (and, when sessions are accepted, from the session cookie), verified
/// once as whatever kind its claims make, and refused when that kind is not accepted.
///
/// ```swift
/// let pipeline = StytchCredentialAuthenticator(verifier: verifier, accepting: [.session, .m2m])
/// ```
public struct StytchCredentialAuthenticator: Sendable {
    /// What to do with a request.
    public enum Outcome: Sendable {
        /// No token, in ``StytchSessionMode/optional`` mode: go on without a credential.
        case anonymous
        /// A verified token of an accepted kind.
        case authenticated(StytchCredential)
        /// Answer with this failure.
        case rejected(StytchHTTPAuthentication.Failure)
    }

    /// The verifier.
    public let verifier: StytchJWTVerifier
    /// The kinds accepted.
    public let kinds: Set<StytchTokenKind>
    /// Scopes every M2M token must grant (checked with the token).
    public let requiredScopes: [String]
    /// Whether a request without a token is refused.
    public let mode: StytchSessionMode
    /// Where a session JWT is looked for (the cookie only when sessions are accepted).
    public let sources: StytchHTTPAuthentication.TokenSources

    /// A pipeline accepting `kinds`.
    public init(
        verifier: StytchJWTVerifier, accepting kinds: Set<StytchTokenKind>, requiredScopes: [String] = [],
        mode: StytchSessionMode = .required, sources: StytchHTTPAuthentication.TokenSources = .default
    ) {
        self.verifier = verifier
        self.kinds = kinds
        self.requiredScopes = requiredScopes
        self.mode = mode
        var sources = sources
        if !kinds.contains(.session) { sources.cookie = false }
        self.sources = sources
    }

    /// The outcome for a request with these `Authorization` and `Cookie` header values.
    ///
    /// In ``StytchSessionMode/optional`` mode a request whose `Authorization` header is not a
    /// bearer JWT (another scheme, or a bearer value without the two dots of a compact JWS, such
    /// as an API key) is left to the next authenticator: ``Outcome/anonymous``. A bearer JWT that
    /// fails verification is still refused.
    public func authenticate(authorization: [String], cookieHeaders: [String]) async -> Outcome {
        if mode == .optional, sources.bearerHeader, !authorization.isEmpty {
            // The header is read once: a bearer JWT is verified, anything else left to others.
            guard let token = StytchHTTPAuthentication.optionalBearerJWT(authorization) else { return .anonymous }
            do {
                return .authenticated(try await verifier.verify(token: token, accepting: kinds, requiredScopes: requiredScopes))
            } catch {
                return .rejected(StytchHTTPAuthentication.Failure(error))
            }
        }
        let token: String?
        do {
            token = try StytchHTTPAuthentication.token(authorization: authorization, cookieHeaders: cookieHeaders, sources: sources)
        } catch {
            return .rejected(StytchHTTPAuthentication.Failure(error))
        }
        guard let token else { return mode == .optional ? .anonymous : .rejected(.missing) }
        do {
            return .authenticated(try await verifier.verify(token: token, accepting: kinds, requiredScopes: requiredScopes))
        } catch {
            return .rejected(StytchHTTPAuthentication.Failure(error))
        }
    }

    /// The failure, if any, of `credential` against `scopes`: an M2M token must grant each by
    /// Stytch's M2M rules; a Connected Apps token must carry each scope (byte for byte); a session
    /// has no scopes (`wrong_token_kind`).
    public static func check(_ credential: StytchCredential?, grants scopes: [String]) -> StytchHTTPAuthentication.Failure? {
        guard let credential else { return .missing }
        let missing: [String]
        switch credential {
        case .session:
            return StytchHTTPAuthentication.Failure(StytchJWTError.wrongKind(.session, expected: .m2m))
        case .m2m(let token):
            missing = M2MScopes.missing(required: scopes, granted: token.scopes)
        case .accessToken(let token):
            missing = scopes.filter { !token.scopes.containsUTF8($0) }
        }
        return missing.isEmpty ? nil : StytchHTTPAuthentication.Failure(StytchJWTError(insufficientScope: missing))
    }

    /// The failure, if any, of a Connected Apps permission check: `action` on `resource` in the
    /// organization `organization` names, granted by one of the token's scopes (`authorizer`).
    public static func checkPermission(
        _ credential: StytchCredential?, resource: String, action: String, organization: StytchOrganizationSource,
        authorizer: (any StytchPermissionAuthorizing)?, parameter: (String) -> String?
    ) async -> StytchHTTPAuthentication.Failure? {
        guard let credential else { return .missing }
        switch credential {
        case .session(let session):
            return await StytchRequestAuthenticator.checkPermission(
                session, resource: resource, action: action, organization: organization, authorizer: authorizer, parameter: parameter
            )
        case .m2m:
            return StytchHTTPAuthentication.Failure(StytchJWTError.wrongKind(.m2m, expected: .connectedApps))
        case .accessToken(let token):
            guard let authorizer else {
                return StytchHTTPAuthentication.Failure(StytchJWTError(.invalidConfiguration, "a permission guard has no RBAC authorizer"))
            }
            do throws(StytchJWTError) {
                let organizationID: String
                switch organization {
                case .session: organizationID = token.organizationID
                case .routeParameter(let name):
                    guard let value = parameter(name) else { throw StytchJWTError(.tenancyMismatch, "the route names no organization") }
                    organizationID = value
                }
                try await authorizer.authorize(accessToken: token, AuthorizationCheck(organizationID: organizationID, resourceID: resource, action: action))
                return nil
            } catch {
                return StytchHTTPAuthentication.Failure(error)
            }
        }
    }
}

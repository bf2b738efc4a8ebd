public import StytchJWT
public import Vapor

// Vapor 4 adapter: an async authenticator middleware putting the `VerifiedSession` in `req.auth`
// (and `req.stytchSession`), the verifier in application storage, per-route guards over
// `SessionRequirement`, and failures rendered from `StytchHTTPAuthentication.Failure`. The HTTP
// rules themselves live in `StytchJWT` and are shared with the Hummingbird adapter.

extension VerifiedSession: Authenticatable {}

extension Application {
    /// Stytch session verification settings of this application.
    ///
    /// ```swift
    /// app.stytch.verifier = try StytchJWTVerifier(configuration: .init(projectID: "project-live-…"))
    /// app.grouped(StytchAuthenticator()).get("me") { req in try req.requireStytchSession().memberID }
    /// ```
    public var stytch: Stytch { Stytch(application: self) }

    /// The application's Stytch settings, kept in application storage.
    public struct Stytch: Sendable {
        /// The application they belong to.
        public let application: Application

        struct VerifierKey: StorageKey {
            typealias Value = StytchJWTVerifier
        }

        /// The verifier every ``StytchAuthenticator`` without its own uses. Until it is set those
        /// authenticators answer 503 (`keys_unavailable`).
        public var verifier: StytchJWTVerifier? {
            get { application.storage[VerifierKey.self] }
            nonmutating set { application.storage[VerifierKey.self] = newValue }
        }

        struct RefresherKey: StorageKey {
            typealias Value = StytchSessionRefresher
        }

        /// The refresher ``StytchAuthenticator`` uses when it was built without a verifier or
        /// refresher: with one set, expired JWTs are refreshed through Stytch's API (and
        /// ``verifier`` is not used).
        public var refresher: StytchSessionRefresher? {
            get { application.storage[RefresherKey.self] }
            nonmutating set { application.storage[RefresherKey.self] = newValue }
        }

        struct AuthorizerKey: StorageKey {
            typealias Value = StytchRBACAuthorizer
        }

        /// The RBAC authorizer ``StytchPermissionGuard`` uses when it was built without one.
        public var authorizer: StytchRBACAuthorizer? {
            get { application.storage[AuthorizerKey.self] }
            nonmutating set { application.storage[AuthorizerKey.self] = newValue }
        }
    }
}

/// Whether a route answers requests that carry no token at all.
public enum StytchSessionMode: Sendable, Hashable {
    /// A request without a token is answered 401 (`WWW-Authenticate: Bearer`).
    case required
    /// A request without a token goes through with no session; a bad token is still a 401.
    case optional
}

/// Verifies the request's Stytch session JWT, logs the ``VerifiedSession`` in (`req.auth`,
/// `req.stytchSession`) and puts `stytch.member_id`, `stytch.organization_id` and
/// `stytch.member_session_id` on `req.logger` (never the token).
///
/// The token is read as ``StytchHTTPAuthentication/TokenSources`` says (default: `Authorization:
/// Bearer`, then the `stytch_session_jwt` cookie; a malformed header is a 401, never a
/// fall-through). A rejected token is answered 401 (503 when no key is available) with
/// `WWW-Authenticate` and the JSON body of ``StytchHTTPAuthentication/Failure/jsonBody``; so is a
/// missing one in ``StytchSessionMode/required`` mode.
///
/// ```swift
/// let api = app.grouped(StytchAuthenticator())                  // verifier from app.stytch.verifier
/// let feed = app.grouped(StytchAuthenticator(mode: .optional))
/// ```
public struct StytchAuthenticator: AsyncAuthenticator {
    /// The verifier; nil to use `app.stytch.refresher` or `app.stytch.verifier`.
    public let verifier: StytchJWTVerifier?
    /// Refreshes expired JWTs through Stytch's API, when set.
    public let refresher: StytchSessionRefresher?
    /// The attributes of the `Set-Cookie` carrying a refreshed JWT.
    public let refreshCookie: StytchHTTPAuthentication.SessionCookie
    /// Where the token is looked for.
    public let sources: StytchHTTPAuthentication.TokenSources
    /// Whether a request without a token is refused.
    public let mode: StytchSessionMode

    /// An authenticator reading the token from `sources`, in `mode`, with `verifier` (default:
    /// the application's, `app.stytch.refresher` if set, else `app.stytch.verifier`).
    public init(
        verifier: StytchJWTVerifier? = nil,
        refreshCookie: StytchHTTPAuthentication.SessionCookie = .default,
        sources: StytchHTTPAuthentication.TokenSources = .default,
        mode: StytchSessionMode = .required
    ) {
        self.verifier = verifier
        self.refresher = nil
        self.refreshCookie = refreshCookie
        self.sources = sources
        self.mode = mode
    }

    /// An authenticator that verifies locally and refreshes expired JWTs through Stytch's API,
    /// sending the fresh JWT back in a cookie with `refreshCookie`'s attributes.
    public init(
        refresher: StytchSessionRefresher,
        refreshCookie: StytchHTTPAuthentication.SessionCookie = .default,
        sources: StytchHTTPAuthentication.TokenSources = .default,
        mode: StytchSessionMode = .required
    ) {
        self.verifier = refresher.verifier
        self.refresher = refresher
        self.refreshCookie = refreshCookie
        self.sources = sources
        self.mode = mode
    }

    /// Verifies the token and calls `next` with the session logged in, or answers the failure;
    /// adds the `Set-Cookie` of a refreshed JWT to the response.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let token: String?
        do {
            token = try StytchHTTPAuthentication.token(
                authorization: request.headers[.authorization], cookieHeaders: request.headers[.cookie], sources: sources
            )
        } catch {
            return request.stytchFailure(StytchHTTPAuthentication.Failure(error))
        }
        guard let token else {
            if mode == .optional { return try await next.respond(to: request) }
            return request.stytchFailure(.missing)
        }
        let refresher = self.refresher ?? (verifier == nil ? request.application.stytch.refresher : nil)
        guard let verifier = refresher?.verifier ?? verifier ?? request.application.stytch.verifier else {
            request.logger.warning("no Stytch verifier is configured: set app.stytch.verifier")
            return request.stytchFailure(StytchHTTPAuthentication.Failure(
                StytchJWTError(.keysUnavailable, "no session verifier is configured")
            ))
        }
        let authentication: SessionAuthentication
        do {
            authentication = try await StytchHTTPAuthentication.authenticate(token: token, verifier: verifier, refresher: refresher)
        } catch {
            return request.stytchFailure(StytchHTTPAuthentication.Failure(error))
        }
        let session = authentication.session
        request.auth.login(session)
        request.logger[metadataKey: "stytch.member_id"] = .string(session.memberID)
        request.logger[metadataKey: "stytch.organization_id"] = .string(session.organizationID)
        request.logger[metadataKey: "stytch.member_session_id"] = .string(session.memberSessionID)
        let response = try await next.respond(to: request)
        if authentication.refreshed {
            request.logger.debug("stytch session refreshed through the API")
            response.headers.add(
                name: .setCookie,
                value: refreshCookie.headerValue(jwt: authentication.sessionJWT, session: session, now: verifier.configuration.clock())
            )
        }
        return response
    }
}

/// Requires a verified session meeting every one of `requirements`: 401 when the request has no
/// session (e.g. behind an optional ``StytchAuthenticator``), 403 with the rule's code
/// (`permission_denied`, `tenancy_mismatch`) and the JSON body when one fails. Put it after the
/// authenticator.
///
/// ```swift
/// api.grouped(StytchSessionGuard(.anyRole(["admin"]))).get("admin") { … }
/// ```
public struct StytchSessionGuard: AsyncMiddleware {
    /// The rules, all of which must hold.
    public let requirements: [SessionRequirement]
    /// The clock the time rules read (`authenticatedWithin`). Pass the verifier's for tests.
    public let clock: @Sendable () -> Date

    /// A guard over `requirements`; with none it only requires a session.
    public init(_ requirements: SessionRequirement..., clock: @escaping @Sendable () -> Date = { Date() }) {
        self.init(requirements, clock: clock)
    }

    /// A guard over `requirements`; with none it only requires a session.
    public init(_ requirements: [SessionRequirement], clock: @escaping @Sendable () -> Date = { Date() }) {
        self.requirements = requirements
        self.clock = clock
    }

    /// Calls `next` if the session meets every rule, else answers 401 or 403.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let session = request.stytchSession else { return request.stytchFailure(.missing) }
        let now = clock()
        for requirement in requirements {
            if let error = requirement.failure(for: session, now: now) {
                return request.stytchFailure(StytchHTTPAuthentication.Failure(error))
            }
        }
        return try await next.respond(to: request)
    }
}

extension RoutesBuilder {
    /// Routes that require a session meeting every one of `requirements` (after a ``StytchAuthenticator``).
    ///
    /// ```swift
    /// api.requireStytchSession(.anyRole(["admin"])).get("admin") { … }
    /// ```
    public func requireStytchSession(
        _ requirements: SessionRequirement..., clock: @escaping @Sendable () -> Date = { Date() }
    ) -> any RoutesBuilder {
        grouped(StytchSessionGuard(requirements, clock: clock))
    }
}

/// Lets a request through only when the session's roles allow `action` on `resource`, by the
/// local RBAC check of ``StytchRBACAuthorizer`` (403 `permission_denied` or `tenancy_mismatch`
/// otherwise; 503 when no policy could be had). Put it after ``StytchAuthenticator``.
public struct StytchPermissionGuard: AsyncMiddleware {
    /// The authorizer; nil to use `app.stytch.authorizer`.
    public let authorizer: StytchRBACAuthorizer?
    /// The resource.
    public let resource: String
    /// The action.
    public let action: String
    /// Where the organization comes from.
    public let organization: StytchOrganizationSource

    /// A guard of `action` on `resource`.
    public init(authorizer: StytchRBACAuthorizer? = nil, resource: String, action: String, organization: StytchOrganizationSource = .session) {
        self.authorizer = authorizer
        self.resource = resource
        self.action = action
        self.organization = organization
    }

    /// Checks the permission, then calls `next`.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let session = request.stytchSession else { return request.stytchFailure(.missing) }
        guard let authorizer = authorizer ?? request.application.stytch.authorizer else {
            request.logger.warning("no Stytch RBAC authorizer is configured: set app.stytch.authorizer")
            return request.stytchFailure(StytchHTTPAuthentication.Failure(
                StytchJWTError(apiFailure: StytchAPIFailure(statusCode: nil), "no RBAC authorizer is configured")
            ))
        }
        do {
            let organizationID = try organization.organizationID(of: session) { request.parameters.get($0) }
            try await authorizer.authorize(session, AuthorizationCheck(organizationID: organizationID, resourceID: resource, action: action))
        } catch {
            return request.stytchFailure(StytchHTTPAuthentication.Failure(error))
        }
        return try await next.respond(to: request)
    }
}

extension RoutesBuilder {
    /// Routes that require `action` on `resource` (see ``StytchPermissionGuard``).
    ///
    /// ```swift
    /// app.grouped(StytchAuthenticator()).requirePermission(resource: "documents", action: "write")
    ///     .post("documents") { req in … }
    /// ```
    public func requirePermission(
        resource: String, action: String, authorizer: StytchRBACAuthorizer? = nil, organization: StytchOrganizationSource = .session
    ) -> any RoutesBuilder {
        grouped(StytchPermissionGuard(authorizer: authorizer, resource: resource, action: action, organization: organization))
    }
}

/// A Stytch rejection thrown from a handler (``Request/requireStytchSession()``): Vapor's
/// `ErrorMiddleware` renders its status, `WWW-Authenticate` and message (never a token).
public struct StytchAbort: AbortError, Sendable {
    /// The framework-neutral failure.
    public let failure: StytchHTTPAuthentication.Failure

    /// Wraps `failure`.
    public init(_ failure: StytchHTTPAuthentication.Failure) { self.failure = failure }

    /// 401, 403 or 503.
    public var status: HTTPResponseStatus { HTTPResponseStatus(statusCode: failure.status) }
    /// `WWW-Authenticate` on a 401.
    public var headers: HTTPHeaders {
        failure.wwwAuthenticate.map { HTTPHeaders([("WWW-Authenticate", $0)]) } ?? [:]
    }
    /// The stable code and the message.
    public var reason: String { "\(failure.error.code): \(failure.error.message)" }
}

extension Request {
    /// The verified Stytch session, or nil (no authenticator ran, or optional mode without a token).
    public var stytchSession: VerifiedSession? { auth.get(VerifiedSession.self) }

    /// The verified Stytch session.
    ///
    /// - Throws: ``StytchAbort`` (401, `WWW-Authenticate: Bearer`) when there is none.
    public func requireStytchSession() throws -> VerifiedSession {
        guard let session = stytchSession else { throw StytchAbort(.missing) }
        return session
    }

    /// The response for `failure`: its status, `WWW-Authenticate` on a 401, `Cache-Control:
    /// no-store`, and the JSON body `{"error":{"code":"…","message":"…"}}`.
    func stytchFailure(_ failure: StytchHTTPAuthentication.Failure) -> Response {
        logger.debug("stytch session refused", metadata: ["stytch.error_code": "\(failure.error.code)"])
        var headers: HTTPHeaders = [
            "Content-Type": "application/json; charset=utf-8",
            "Cache-Control": "no-store",
        ]
        if let challenge = failure.wwwAuthenticate { headers.replaceOrAdd(name: .wwwAuthenticate, value: challenge) }
        return Response(status: HTTPResponseStatus(statusCode: failure.status), headers: headers, body: .init(string: failure.jsonBody))
    }
}

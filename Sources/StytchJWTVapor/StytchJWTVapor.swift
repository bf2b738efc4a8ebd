@_exported public import StytchJWT
public import Vapor

// Vapor 4 glue over StytchJWTCore's request pipeline (`StytchRequestAuthenticator`): where the
// token is, what a failure answers and what a guard checks are decided there, for both adapters.
// This file only translates Vapor's requests and responses and keeps settings in app storage.

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

        struct AuthenticatorKey: StorageKey { typealias Value = any StytchSessionAuthenticating }
        struct AuthorizerKey: StorageKey { typealias Value = any StytchPermissionAuthorizing }

        /// What every ``StytchAuthenticator`` built without its own uses: a verifier, or a
        /// `StytchSessionRefresher`. Until it is set those authenticators answer 500
        /// (`invalid_configuration`).
        public var authenticator: (any StytchSessionAuthenticating)? {
            get { application.storage[AuthenticatorKey.self] }
            nonmutating set { application.storage[AuthenticatorKey.self] = newValue }
        }

        /// The verifier in ``authenticator`` (setting it replaces the authenticator).
        public var verifier: StytchJWTVerifier? {
            get { authenticator?.verifier }
            nonmutating set { authenticator = newValue }
        }

        /// The refresher in ``authenticator``, if it is one (setting it replaces the authenticator).
        public var refresher: StytchSessionRefresher? {
            get { authenticator as? StytchSessionRefresher }
            nonmutating set { authenticator = newValue }
        }

        /// The authorizer ``StytchPermissionGuard`` uses when it was built without one.
        public var authorizer: (any StytchPermissionAuthorizing)? {
            get { application.storage[AuthorizerKey.self] }
            nonmutating set { application.storage[AuthorizerKey.self] = newValue }
        }
    }
}

/// Verifies the request's Stytch session JWT through `StytchRequestAuthenticator`, logs the
/// `VerifiedSession` in (`req.auth`, `req.stytchSession`) and puts its IDs on `req.logger`
/// (never the token). A rejection is answered with the pipeline's status, headers and JSON body;
/// a refreshed JWT goes back the way it came: a `Set-Cookie` to a cookie client, a
/// `Stytch-Session-JWT` header to a bearer client, with `Cache-Control: no-store`.
///
/// ```swift
/// let api = app.grouped(StytchAuthenticator())                  // app.stytch.authenticator
/// let feed = app.grouped(StytchAuthenticator(mode: .optional))
/// ```
public struct StytchAuthenticator: AsyncMiddleware {
    /// The authenticator; nil to use `app.stytch.authenticator`.
    public let authenticator: (any StytchSessionAuthenticating)?
    /// Where the token is looked for.
    public let sources: StytchHTTPAuthentication.TokenSources
    /// Whether a request without a token is refused.
    public let mode: StytchSessionMode
    /// The attributes of the `Set-Cookie` carrying a refreshed JWT.
    public let refreshCookie: StytchHTTPAuthentication.SessionCookie

    /// An authenticator with `verifier` (nil: `app.stytch.authenticator`), reading `sources`, in `mode`.
    public init(
        verifier: StytchJWTVerifier? = nil, refreshCookie: StytchHTTPAuthentication.SessionCookie = .default,
        sources: StytchHTTPAuthentication.TokenSources = .default, mode: StytchSessionMode = .required
    ) {
        self.init(authenticator: verifier, refreshCookie: refreshCookie, sources: sources, mode: mode)
    }

    /// An authenticator that refreshes expired JWTs through Stytch's API.
    public init(
        refresher: StytchSessionRefresher, refreshCookie: StytchHTTPAuthentication.SessionCookie = .default,
        sources: StytchHTTPAuthentication.TokenSources = .default, mode: StytchSessionMode = .required
    ) {
        self.init(authenticator: refresher, refreshCookie: refreshCookie, sources: sources, mode: mode)
    }

    /// An authenticator over `authenticator` (your own `StytchSessionAuthenticating`, or nil for
    /// `app.stytch.authenticator`).
    public init(
        authenticator: (any StytchSessionAuthenticating)?, refreshCookie: StytchHTTPAuthentication.SessionCookie = .default,
        sources: StytchHTTPAuthentication.TokenSources = .default, mode: StytchSessionMode = .required
    ) {
        self.authenticator = authenticator
        self.refreshCookie = refreshCookie
        self.sources = sources
        self.mode = mode
    }

    /// Verifies the token and calls `next` with the session logged in, or answers the failure.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let pipeline = pipeline(for: request) else { return Self.unconfigured(request) }
        let outcome = await pipeline.authenticate(authorization: request.headers[.authorization], cookieHeaders: request.headers[.cookie])
        switch admit(request, outcome) {
        case .answer(let response): return response
        case .next(let authentication):
            let response = try await request.stytchResponding(next)
            return finish(response, authentication, pipeline)
        }
    }

    /// The same on the request's event loop when the outcome is known without waiting (no token,
    /// refused headers, a verified-token cache hit), else in a task as `AsyncMiddleware` does: a
    /// cache hit then costs no hop to another thread and back (which had been a third of the
    /// example's time on a repeated token).
    public func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard let pipeline = pipeline(for: request) else { return request.eventLoop.makeSucceededFuture(Self.unconfigured(request)) }
        guard let outcome = pipeline.authenticateWithoutWaiting(
            authorization: request.headers[.authorization], cookieHeaders: request.headers[.cookie]
        ) else {
            return request.eventLoop.makeFutureWithTask {
                try await self.respond(to: request, chainingTo: AsyncBasicResponder { try await next.respond(to: $0).get() })
            }
        }
        switch admit(request, outcome) {
        case .answer(let response): return request.eventLoop.makeSucceededFuture(response)
        case .next(let authentication):
            return request.stytchResponding(next).map { finish($0, authentication, pipeline) }
        }
    }

    /// The pipeline for this request; nil when no authenticator is set.
    private func pipeline(for request: Request) -> StytchRequestAuthenticator? {
        guard let authenticator = authenticator ?? request.application.stytch.authenticator else { return nil }
        return StytchRequestAuthenticator(authenticator: authenticator, sources: sources, mode: mode, refreshCookie: refreshCookie)
    }

    /// The `invalid_configuration` answer to a request when no authenticator is set.
    private static func unconfigured(_ request: Request) -> Response {
        request.stytchFailure(.init(StytchJWTError(.invalidConfiguration, "no session verifier is configured: set app.stytch.verifier")))
    }

    private enum Admission {
        case answer(Response)
        case next(SessionAuthentication?)
    }

    /// Answers a refusal; logs an authenticated session in (with its IDs on the request's logger).
    private func admit(_ request: Request, _ outcome: StytchRequestAuthenticator.Outcome) -> Admission {
        switch outcome {
        case .anonymous: return .next(nil)
        case .rejected(let failure): return .answer(request.stytchFailure(failure))
        case .authenticated(let authentication):
            request.auth.login(authentication.session)
            request.logger.addStytchSessionMetadata(authentication.session)
            return .next(authentication)
        }
    }

    /// `response` with the pipeline's headers for `authentication` (a refreshed JWT).
    private func finish(_ response: Response, _ authentication: SessionAuthentication?, _ pipeline: StytchRequestAuthenticator) -> Response {
        guard let authentication else { return response }
        for (name, value) in pipeline.responseHeaders(for: authentication) { response.headers.add(name: name, value: value) }
        return response
    }
}

/// Requires a verified session meeting every one of `requirements` (401 without a session, 403
/// with the rule's code when one fails). Put it after the authenticator.
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
        if let failure = StytchRequestAuthenticator.check(request.stytchSession, against: requirements, now: clock()) {
            return request.stytchFailure(failure)
        }
        return try await request.stytchResponding(next)
    }
}

/// Lets a request through only when the authorizer grants `action` on `resource` to its session
/// (by its roles) or its Connected Apps token (by its scopes); an M2M token is `wrong_token_kind`
/// (403 `permission_denied` or `tenancy_mismatch` otherwise; 503 when no policy could be had; 500
/// when no authorizer is configured). Put it after ``StytchAuthenticator`` or
/// ``StytchTokenAuthenticator``.
public struct StytchPermissionGuard: AsyncMiddleware {
    /// The authorizer; nil to use `app.stytch.authorizer`.
    public let authorizer: (any StytchPermissionAuthorizing)?
    /// The resource.
    public let resource: String
    /// The action.
    public let action: String
    /// Where the organization comes from.
    public let organization: StytchOrganizationSource

    /// A guard of `action` on `resource`.
    public init(authorizer: (any StytchPermissionAuthorizing)? = nil, resource: String, action: String, organization: StytchOrganizationSource = .session) {
        self.authorizer = authorizer
        self.resource = resource
        self.action = action
        self.organization = organization
    }

    /// Checks the permission, then calls `next`.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let credential = request.stytchCredential ?? request.stytchSession.map(StytchCredential.session)
        if let failure = await StytchCredentialAuthenticator.checkPermission(
            credential, resource: resource, action: action, organization: organization,
            authorizer: authorizer ?? request.application.stytch.authorizer, parameter: { request.parameters.get($0) }
        ) {
            return request.stytchFailure(failure)
        }
        return try await request.stytchResponding(next)
    }
}

extension RoutesBuilder {
    /// Routes that require a session meeting every one of `requirements` (after a ``StytchAuthenticator``).
    public func requireStytchSession(_ requirements: SessionRequirement..., clock: @escaping @Sendable () -> Date = { Date() }) -> any RoutesBuilder {
        grouped(StytchSessionGuard(requirements, clock: clock))
    }

    /// Routes that require `action` on `resource` (see ``StytchPermissionGuard``).
    public func requirePermission(
        resource: String, action: String, authorizer: (any StytchPermissionAuthorizing)? = nil, organization: StytchOrganizationSource = .session
    ) -> any RoutesBuilder {
        grouped(StytchPermissionGuard(authorizer: authorizer, resource: resource, action: action, organization: organization))
    }
}

/// A Stytch rejection thrown from a handler (`Request/requireStytchSession()`). The middleware
/// of this module answer it with the pipeline's body shape; elsewhere Vapor's `ErrorMiddleware`
/// renders its status and headers.
public struct StytchAbort: AbortError, Sendable {
    /// The framework-neutral failure.
    public let failure: StytchHTTPAuthentication.Failure

    /// Wraps `failure`.
    public init(_ failure: StytchHTTPAuthentication.Failure) { self.failure = failure }

    /// The failure's status.
    public var status: HTTPResponseStatus { HTTPResponseStatus(statusCode: failure.status) }
    /// The failure's headers.
    public var headers: HTTPHeaders { HTTPHeaders(failure.headers.map { ($0.name, $0.value) }) }
    /// The stable code and the generic message.
    public var reason: String { "\(failure.error.code): \(failure.publicMessage)" }
}

extension Request {
    /// The verified Stytch session, or nil (no authenticator ran, or optional mode without a token).
    public var stytchSession: VerifiedSession? { auth.get(VerifiedSession.self) }

    /// The verified Stytch session; throws ``StytchAbort`` (a 401) when there is none.
    public func requireStytchSession() throws -> VerifiedSession {
        guard let session = stytchSession else { throw StytchAbort(.missing) }
        return session
    }

    /// `next`'s response, with a ``StytchAbort`` thrown below answered in the pipeline's shape.
    func stytchResponding(_ next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: self)
        } catch let abort as StytchAbort {
            return stytchFailure(abort.failure)
        }
    }

    /// The same for a future-based responder.
    func stytchResponding(_ next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: self).flatMapErrorThrowing { error in
            guard let abort = error as? StytchAbort else { throw error }
            return self.stytchFailure(abort.failure)
        }
    }

    /// The response for `failure`: status, headers and `{"error":{"code":"…","message":"…"}}`.
    func stytchFailure(_ failure: StytchHTTPAuthentication.Failure) -> Response {
        logger.debug("stytch request refused", metadata: ["stytch.error_code": "\(failure.error.code)", "stytch.reason": "\(failure.error.message)"])
        return Response(
            status: HTTPResponseStatus(statusCode: failure.status),
            headers: HTTPHeaders(failure.headers.map { ($0.name, $0.value) }),
            body: .init(string: failure.jsonBody)
        )
    }
}

extension Request {
    /// Stytch verification on demand, in a handler (as vapor/jwt's `req.jwt`), with the
    /// application's settings (`app.stytch`).
    ///
    /// ```swift
    /// app.get("me") { req in try await req.stytch.verifySession().memberID }
    /// ```
    public var stytch: StytchRequest { StytchRequest(request: self) }

    /// See ``Vapor/Request/stytch``.
    public struct StytchRequest: Sendable {
        /// The request.
        public let request: Request

        /// Verifies the request's session JWT (`Authorization: Bearer`, then the session cookie)
        /// with `app.stytch.authenticator`, logs the session in and returns it.
        ///
        /// - Throws: ``StytchAbort`` with the pipeline's status and code.
        public func verifySession(sources: StytchHTTPAuthentication.TokenSources = .default) async throws -> VerifiedSession {
            guard let authenticator = request.application.stytch.authenticator else {
                throw StytchAbort(.init(StytchJWTError(.invalidConfiguration, "no session verifier is configured: set app.stytch.verifier")))
            }
            let pipeline = StytchRequestAuthenticator(authenticator: authenticator, sources: sources)
            switch await pipeline.authenticate(authorization: request.headers[.authorization], cookieHeaders: request.headers[.cookie]) {
            case .authenticated(let authentication):
                request.auth.login(authentication.session)
                return authentication.session
            case .rejected(let failure):
                throw StytchAbort(failure)
            case .anonymous:
                throw StytchAbort(.missing)
            }
        }

        /// Verifies `token` as an M2M access token granting `requiredScopes`, with the
        /// application's verifier.
        ///
        /// - Throws: ``StytchAbort`` (401, or 403 `insufficient_scope`).
        public func verify(m2mToken token: String, requiredScopes: [String] = []) async throws -> VerifiedM2MToken {
            guard let verifier = request.application.stytch.verifier else {
                throw StytchAbort(.init(StytchJWTError(.invalidConfiguration, "no verifier is configured: set app.stytch.verifier")))
            }
            do {
                return try await verifier.verify(m2mToken: token, requiredScopes: requiredScopes)
            } catch {
                throw StytchAbort(.init(error))
            }
        }
    }
}

public import Foundation
public import Hummingbird
public import HummingbirdAuth
import HTTPTypes
import Logging
import NIOCore
@_exported public import StytchJWT

// Hummingbird 2 glue over StytchJWTCore's request pipeline (`StytchRequestAuthenticator`): where
// the token is, what a failure answers and what a guard checks are decided there, for both
// adapters. This file only translates Hummingbird's requests, contexts and responses.

/// A request context that carries the verified Stytch session: the common case in one line.
///
/// ```swift
/// let router = Router(context: StytchRequestContext.self)
/// router.add(middleware: StytchAuthenticator(verifier: verifier))
/// router.get("/me") { _, context in try context.requireStytchSession().memberID }
/// ```
public struct StytchRequestContext: AuthRequestContext, RequestContext {
    /// Hummingbird's core context storage.
    public var coreContext: CoreRequestContextStorage
    /// The verified session, once ``StytchAuthenticator`` has accepted the request's token.
    public var identity: VerifiedSession?

    /// Creates a context with no session yet.
    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.identity = nil
    }
}

/// A rejection rendered as Hummingbird renders errors: the pipeline's status, headers
/// (`Cache-Control: no-store`, `WWW-Authenticate` on a 401) and body `{"error":{"code","message"}}`.
public struct StytchHTTPError: HTTPResponseError, Sendable {
    /// The framework-neutral failure behind the response.
    public let failure: StytchHTTPAuthentication.Failure

    /// Wraps `failure`.
    public init(_ failure: StytchHTTPAuthentication.Failure) { self.failure = failure }

    /// Wraps a library error (a rejected token, or a failed authorization rule).
    public init(_ error: StytchJWTError) { self.failure = StytchHTTPAuthentication.Failure(error) }

    /// The 401 for a request that carried no token.
    public static let missingToken = StytchHTTPError(StytchHTTPAuthentication.Failure.missing)

    /// The failure's status.
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: failure.status) }

    /// The JSON response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = ByteBuffer(string: failure.jsonBody)
        var headers: HTTPFields = [.contentLength: String(body.readableBytes)]
        for (name, value) in failure.headers { headers[HTTPField.Name(name)!] = value }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}

/// Verifies the request's Stytch session JWT through `StytchRequestAuthenticator` and puts the
/// `VerifiedSession` in `context.identity`, with `stytch.member_id`, `stytch.organization_id`
/// and `stytch.member_session_id` on `context.logger` (never the token). A rejection throws
/// ``StytchHTTPError``; a refreshed JWT goes back the way it came: a `Set-Cookie` to a cookie
/// client, a `Stytch-Session-JWT` header to a bearer client, with `Cache-Control: no-store`.
///
/// ```swift
/// router.add(middleware: StytchAuthenticator(verifier: verifier))                       // session required
/// router.group("feed").add(middleware: StytchAuthenticator(verifier: verifier, mode: .optional))
/// router.add(middleware: StytchAuthenticator(refresher: StytchSessionRefresher(verifier: verifier, client: stytch)))
/// ```
public struct StytchAuthenticator<Context: AuthRequestContext<VerifiedSession>>: AuthenticatorMiddleware {
    /// The identity this authenticator produces.
    public typealias Identity = VerifiedSession

    /// The shared pipeline.
    public let pipeline: StytchRequestAuthenticator

    /// An authenticator over `pipeline`.
    public init(pipeline: StytchRequestAuthenticator) { self.pipeline = pipeline }

    /// An authenticator for `verifier`, reading the token from `sources`, in `mode`.
    public init(verifier: StytchJWTVerifier, sources: StytchHTTPAuthentication.TokenSources = .default, mode: StytchSessionMode = .required) {
        self.init(pipeline: StytchRequestAuthenticator(authenticator: verifier, sources: sources, mode: mode))
    }

    /// An authenticator that refreshes expired JWTs through Stytch's API, sending the fresh JWT
    /// back the way it came: a cookie with `refreshCookie`'s attributes, or the `Stytch-Session-JWT`
    /// header to a bearer client.
    public init(
        refresher: StytchSessionRefresher, refreshCookie: StytchHTTPAuthentication.SessionCookie = .default,
        sources: StytchHTTPAuthentication.TokenSources = .default, mode: StytchSessionMode = .required
    ) {
        self.init(pipeline: StytchRequestAuthenticator(authenticator: refresher, sources: sources, mode: mode, refreshCookie: refreshCookie))
    }

    /// The verified session of the request, or nil when it has no token and the mode is optional.
    public func authenticate(request: Request, context: Context) async throws -> VerifiedSession? {
        try await authentication(request, context)?.session
    }

    private func authentication(_ request: Request, _ context: Context) async throws -> SessionAuthentication? {
        let outcome = await pipeline.authenticate(
            authorization: request.headers[values: .authorization], cookieHeaders: request.headers[values: .cookie]
        )
        switch outcome {
        case .anonymous: return nil
        case .authenticated(let authentication): return authentication
        case .rejected(let failure): throw rejection(failure, context.logger)
        }
    }

    /// Authenticates, then calls `next` with the session in `context.identity`; adds the
    /// pipeline's response headers (a refreshed JWT).
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authentication = try await authentication(request, context) else { return try await next(request, context) }
        var context = context
        context.identity = authentication.session
        context.logger.stytchSession(authentication.session)
        var response = try await next(request, context)
        for (name, value) in pipeline.responseHeaders(for: authentication) {
            response.headers[values: HTTPField.Name(name)!].append(value)
        }
        return response
    }
}

/// Requires a verified session meeting every one of `requirements` (401 without a session, 403
/// with the rule's code when one fails). Put it after the authenticator.
///
/// ```swift
/// router.group("admin").add(middleware: StytchSessionGuard(.anyRole(["admin"])))
/// ```
public struct StytchSessionGuard<Context: AuthRequestContext>: RouterMiddleware where Context.Identity: StytchIdentity {
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

    /// Calls `next` if the session meets every rule, else throws ``StytchHTTPError``.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let failure = StytchRequestAuthenticator.check(context.identity, against: requirements, now: clock()) {
            throw rejection(failure, context.logger)
        }
        return try await next(request, context)
    }
}

/// Lets a request through only when `authorizer` grants `action` on `resource` to its session (by
/// its roles) or its Connected Apps token (by its scopes); an M2M token is `wrong_token_kind` (403
/// `permission_denied` or `tenancy_mismatch` otherwise; 503 when no policy could be had).
public struct StytchPermissionGuard<Context: AuthRequestContext>: RouterMiddleware where Context.Identity: StytchIdentity {
    /// The authorizer (StytchRBACAuthorizer, or your own).
    public let authorizer: any StytchPermissionAuthorizing
    /// The resource.
    public let resource: String
    /// The action.
    public let action: String
    /// Where the organization comes from.
    public let organization: StytchOrganizationSource

    /// A guard of `action` on `resource`.
    public init(authorizer: any StytchPermissionAuthorizing, resource: String, action: String, organization: StytchOrganizationSource = .session) {
        self.authorizer = authorizer
        self.resource = resource
        self.action = action
        self.organization = organization
    }

    /// Checks the permission, then calls `next`.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let failure = await StytchCredentialAuthenticator.checkPermission(
            context.identity?.stytchCredential, resource: resource, action: action, organization: organization, authorizer: authorizer,
            parameter: { context.parameters.get($0) }
        ) {
            throw rejection(failure, context.logger)
        }
        return try await next(request, context)
    }
}

extension RouterMethods where Context: AuthRequestContext, Context.Identity: StytchIdentity {
    /// A group (same path) whose routes require a session meeting every one of `requirements`.
    public func requireStytchSession(_ requirements: SessionRequirement..., clock: @escaping @Sendable () -> Date = { Date() }) -> RouterGroup<Context> {
        group().add(middleware: StytchSessionGuard<Context>(requirements, clock: clock))
    }

    /// A group whose routes require `action` on `resource` (see ``StytchPermissionGuard``).
    public func requirePermission(
        resource: String, action: String, authorizer: any StytchPermissionAuthorizing, organization: StytchOrganizationSource = .session
    ) -> RouterGroup<Context> {
        group().add(middleware: StytchPermissionGuard<Context>(authorizer: authorizer, resource: resource, action: action, organization: organization))
    }
}

extension AuthRequestContext where Identity == VerifiedSession {
    /// The verified Stytch session, or nil (no authenticator ran, or optional mode without a token).
    public var stytchSession: VerifiedSession? { identity }

    /// The verified Stytch session; throws ``StytchHTTPError/missingToken`` (a 401) when there is none.
    public func requireStytchSession() throws(StytchHTTPError) -> VerifiedSession {
        guard let identity else { throw StytchHTTPError.missingToken }
        return identity
    }
}

/// Logs a refusal at debug (its detailed message stays in the log) and makes it throwable.
func rejection(_ failure: StytchHTTPAuthentication.Failure, _ logger: Logger) -> StytchHTTPError {
    logger.debug("stytch request refused", metadata: ["stytch.error_code": "\(failure.error.code)", "stytch.reason": "\(failure.error.message)"])
    return StytchHTTPError(failure)
}

extension Logger {
    /// Puts the session's IDs (never the token) on the logger.
    mutating func stytchSession(_ session: VerifiedSession) {
        addStytchSessionMetadata(session)
    }
}

/// Verifies the request's session JWT like ``StytchAuthenticator`` and hands the application its
/// own identity type, made from the session by `map` (return nil to leave the request
/// unauthenticated). When that type conforms to `StytchIdentity`, every Stytch guard works on it.
///
/// ```swift
/// struct User: StytchIdentity { let id: String; let session: VerifiedSession
///     var stytchCredential: StytchCredential { .session(session) } }
/// router.add(middleware: StytchIdentityAuthenticator<AppContext>(verifier: verifier) { session, _ in
///     User(id: session.memberID, session: session)
/// })
/// ```
public struct StytchIdentityAuthenticator<Context: AuthRequestContext>: AuthenticatorMiddleware {
    /// The application's identity.
    public typealias Identity = Context.Identity

    /// The shared pipeline.
    public let pipeline: StytchRequestAuthenticator
    /// Makes the application's identity from a verified (perhaps refreshed) session.
    public let map: @Sendable (VerifiedSession, Context) async throws -> Context.Identity?

    /// An authenticator over `pipeline`, mapping sessions with `map`.
    public init(pipeline: StytchRequestAuthenticator, map: @escaping @Sendable (VerifiedSession, Context) async throws -> Context.Identity?) {
        self.pipeline = pipeline
        self.map = map
    }

    /// An authenticator for `verifier` in `mode`, mapping sessions with `map`.
    public init(
        verifier: StytchJWTVerifier, mode: StytchSessionMode = .required,
        map: @escaping @Sendable (VerifiedSession, Context) async throws -> Context.Identity?
    ) {
        self.init(pipeline: StytchRequestAuthenticator(authenticator: verifier, mode: mode), map: map)
    }

    /// The application's identity for the request's session, or nil.
    public func authenticate(request: Request, context: Context) async throws -> Context.Identity? {
        try await authentication(request, context).identity
    }

    private func authentication(_ request: Request, _ context: Context) async throws -> (identity: Context.Identity?, authentication: SessionAuthentication?) {
        switch await pipeline.authenticate(authorization: request.headers[values: .authorization], cookieHeaders: request.headers[values: .cookie]) {
        case .anonymous: return (nil, nil)
        case .authenticated(let authentication): return (try await map(authentication.session, context), authentication)
        case .rejected(let failure): throw rejection(failure, context.logger)
        }
    }

    /// Authenticates, then calls `next` with the mapped identity; adds the pipeline's response
    /// headers (a refreshed JWT's cookie).
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let (identity, authentication) = try await authentication(request, context)
        var context = context
        context.identity = identity
        if let session = authentication?.session { context.logger.stytchSession(session) }
        var response = try await next(request, context)
        if let authentication {
            for (name, value) in pipeline.responseHeaders(for: authentication) {
                response.headers[values: HTTPField.Name(name)!].append(value)
            }
        }
        return response
    }
}

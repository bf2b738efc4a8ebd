public import Foundation
import HTTPTypes
public import Hummingbird
public import HummingbirdAuth
import Logging
import NIOCore
public import StytchJWT

// Hummingbird 2 adapter: an authenticator in the hummingbird-auth style whose identity is a
// `VerifiedSession`, a ready-made request context, per-route guards over `SessionRequirement`, and
// failures rendered from `StytchHTTPAuthentication.Failure`. The HTTP rules themselves (where the
// token is, which status a failure gets) live in `StytchJWT` and are shared with the Vapor adapter.

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

/// Whether a route answers requests that carry no token at all.
public enum StytchSessionMode: Sendable, Hashable {
    /// A request without a token is answered 401 (`WWW-Authenticate: Bearer`).
    case required
    /// A request without a token goes through with no session; a bad token is still a 401.
    case optional
}

/// A rejection rendered as Hummingbird renders errors: the status of
/// ``StytchHTTPAuthentication/Failure/status``, `WWW-Authenticate` on a 401, and the small JSON body
/// `{"error":{"code":"…","message":"…"}}` (never a token or key material).
public struct StytchHTTPError: HTTPResponseError, Sendable {
    /// The framework-neutral failure behind the response.
    public let failure: StytchHTTPAuthentication.Failure

    /// Wraps `failure`.
    public init(_ failure: StytchHTTPAuthentication.Failure) {
        self.failure = failure
    }

    /// Wraps a library error (a rejected token, or a failed authorization rule).
    public init(_ error: StytchJWTError) {
        self.failure = StytchHTTPAuthentication.Failure(error)
    }

    /// The 401 for a request that carried no token.
    public static let missingToken = StytchHTTPError(StytchHTTPAuthentication.Failure.missing)

    /// 401, 403 or 503, from ``StytchHTTPAuthentication/Failure/status``.
    public var status: HTTPResponse.Status {
        switch failure.status {
        case 401: .unauthorized
        case 403: .forbidden
        case 503: .serviceUnavailable
        default: HTTPResponse.Status(code: failure.status)
        }
    }

    /// The JSON response, with `WWW-Authenticate` when the status is 401 and `Cache-Control: no-store`.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = ByteBuffer(string: failure.jsonBody)
        var headers: HTTPFields = [
            .contentType: "application/json; charset=utf-8",
            .contentLength: String(body.readableBytes),
            .cacheControl: "no-store",
        ]
        if let challenge = failure.wwwAuthenticate { headers[.wwwAuthenticate] = challenge }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}

/// Verifies the request's Stytch session JWT and puts the ``VerifiedSession`` in
/// `context.identity`, with `stytch.member_id`, `stytch.organization_id` and
/// `stytch.member_session_id` on `context.logger` (never the token).
///
/// The token is read as ``StytchHTTPAuthentication/TokenSources`` says (default: `Authorization:
/// Bearer`, then the `stytch_session_jwt` cookie; a malformed header is a 401, never a fall-through).
/// A rejected token throws ``StytchHTTPError`` (401; 503 when no key is available); a missing one
/// does too in ``StytchSessionMode/required`` mode.
///
/// Built with a ``StytchSessionRefresher``, an expired (or too old) JWT is refreshed through
/// Stytch's API and the fresh one is sent back as a `Set-Cookie` with the attributes of
/// ``refreshCookie``; every other rejection stays local.
///
/// ```swift
/// router.add(middleware: StytchAuthenticator(verifier: verifier))                       // session required
/// router.group("feed").add(middleware: StytchAuthenticator(verifier: verifier, mode: .optional))
/// router.add(middleware: StytchAuthenticator(refresher: StytchSessionRefresher(verifier: verifier, client: stytch)))
/// ```
public struct StytchAuthenticator<Context: AuthRequestContext<VerifiedSession>>: AuthenticatorMiddleware {
    /// The identity this authenticator produces.
    public typealias Identity = VerifiedSession

    /// The verifier (pinned keys or a ``JWKSCache``).
    public let verifier: StytchJWTVerifier
    /// Refreshes expired JWTs through Stytch's API, when set.
    public let refresher: StytchSessionRefresher?
    /// The attributes of the `Set-Cookie` carrying a refreshed JWT.
    public let refreshCookie: StytchHTTPAuthentication.SessionCookie
    /// Where the token is looked for.
    public let sources: StytchHTTPAuthentication.TokenSources
    /// Whether a request without a token is refused.
    public let mode: StytchSessionMode

    /// An authenticator for `verifier`, reading the token from `sources`, in `mode`.
    public init(
        verifier: StytchJWTVerifier,
        sources: StytchHTTPAuthentication.TokenSources = .default,
        mode: StytchSessionMode = .required
    ) {
        self.verifier = verifier
        self.refresher = nil
        self.refreshCookie = .default
        self.sources = sources
        self.mode = mode
    }

    /// An authenticator that verifies locally with `refresher.verifier` and refreshes expired JWTs
    /// through Stytch's API, sending the fresh JWT back in a cookie with `refreshCookie`'s attributes.
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

    /// The verified session of the request, or nil when it has no token and the mode is optional.
    ///
    /// - Throws: ``StytchHTTPError`` for a missing token (required mode), a malformed
    ///   `Authorization` header or a rejected token.
    public func authenticate(request: Request, context: Context) async throws -> VerifiedSession? {
        try await authentication(request: request, context: context)?.session
    }

    private func authentication(request: Request, context: Context) async throws -> SessionAuthentication? {
        let token: String?
        do {
            token = try StytchHTTPAuthentication.token(
                authorization: request.headers[values: .authorization],
                cookieHeaders: request.headers[values: .cookie],
                sources: sources
            )
        } catch {
            throw rejection(error, context: context)
        }
        guard let token else {
            if mode == .optional { return nil }
            context.logger.debug("stytch session token missing")
            throw StytchHTTPError.missingToken
        }
        do {
            return try await StytchHTTPAuthentication.authenticate(token: token, verifier: verifier, refresher: refresher)
        } catch {
            throw rejection(error, context: context)
        }
    }

    private func rejection(_ error: StytchJWTError, context: Context) -> StytchHTTPError {
        context.logger.debug("stytch session rejected", metadata: ["stytch.error_code": "\(error.code)"])
        return StytchHTTPError(error)
    }

    /// Authenticates, then calls `next` with the session in `context.identity` and its IDs on
    /// `context.logger`; adds the `Set-Cookie` of a refreshed JWT to the response.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authentication = try await authentication(request: request, context: context) else {
            return try await next(request, context)
        }
        let session = authentication.session
        var context = context
        context.identity = session
        context.logger[metadataKey: "stytch.member_id"] = .string(session.memberID)
        context.logger[metadataKey: "stytch.organization_id"] = .string(session.organizationID)
        context.logger[metadataKey: "stytch.member_session_id"] = .string(session.memberSessionID)
        var response = try await next(request, context)
        if authentication.refreshed {
            context.logger.debug("stytch session refreshed through the API")
            response.headers[values: .setCookie].append(
                refreshCookie.headerValue(jwt: authentication.sessionJWT, session: session, now: verifier.configuration.clock())
            )
        }
        return response
    }
}

/// Requires a verified session meeting every one of `requirements`: 401 when the request has no
/// session (e.g. behind an optional ``StytchAuthenticator``), 403 with the rule's code
/// (`permission_denied`, `tenancy_mismatch`) when one fails. Put it after the authenticator.
///
/// ```swift
/// router.group("admin").add(middleware: StytchSessionGuard(.anyRole(["admin"])))
/// ```
public struct StytchSessionGuard<Context: AuthRequestContext<VerifiedSession>>: RouterMiddleware {
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
        guard let session = context.identity else { throw StytchHTTPError.missingToken }
        let now = clock()
        for requirement in requirements {
            if let error = requirement.failure(for: session, now: now) {
                context.logger.debug("stytch session refused by a rule", metadata: ["stytch.error_code": "\(error.code)"])
                throw StytchHTTPError(error)
            }
        }
        return try await next(request, context)
    }
}

extension RouterMethods {
    /// A group (same path) whose routes require a session meeting every one of `requirements`.
    ///
    /// ```swift
    /// router.requireStytchSession(.anyRole(["admin"])).get("/admin") { … }
    /// ```
    public func requireStytchSession(
        _ requirements: SessionRequirement..., clock: @escaping @Sendable () -> Date = { Date() }
    ) -> RouterGroup<Context> where Context: AuthRequestContext<VerifiedSession> {
        group().add(middleware: StytchSessionGuard<Context>(requirements, clock: clock))
    }
}

extension AuthRequestContext where Identity == VerifiedSession {
    /// The verified Stytch session, or nil (no authenticator ran, or optional mode without a token).
    public var stytchSession: VerifiedSession? { identity }

    /// The verified Stytch session.
    ///
    /// - Throws: ``StytchHTTPError/missingToken`` (a 401 with `WWW-Authenticate: Bearer`) when there is none.
    public func requireStytchSession() throws(StytchHTTPError) -> VerifiedSession {
        guard let identity else { throw StytchHTTPError.missingToken }
        return identity
    }
}

/// Lets a request through only when the session's roles allow `action` on `resource`, by the
/// local RBAC check of ``StytchRBACAuthorizer`` (403 `permission_denied` or `tenancy_mismatch`
/// otherwise; 503 when no policy could be had). Put it after ``StytchAuthenticator``.
public struct StytchPermissionGuard<Context: AuthRequestContext<VerifiedSession>>: RouterMiddleware {
    /// The authorizer.
    public let authorizer: StytchRBACAuthorizer
    /// The resource.
    public let resource: String
    /// The action.
    public let action: String
    /// Where the organization comes from.
    public let organization: StytchOrganizationSource

    /// A guard of `action` on `resource`.
    public init(authorizer: StytchRBACAuthorizer, resource: String, action: String, organization: StytchOrganizationSource = .session) {
        self.authorizer = authorizer
        self.resource = resource
        self.action = action
        self.organization = organization
    }

    /// Checks the permission, then calls `next`.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let session = context.identity else { throw StytchHTTPError.missingToken }
        do {
            let organizationID = try organization.organizationID(of: session) { context.parameters.get($0) }
            try await authorizer.authorize(session, AuthorizationCheck(organizationID: organizationID, resourceID: resource, action: action))
        } catch {
            context.logger.debug("stytch permission refused", metadata: ["stytch.error_code": "\(error.code)"])
            throw StytchHTTPError(error)
        }
        return try await next(request, context)
    }
}

extension RouterMethods {
    /// A route group whose routes require `action` on `resource` (see ``StytchPermissionGuard``).
    ///
    /// ```swift
    /// router.requirePermission(resource: "documents", action: "write", authorizer: rbac)
    ///     .post("documents") { request, context in … }
    /// ```
    public func requirePermission(
        resource: String, action: String, authorizer: StytchRBACAuthorizer, organization: StytchOrganizationSource = .session
    ) -> RouterGroup<Context> where Context: AuthRequestContext<VerifiedSession> {
        group().add(middleware: StytchPermissionGuard<Context>(authorizer: authorizer, resource: resource, action: action, organization: organization))
    }
}

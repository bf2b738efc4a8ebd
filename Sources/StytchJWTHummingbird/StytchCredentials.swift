import Foundation
public import Hummingbird
public import HummingbirdAuth
public import StytchJWT

// Routes that accept access tokens (M2M, Connected Apps) and perhaps sessions: glue over the
// core's StytchCredentialAuthenticator. The handler is told which kind it got.

/// A request context carrying whichever Stytch credential a ``StytchTokenAuthenticator`` accepted.
public struct StytchCredentialContext: AuthRequestContext, RequestContext {
    /// Hummingbird's core context storage.
    public var coreContext: CoreRequestContextStorage
    /// The verified credential, once the authenticator has accepted the request's token.
    public var identity: StytchCredential?

    /// Creates a context with no credential yet.
    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.identity = nil
    }
}

/// ``StytchCredentialContext`` for a group inside a router of another context (Hummingbird's
/// context-transforming groups):
///
/// ```swift
/// router.group("/api", context: StytchCredentialChildContext<StytchRequestContext>.self)
///     .add(middleware: StytchTokenAuthenticator(verifier: verifier, accepting: [.m2m]))
///     .requireScopes("read:users").get("users") { _, context in … }
/// ```
public struct StytchCredentialChildContext<ParentContext: RequestContext>: ChildRequestContext, AuthRequestContext {
    /// Hummingbird's core context storage, taken over from the parent.
    public var coreContext: CoreRequestContextStorage
    /// The verified credential, once the authenticator has accepted the request's token.
    public var identity: StytchCredential?

    /// The parent's storage, with no credential yet.
    public init(context: ParentContext) throws {
        self.coreContext = context.coreContext
        self.identity = nil
    }
}

/// Verifies the request's bearer token as one of `kinds` and puts the `StytchCredential` in
/// `context.identity` (401 for a bad token or a kind not accepted, 403 `insufficient_scope` for
/// an M2M token lacking `requiredScopes`).
///
/// ```swift
/// let router = Router(context: StytchCredentialContext.self)
/// router.group("api").add(middleware: StytchTokenAuthenticator(verifier: verifier, accepting: [.session, .m2m]))
///     .requireScopes("read:users").get("users") { _, context in … }
/// ```
public struct StytchTokenAuthenticator<Context: AuthRequestContext<StytchCredential>>: AuthenticatorMiddleware {
    /// The identity this authenticator produces.
    public typealias Identity = StytchCredential

    /// The shared pipeline.
    public let pipeline: StytchCredentialAuthenticator

    /// An authenticator over `pipeline`.
    public init(pipeline: StytchCredentialAuthenticator) { self.pipeline = pipeline }

    /// An authenticator accepting `kinds`, M2M tokens having to grant `requiredScopes`.
    public init(verifier: StytchJWTVerifier, accepting kinds: Set<StytchTokenKind>, requiredScopes: [String] = [], mode: StytchSessionMode = .required) {
        self.init(pipeline: StytchCredentialAuthenticator(verifier: verifier, accepting: kinds, requiredScopes: requiredScopes, mode: mode))
    }

    /// The request's credential, or nil when it has no token and the mode is optional.
    public func authenticate(request: Request, context: Context) async throws -> StytchCredential? {
        switch await pipeline.authenticate(authorization: request.headers[values: .authorization], cookieHeaders: request.headers[values: .cookie]) {
        case .anonymous: return nil
        case .authenticated(let credential): return credential
        case .rejected(let failure): throw rejection(failure, context.logger)
        }
    }
}

/// Requires the credential to grant every one of `scopes` (403 `insufficient_scope` with
/// `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"`).
public struct StytchScopeGuard<Context: AuthRequestContext>: RouterMiddleware where Context.Identity: StytchIdentity {
    /// The scopes required.
    public let scopes: [String]

    /// A guard requiring `scopes`.
    public init(_ scopes: [String]) { self.scopes = scopes }

    /// Calls `next` when every scope is granted.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let failure = StytchCredentialAuthenticator.check(context.identity?.stytchCredential, grants: scopes) { throw rejection(failure, context.logger) }
        return try await next(request, context)
    }
}

extension RouterMethods where Context: AuthRequestContext, Context.Identity: StytchIdentity {
    /// A group whose routes require every one of `scopes` (see ``StytchScopeGuard``).
    public func requireScopes(_ scopes: String...) -> RouterGroup<Context> {
        group().add(middleware: StytchScopeGuard<Context>(scopes))
    }
}

extension AuthRequestContext where Identity == StytchCredential {
    /// The verified credential; throws ``StytchHTTPError/missingToken`` (a 401) when there is none.
    public func requireStytchCredential() throws(StytchHTTPError) -> StytchCredential {
        guard let identity else { throw StytchHTTPError.missingToken }
        return identity
    }
}

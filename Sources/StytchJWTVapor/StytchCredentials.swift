import Foundation
public import StytchJWT
public import Vapor

// Routes that accept access tokens (M2M, Connected Apps) and perhaps sessions: glue over the
// core's StytchCredentialAuthenticator. The handler is told which kind it got.

extension StytchCredential: Authenticatable {}

/// Verifies the request's bearer token as one of `kinds` and logs the `StytchCredential` in
/// (`req.stytchCredential`); 401 for a bad token or a kind not accepted, 403 `insufficient_scope`
/// for an M2M token lacking `requiredScopes`.
///
/// ```swift
/// app.grouped(StytchTokenAuthenticator(accepting: [.session, .m2m])).requireScopes("read:users")
///     .get("users") { req in … }
/// ```
public struct StytchTokenAuthenticator: AsyncMiddleware {
    /// The verifier; nil to use `app.stytch.verifier`.
    public let verifier: StytchJWTVerifier?
    /// The kinds accepted.
    public let kinds: Set<StytchTokenKind>
    /// Scopes every M2M token must grant.
    public let requiredScopes: [String]
    /// Whether a request without a token is refused.
    public let mode: StytchSessionMode

    /// An authenticator accepting `kinds`.
    public init(verifier: StytchJWTVerifier? = nil, accepting kinds: Set<StytchTokenKind>, requiredScopes: [String] = [], mode: StytchSessionMode = .required) {
        self.verifier = verifier
        self.kinds = kinds
        self.requiredScopes = requiredScopes
        self.mode = mode
    }

    /// Verifies the token and calls `next` with the credential logged in, or answers the failure.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let verifier = verifier ?? request.application.stytch.verifier else {
            return request.stytchFailure(.init(StytchJWTError(.invalidConfiguration, "no verifier is configured: set app.stytch.verifier")))
        }
        let pipeline = StytchCredentialAuthenticator(verifier: verifier, accepting: kinds, requiredScopes: requiredScopes, mode: mode)
        switch await pipeline.authenticate(authorization: request.headers[.authorization], cookieHeaders: request.headers[.cookie]) {
        case .anonymous:
            break
        case .rejected(let failure):
            return request.stytchFailure(failure)
        case .authenticated(let credential):
            request.auth.login(credential)
            if case .session(let session) = credential { request.auth.login(session) }
        }
        return try await request.stytchResponding(next)
    }
}

/// Requires the credential to grant every one of `scopes` (403 `insufficient_scope`).
public struct StytchScopeGuard: AsyncMiddleware {
    /// The scopes required.
    public let scopes: [String]

    /// A guard requiring `scopes`.
    public init(_ scopes: [String]) { self.scopes = scopes }

    /// Calls `next` when every scope is granted.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let failure = StytchCredentialAuthenticator.check(request.stytchCredential, grants: scopes) { return request.stytchFailure(failure) }
        return try await request.stytchResponding(next)
    }
}

extension RoutesBuilder {
    /// Routes that require every one of `scopes` (after a ``StytchTokenAuthenticator``).
    public func requireScopes(_ scopes: String...) -> any RoutesBuilder {
        grouped(StytchScopeGuard(scopes))
    }
}

extension Request {
    /// The verified credential of a ``StytchTokenAuthenticator``, or nil.
    public var stytchCredential: StytchCredential? { auth.get(StytchCredential.self) }

    /// The verified credential; throws ``StytchAbort`` (a 401) when there is none.
    public func requireStytchCredential() throws -> StytchCredential {
        guard let credential = stytchCredential else { throw StytchAbort(.missing) }
        return credential
    }
}

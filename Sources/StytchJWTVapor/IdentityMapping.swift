public import StytchJWT
public import Vapor

/// Verifies the request's session JWT like ``StytchAuthenticator`` and logs in the application's
/// own `Authenticatable` type too, made from the session by `map` (return nil to log in nothing
/// more). The session stays logged in, so the Stytch guards work behind it; the handler reads
/// `req.auth.require(User.self)` as with any Vapor authenticator.
///
/// ```swift
/// struct User: Authenticatable { let id: String; let organizationID: String }
/// app.grouped(StytchIdentityAuthenticator { session, _ in User(id: session.memberID, organizationID: session.organizationID) })
///     .get("me") { req in try req.auth.require(User.self).id }
/// ```
public struct StytchIdentityAuthenticator<Identity: Authenticatable>: AsyncMiddleware {
    /// The session authenticator this one runs first.
    public let sessions: StytchAuthenticator
    /// Makes the application's identity from a verified (perhaps refreshed) session.
    public let map: @Sendable (VerifiedSession, Request) async throws -> Identity?

    /// An authenticator over `sessions`, mapping with `map`.
    public init(sessions: StytchAuthenticator, map: @escaping @Sendable (VerifiedSession, Request) async throws -> Identity?) {
        self.sessions = sessions
        self.map = map
    }

    /// An authenticator with `verifier` (nil: `app.stytch.authenticator`) in `mode`, mapping with `map`.
    public init(
        verifier: StytchJWTVerifier? = nil, mode: StytchSessionMode = .required,
        map: @escaping @Sendable (VerifiedSession, Request) async throws -> Identity?
    ) {
        self.init(sessions: StytchAuthenticator(verifier: verifier, mode: mode), map: map)
    }

    /// Runs ``sessions``, then logs in the mapped identity before `next`.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        try await sessions.respond(to: request, chainingTo: Mapping(next: next, map: map))
    }

    private struct Mapping: AsyncResponder {
        let next: any AsyncResponder
        let map: @Sendable (VerifiedSession, Request) async throws -> Identity?

        func respond(to request: Request) async throws -> Response {
            if let session = request.stytchSession, let identity = try await map(session, request) {
                request.auth.login(identity)
            }
            return try await next.respond(to: request)
        }
    }
}

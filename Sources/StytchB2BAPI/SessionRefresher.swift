public import StytchJWTCore
import Foundation
public import Logging

/// Local verification first, then Stytch's API only when it can help.
///
/// `authenticate(sessionJWT:)` verifies the JWT locally. Only when that fails with `expired` or
/// `token_too_old` (and, if ``Configuration/refreshOnKeysUnavailable`` is on, `keys_unavailable`)
/// does it call `POST /v1/b2b/sessions/authenticate` with the JWT, then verify the fresh
/// `session_jwt` like any other, cross-check it with the response's `member_session`, member and
/// organization, and check it names the same member, session and organization as the JWT
/// presented. Every other local rejection is final: a forged, malformed, wrong-issuer or
/// unknown-key token never causes an API call.
///
/// With ``Configuration/refreshOnKeysUnavailable`` on, a token that reaches the API during a key
/// outage has passed every rule that needs no key (structure, header, `iss`, `aud`, claim types,
/// the Stytch claims, and the time rules but `expired` and `token_too_old`), and such calls are
/// limited to ``Configuration/keysUnavailableRefreshLimit`` per minute: an outage plus a flood of
/// forged tokens cannot multiply calls to Stytch. Past the limit the request fails with the local
/// `keys_unavailable`.
///
/// Concurrent refreshes of the same JWT share one API call, and for
/// ``Configuration/recentRefreshLifetime`` afterwards the same expired JWT is answered with the
/// fresh JWT (verified again each time) without another call: clients that send several requests
/// with the old cookie cost one call.
///
/// ```swift
/// let refresher = StytchSessionRefresher(verifier: verifier, client: stytchClient)
/// let result = try await refresher.authenticate(sessionJWT: jwt)
/// if result.refreshed { /* send result.sessionJWT back to the client */ }
/// ```
public final class StytchSessionRefresher: StytchSessionAuthenticating {
    /// Settings; each has a documented default.
    public struct Configuration: Sendable {
        /// Also refresh through the API when no verification key can be had (`keys_unavailable`).
        /// The fresh JWT is then verified with the keys if they have come back, else trusted as
        /// Stytch's own answer over TLS to a request authenticated with the project secret (its
        /// claims, times and cross-checks are still checked). Default off: fail closed.
        public var refreshOnKeysUnavailable = false
        /// With ``refreshOnKeysUnavailable``, the most API calls made for tokens whose signature
        /// could not be checked, per minute (a fixed window on the verifier's clock). Default 30.
        public var keysUnavailableRefreshLimit = 30
        /// Passed to Stytch as `session_duration_minutes` (extends the session). Default nil:
        /// the session's lifetime is unchanged.
        public var sessionDurationMinutes: Int?
        /// How long a refresh's fresh JWT is reused for further requests bearing the same old JWT.
        /// Default 30 s; 0 turns it off.
        public var recentRefreshLifetime: Double = 30
        /// The most such reusable refreshes held. Default 10,000.
        public var maximumRecentRefreshes = 10_000

        /// The defaults.
        public init() {}
    }

    /// The local verifier.
    public let verifier: StytchJWTVerifier
    /// The API client.
    public let client: StytchB2BClient
    /// The settings in use.
    public let configuration: Configuration
    private let logger: Logger?
    private let state = LockedState(RefreshState())

    /// A refresher verifying with `verifier` and refreshing through `client`.
    public init(verifier: StytchJWTVerifier, client: StytchB2BClient, configuration: Configuration = Configuration(), logger: Logger? = nil) {
        self.verifier = verifier
        self.client = client
        self.configuration = configuration
        self.logger = logger
    }

    /// API calls made so far (for tests and metrics).
    public var apiCallCount: Int { state.withLock { $0.apiCalls } }

    /// The cached session of `sessionJWT` when the verifier's token cache holds it (a JWT that
    /// verifies locally is never refreshed), else nil.
    public func authenticationWithoutWaiting(sessionJWT: String) -> SessionAuthentication? {
        verifier.authenticationWithoutWaiting(sessionJWT: sessionJWT)
    }

    /// Verifies `sessionJWT` locally; refreshes it through Stytch's API only when it has expired or
    /// is too old (see the type's documentation).
    ///
    /// - Throws: the local `StytchJWTError` for every rejection the API cannot help with;
    ///   `stytch_api_error` when the API call fails (404 `session_not_found` means the session is
    ///   gone); `session_mismatch` when the fresh JWT disagrees with the response or names another
    ///   session than the JWT presented.
    public func authenticate(sessionJWT jwt: String) async throws(StytchJWTError) -> SessionAuthentication {
        let localError: StytchJWTError
        do {
            let session = try await verifier.verify(sessionJWT: jwt)
            return SessionAuthentication(session: session, sessionJWT: jwt, refreshed: false, response: nil)
        } catch {
            localError = error
        }
        switch localError.code {
        case .expired, .tokenTooOld: break
        case .keysUnavailable where configuration.refreshOnKeysUnavailable:
            // No key: check everything that needs none, then spend one call of the outage budget.
            try verifier.checkWithoutKey(sessionJWT: jwt)
            guard takeOutageCall() else {
                logger?.debug("stytch refresh during a key outage refused: the per-minute limit is spent")
                throw localError
            }
        default: throw localError
        }
        // `expired` and `token_too_old` come after the signature check: re-verify the signature and
        // read whom the token names, so the fresh session can be held to it.
        let presented = localError.code == .keysUnavailable ? nil : try await verifier.signedIdentity(of: jwt)

        if let reused = await reuseRecentRefresh(of: jwt) { return reused }

        let task = state.withLock { state -> Task<Result<SessionAuthentication, StytchJWTError>, Never> in
            if let running = state.inFlight[Array(jwt.utf8)] { return running }
            state.apiCalls += 1
            let task = Task { () -> Result<SessionAuthentication, StytchJWTError> in
                let result: Result<SessionAuthentication, StytchJWTError>
                do throws(StytchJWTError) {
                    result = .success(try await self.refresh(jwt, presented: presented))
                } catch {
                    result = .failure(error)
                }
                self.finish(jwt, result)
                return result
            }
            state.inFlight[Array(jwt.utf8)] = task
            return task
        }
        return try await task.value.get()
    }

    private func refresh(_ jwt: String, presented: SignedIdentity?) async throws(StytchJWTError) -> SessionAuthentication {
        let response = try await client.authenticateSession(
            B2BSessionAuthenticateRequest(.sessionJWT(jwt), sessionDurationMinutes: configuration.sessionDurationMinutes)
        )
        guard (200...299).contains(response.statusCode), !response.sessionJWT.isEmpty else {
            throw StytchJWTError(apiFailure: StytchAPIFailure(statusCode: response.statusCode, requestID: response.requestID),
                                 "Stytch API sessions/authenticate returned no session_jwt")
        }
        let session: VerifiedSession
        do {
            session = try await verifier.verify(sessionJWT: response.sessionJWT)
        } catch where error.code == .keysUnavailable && configuration.refreshOnKeysUnavailable {
            session = try verifier.verifyTrustingSignature(sessionJWT: response.sessionJWT)
        }
        try StytchJWTVerifier.crossCheck(
            session, memberID: nil, organizationID: nil,
            member: response.member, organization: response.organization, memberSession: response.memberSession
        )
        if let presented {
            guard presented.memberID.hasSameUTF8(as: session.memberID) else {
                throw StytchJWTError(.sessionMismatch, "the refreshed JWT's sub differs from the presented JWT's")
            }
            guard presented.memberSessionID.hasSameUTF8(as: session.memberSessionID) else {
                throw StytchJWTError(.sessionMismatch, "the refreshed JWT's session id differs from the presented JWT's")
            }
            guard presented.organizationID.hasSameUTF8(as: session.organizationID) else {
                throw StytchJWTError(.sessionMismatch, "the refreshed JWT's organization_id differs from the presented JWT's")
            }
        }
        logger?.debug("stytch session refreshed through the API", metadata: ["stytch.member_session_id": "\(session.memberSessionID)"])
        return SessionAuthentication(session: session, sessionJWT: response.sessionJWT, refreshed: true, response: response)
    }

    /// Takes one API call of the current minute's key-outage budget; false when it is spent.
    private func takeOutageCall() -> Bool {
        let now = verifier.configuration.clock().timeIntervalSince1970
        return state.withLock { state in
            if now - state.outageWindowStart >= 60 || now < state.outageWindowStart {
                state.outageWindowStart = now
                state.outageCalls = 0
            }
            guard state.outageCalls < configuration.keysUnavailableRefreshLimit else { return false }
            state.outageCalls += 1
            return true
        }
    }

    private func finish(_ jwt: String, _ result: Result<SessionAuthentication, StytchJWTError>) {
        let now = verifier.configuration.clock().timeIntervalSince1970
        state.withLock { state in
            state.inFlight[Array(jwt.utf8)] = nil
            guard case .success(let refreshed) = result, configuration.recentRefreshLifetime > 0,
                  configuration.maximumRecentRefreshes > 0 else { return }
            state.recent = state.recent.filter { $0.value.until > now }
            if state.recent.count >= configuration.maximumRecentRefreshes { state.recent.removeAll(keepingCapacity: true) }
            state.recent[Array(jwt.utf8)] = RecentRefresh(jwt: refreshed.sessionJWT, response: refreshed.response,
                                              until: now + configuration.recentRefreshLifetime)
        }
    }

    /// The fresh JWT of a recent refresh of `jwt`, verified again now; nil when there is none or it
    /// no longer verifies.
    private func reuseRecentRefresh(of jwt: String) async -> SessionAuthentication? {
        let now = verifier.configuration.clock().timeIntervalSince1970
        guard let recent = state.withLock({ state -> RecentRefresh? in
            guard let recent = state.recent[Array(jwt.utf8)] else { return nil }
            guard recent.until > now else {
                state.recent[Array(jwt.utf8)] = nil
                return nil
            }
            return recent
        }) else { return nil }
        guard let session = try? await verifier.verify(sessionJWT: recent.jwt) else {
            _ = state.withLock { $0.recent.removeValue(forKey: Array(jwt.utf8)) }
            return nil
        }
        return SessionAuthentication(session: session, sessionJWT: recent.jwt, refreshed: true, response: recent.response)
    }
}

struct RecentRefresh {
    let jwt: String
    let response: B2BSessionAuthenticateResponse?
    let until: Double
}

struct RefreshState {
    var inFlight: [[UInt8]: Task<Result<SessionAuthentication, StytchJWTError>, Never>] = [:]
    var recent: [[UInt8]: RecentRefresh] = [:]
    var apiCalls = 0
    /// The key-outage budget: calls made in the window that started at `outageWindowStart`.
    var outageWindowStart = -Double.infinity
    var outageCalls = 0
}

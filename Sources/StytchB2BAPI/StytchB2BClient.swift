public import AsyncHTTPClient
import Foundation
import Metrics
import NIOHTTP1
import StytchBoundedHTTP
public import StytchJWTCore

/// A small client for the three Stytch B2B endpoints local verification cannot replace:
/// `POST /v1/b2b/sessions/authenticate`, `GET /v1/b2b/rbac/policy` and
/// `GET /v1/b2b/rbac/organizations/{organization_id}`.
///
/// HTTP basic auth with the project ID and secret. The secret is never logged, never part of an
/// error message, and hidden from `print`, `dump` and string interpolation of the client. The base
/// URL follows the JWKS rules: `https://test.stytch.com` for `project-test-…`,
/// `https://api.stytch.com` for `project-live-…`, or the given custom domain (https; plain http
/// only to a loopback host). Bounded: a timeout over the whole exchange (default 10 s) and a body
/// cap (default 1 MiB). Every failure is a `StytchJWTError` with code `stytch_api_error` whose
/// `StytchJWTError/apiFailure` carries Stytch's `status_code`, `request_id`, `error_type`,
/// `error_message` and `error_url`.
///
/// ```swift
/// let stytch = try StytchB2BClient(projectID: "project-live-…", secret: secretFromTheEnvironment)
/// let policy = try await stytch.rbacPolicy()
/// ```
public struct StytchB2BClient: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The project ID (the basic-auth user name).
    public let projectID: String
    /// The API's base URL, without a trailing slash.
    public let baseURL: String
    /// The limit on a whole exchange (connect, request, response body), in seconds.
    public let timeout: Double
    /// The largest response body accepted, in bytes.
    public let maximumBodyBytes: Int
    private let authorization: String
    private let client: HTTPClient

    /// A client for `projectID`.
    ///
    /// - Parameters:
    ///   - projectID: the project ID (`project-test-…` or `project-live-…`), the basic-auth user name.
    ///   - secret: the project's secret. Kept only inside the `Authorization` header value.
    ///   - baseURL: a custom domain (`https://auth.example.com`); default by the project ID's prefix.
    ///   - client: the AsyncHTTPClient to use; nil for the process-wide client the JWKS fetcher
    ///     shares (redirects refused).
    ///   - timeout: the limit on a whole exchange, in seconds (default 10).
    ///   - maximumBodyBytes: the largest response body accepted (default 1 MiB).
    /// - Throws: `StytchJWTError` `invalid_configuration` for an empty secret, a project ID of neither kind
    ///   without a base URL, a base URL that is not https, or a bad timeout or cap.
    public init(
        projectID: String,
        secret: String,
        baseURL: String? = nil,
        client: HTTPClient? = nil,
        timeout: Double = 10,
        maximumBodyBytes: Int = 1 << 20
    ) throws(StytchJWTError) {
        guard !secret.isEmpty, secret.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
            throw StytchJWTError(.invalidConfiguration, "the Stytch secret is empty or holds characters a secret cannot have")
        }
        guard timeout > 0, timeout.isFinite, maximumBodyBytes > 0 else {
            throw StytchJWTError(.invalidConfiguration, "API timeout and body cap must be positive")
        }
        self.baseURL = try StytchProject.baseURL(projectID: projectID, baseURL: baseURL)
        self.projectID = projectID
        self.authorization = "Basic " + Data("\(projectID):\(secret)".utf8).base64EncodedString()
        self.client = client ?? BoundedHTTP.sharedClient
        self.timeout = timeout
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Names the project and base URL; never the secret.
    public var description: String { "StytchB2BClient(projectID: \(projectID), baseURL: \(baseURL), secret: <redacted>)" }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// A mirror without the secret, so `dump(client)` cannot print it.
    public var customMirror: Mirror {
        Mirror(self, children: ["projectID": projectID, "baseURL": baseURL, "timeout": timeout], displayStyle: .struct)
    }

    // MARK: - Endpoints

    /// `POST /v1/b2b/sessions/authenticate`: authenticates a session by its JWT or its token and
    /// returns the session, a fresh `session_jwt` and, when asked, the authorization verdict.
    ///
    /// The response is decoded strictly (no duplicate members, 1 MiB cap). It is not verified
    /// here: ``StytchSessionRefresher`` verifies the new JWT and cross-checks it with the response.
    public func authenticateSession(_ request: B2BSessionAuthenticateRequest) async throws(StytchJWTError) -> B2BSessionAuthenticateResponse {
        let body = Array(JSONValue.object(request.jsonMembers).jsonText.utf8)
        return try await send(.POST, "/v1/b2b/sessions/authenticate", body: body, as: B2BSessionAuthenticateResponse.self)
    }

    /// `GET /v1/b2b/rbac/policy`: the project's roles, resources and scopes.
    public func rbacPolicy() async throws(StytchJWTError) -> RBACPolicy {
        try await send(.GET, "/v1/b2b/rbac/policy", body: nil, as: RBACPolicyResponse.self).policy
    }

    /// `GET /v1/b2b/rbac/organizations/{organization_id}`: the roles one organization adds to the
    /// project's policy.
    ///
    /// - Throws: `malformed` for an organization ID that is not a plain identifier (it goes into
    ///   the URL path), else `stytch_api_error`.
    public func organizationPolicy(organizationID: String) async throws(StytchJWTError) -> OrganizationRBACPolicy {
        guard StytchProject.isPlainIdentifier(organizationID, allowingDots: true) else {
            throw StytchJWTError(.malformed, "organization ID is empty or has characters a URL path cannot carry")
        }
        return try await send(.GET, "/v1/b2b/rbac/organizations/\(organizationID)", body: nil, as: OrganizationRBACPolicyResponse.self).policy
    }

    // MARK: - Transport

    /// One call, counted in `stytch_api_requests_total{endpoint, outcome}` (`success`, or the
    /// HTTP status class or `transport` of a failure) and timed in
    /// `stytch_api_request_duration_seconds{endpoint}`.
    private func send<Response: Decodable>(
        _ method: HTTPMethod, _ path: String, body: [UInt8]?, as type: Response.Type
    ) async throws(StytchJWTError) -> Response {
        let endpoint = Self.endpointName(path)
        let started = ContinuousClock.now
        do {
            let response = try await sendUncounted(method, path, body: body, as: type)
            Self.record(endpoint, "success", since: started)
            return response
        } catch {
            Self.record(endpoint, error.apiFailure?.statusCode.map { "http_\($0 / 100)xx" } ?? "transport", since: started)
            throw error
        }
    }

    private static func record(_ endpoint: String, _ outcome: String, since started: ContinuousClock.Instant) {
        Counter(label: "stytch_api_requests_total", dimensions: [("endpoint", endpoint), ("outcome", outcome)]).increment()
        let elapsed = ContinuousClock.now - started
        Metrics.Timer(label: "stytch_api_request_duration_seconds", dimensions: [("endpoint", endpoint)])
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    private func sendUncounted<Response: Decodable>(
        _ method: HTTPMethod, _ path: String, body: [UInt8]?, as type: Response.Type
    ) async throws(StytchJWTError) -> Response {
        let (status, bytes) = try await exchange(method, path, body: body)
        guard (200...299).contains(status) else { throw Self.failure(status: status, body: bytes, endpoint: path) }
        let members: [String: JSONValue]
        do {
            members = try StrictJSON.parseObject(bytes, maximumDepth: B2BAuthenticateResponse.maximumJSONDepth)
        } catch {
            throw StytchJWTError(apiFailure: StytchAPIFailure(statusCode: status),
                                 "Stytch API answered \(Self.endpointName(path)) with a body that is not a strict JSON object")
        }
        do {
            // Strict JSON (no duplicates) checked above; Foundation's decoder makes the typed response.
            return try JSONDecoder().decode(Response.self, from: Data(bytes))
        } catch {
            throw StytchJWTError(apiFailure: StytchAPIFailure(statusCode: status, requestID: members["request_id"]?.stringValue),
                                 "Stytch API's \(Self.endpointName(path)) response lacks a field or has one of the wrong type")
        }
    }

    /// One bounded exchange (``BoundedHTTP``): the timeout covers the whole of it, body included.
    private func exchange(_ method: HTTPMethod, _ path: String, body: [UInt8]?) async throws(StytchJWTError) -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "StytchJWT")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        let endpoint = Self.endpointName(path)
        do {
            let response = try await BoundedHTTP.execute(
                request, client: client, timeout: timeout, maximumBodyBytes: maximumBodyBytes,
                operation: "stytch.api.\(endpoint)", endpoint: endpoint
            )
            return (response.status, response.body)
        } catch {
            switch error {
            case .timedOut:
                throw StytchJWTError(apiFailure: StytchAPIFailure(statusCode: nil), "Stytch API \(endpoint) timed out")
            case .bodyTooLarge(let status, _):
                throw StytchJWTError(apiFailure: StytchAPIFailure(statusCode: status), "Stytch API \(endpoint) \(error)")
            case .transport:
                throw StytchJWTError(apiFailure: StytchAPIFailure(statusCode: nil), "Stytch API \(endpoint) failed: \(error)")
            }
        }
    }

    /// The typed error for a non-2xx answer, from Stytch's error body when it has one.
    static func failure(status: Int, body: [UInt8], endpoint path: String) -> StytchJWTError {
        let members = (try? StrictJSON.parseObject(body, maximumDepth: 16)) ?? [:]
        func text(_ name: String, limit: Int = 1024) -> String? {
            guard let value = members[name]?.stringValue, value.utf8.count <= limit else { return nil }
            return value
        }
        let errorType = text("error_type", limit: 128).flatMap { $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } ? $0 : nil }
        let failure = StytchAPIFailure(
            statusCode: status,
            requestID: text("request_id", limit: 256),
            errorType: errorType,
            errorMessage: text("error_message"),
            errorURL: text("error_url")
        )
        let typeText = errorType.map { " (\($0))" } ?? ""
        return StytchJWTError(apiFailure: failure, "Stytch API \(endpointName(path)) answered HTTP \(status)\(typeText)")
    }

    /// The endpoint without identifiers, for messages: `sessions/authenticate`, `rbac/policy`, `rbac/organizations`.
    static func endpointName(_ path: String) -> String {
        if path.hasPrefix("/v1/b2b/rbac/organizations/") { return "rbac/organizations" }
        return path.replacingOccurrences(of: "/v1/b2b/", with: "")
    }
}

// MARK: - sessions/authenticate

/// The body of `POST /v1/b2b/sessions/authenticate`: a session JWT or a session token (never
/// both, by construction), and the optional parameters.
///
/// Printing or dumping a request never shows the credential.
public struct B2BSessionAuthenticateRequest: Sendable, CustomStringConvertible, CustomReflectable {
    /// How the session is named.
    public enum Credential: Sendable {
        /// A `session_jwt` (may be expired: Stytch authenticates the session behind it).
        case sessionJWT(String)
        /// A `session_token`.
        case sessionToken(String)
    }

    /// The session's credential.
    public var credential: Credential
    /// Extends the session by this many minutes (Stytch's `session_duration_minutes`).
    public var sessionDurationMinutes: Int?
    /// Sets custom claims on the session (Stytch's `session_custom_claims`).
    public var sessionCustomClaims: [String: JSONValue]?
    /// Asks Stytch for an authorization verdict too (Stytch's `authorization_check`).
    public var authorizationCheck: AuthorizationCheck?

    /// A request for `credential`.
    public init(
        _ credential: Credential,
        sessionDurationMinutes: Int? = nil,
        sessionCustomClaims: [String: JSONValue]? = nil,
        authorizationCheck: AuthorizationCheck? = nil
    ) {
        self.credential = credential
        self.sessionDurationMinutes = sessionDurationMinutes
        self.sessionCustomClaims = sessionCustomClaims
        self.authorizationCheck = authorizationCheck
    }

    var jsonMembers: [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        switch credential {
        case .sessionJWT(let jwt): members["session_jwt"] = .string(jwt)
        case .sessionToken(let token): members["session_token"] = .string(token)
        }
        if let sessionDurationMinutes { members["session_duration_minutes"] = .number(JSONNumber(Int64(sessionDurationMinutes))) }
        if let sessionCustomClaims { members["session_custom_claims"] = .object(sessionCustomClaims) }
        if let authorizationCheck {
            members["authorization_check"] = .object([
                "organization_id": .string(authorizationCheck.organizationID),
                "resource_id": .string(authorizationCheck.resourceID),
                "action": .string(authorizationCheck.action),
            ])
        }
        return members
    }

    /// Names the credential's kind, never its value.
    public var description: String {
        switch credential {
        case .sessionJWT: "B2BSessionAuthenticateRequest(session_jwt: <redacted>)"
        case .sessionToken: "B2BSessionAuthenticateRequest(session_token: <redacted>)"
        }
    }

    /// A mirror without the credential.
    public var customMirror: Mirror {
        Mirror(self, children: ["sessionDurationMinutes": sessionDurationMinutes as Any], displayStyle: .struct)
    }
}

struct RBACPolicyResponse: Decodable {
    let policy: RBACPolicy
}

struct OrganizationRBACPolicyResponse: Decodable {
    let policy: OrganizationRBACPolicy

    enum CodingKeys: String, CodingKey { case policy = "org_policy" }
}

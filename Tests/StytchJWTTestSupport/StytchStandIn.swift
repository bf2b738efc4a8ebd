import Foundation
public import StytchJWT
package import StytchJWTTesting
import NIOCore
import NIOHTTP1
import NIOPosix

/// A stand-in for Stytch's B2B API on 127.0.0.1, written for the tests from Stytch's documented
/// request and response shapes: `POST /v1/b2b/sessions/authenticate`, `GET /v1/b2b/rbac/policy`,
/// `GET /v1/b2b/rbac/organizations/{organization_id}`, and Stytch's error bodies. It counts every
/// call it receives.
///
/// Sessions: the stand-in knows the fixture's member session (``TestTokens/sessionID``) as active;
/// authenticating a JWT for it answers a fresh JWT issued at ``issueTime`` and signed with
/// ``signingKey`` under ``kid``. An unknown or revoked session is a 404 `session_not_found`; a wrong
/// secret a 401 `unauthorized_credentials`; ``authenticateFault`` scripts 429, 500, a hang or a
/// delay.
public final class StytchStandIn: Sendable {
    /// A scripted fault for sessions/authenticate.
    public enum Fault: Sendable {
        /// Answer normally.
        case none
        /// Answer with `status` and a Stytch error body of `errorType`.
        case status(Int, errorType: String)
        /// Never answer.
        case hang
        /// Answer normally after `delay`.
        case delay(Duration)
        /// Answer a fresh JWT for another member session (a confused or hostile upstream).
        case otherSession
    }

    /// The project ID.
    public let projectID: String
    /// The secret the stand-in accepts.
    public let secret: String
    /// The `kid` fresh JWTs carry.
    public let kid: String
    /// The key fresh JWTs are signed with.
    package let signingKey: TestingSigningKey
    private let state: Locked<State>
    private let server: HTTPStandInServer

    struct State {
        var activeSessions: Set<String> = [TestTokens.sessionID]
        var issueTime: Int64 = TestTokens.issuedAt
        var authenticateFault: Fault = .none
        var policy: JSONValue
        var organizationPolicies: [String: JSONValue] = [:]
        var policyFault: (status: Int, errorType: String)?
        var calls: [String: Int] = [:]
        var lastAuthenticateBody: [String: JSONValue]?
        var rolesInFreshJWT: [String] = ["stytch_member"]
    }

    private init(projectID: String, secret: String, kid: String, signingKey: TestingSigningKey, state: Locked<State>, server: HTTPStandInServer) {
        self.projectID = projectID
        self.secret = secret
        self.kid = kid
        self.signingKey = signingKey
        self.state = state
        self.server = server
    }

    /// Starts the stand-in on a free loopback port.
    package static func start(
        projectID: String = TestTokens.projectID,
        secret: String = "secret-test-stand-in-\(UInt32.random(in: 0...UInt32.max))",
        kid: String,
        signingKey: TestingSigningKey,
        policy: JSONValue = StytchStandIn.examplePolicy
    ) async throws -> StytchStandIn {
        let state = Locked(State(policy: policy))
        let box = Locked<StytchStandIn?>(nil)
        let server = try await HTTPStandInServer.start { request in
            guard let standIn = box.withLock({ $0 }) else { return .json(503, .object([:])) }
            return await standIn.answer(request)
        }
        let standIn = StytchStandIn(projectID: projectID, secret: secret, kid: kid, signingKey: signingKey, state: state, server: server)
        box.withLock { $0 = standIn }
        return standIn
    }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(server.port)" }

    /// Calls received on `path` (e.g. `/v1/b2b/sessions/authenticate`), whatever their answer.
    public func calls(_ path: String) -> Int { state.withLock { $0.calls[path, default: 0] } }
    /// Calls received in all.
    public var totalCalls: Int { state.withLock { $0.calls.values.reduce(0, +) } }
    /// Calls to sessions/authenticate.
    public var authenticateCalls: Int { calls("/v1/b2b/sessions/authenticate") }
    /// Calls to the project policy.
    public var policyCalls: Int { calls("/v1/b2b/rbac/policy") }
    /// Calls to `organizationID`'s policy.
    public func organizationPolicyCalls(_ organizationID: String) -> Int { calls("/v1/b2b/rbac/organizations/\(organizationID)") }
    /// The JSON body of the last sessions/authenticate call.
    public var lastAuthenticateBody: [String: JSONValue]? { state.withLock { $0.lastAuthenticateBody } }

    /// Sets the `iat` (Unix seconds) of the JWTs issued from now on.
    public func setIssueTime(_ seconds: Int64) { state.withLock { $0.issueTime = seconds } }
    /// Scripts sessions/authenticate.
    public func setAuthenticateFault(_ fault: Fault) { state.withLock { $0.authenticateFault = fault } }
    /// Revokes the fixture's session (authenticate answers 404 `session_not_found`).
    public func revokeSession(_ id: String = TestTokens.sessionID) { _ = state.withLock { $0.activeSessions.remove(id) } }
    /// The roles fresh JWTs carry.
    public func setRolesInFreshJWT(_ roles: [String]) { state.withLock { $0.rolesInFreshJWT = roles } }
    /// Replaces the project policy.
    public func setPolicy(_ policy: JSONValue) { state.withLock { $0.policy = policy } }
    /// Sets `organizationID`'s policy (nil: 404).
    public func setOrganizationPolicy(_ organizationID: String, _ policy: JSONValue?) {
        state.withLock { $0.organizationPolicies[organizationID] = policy }
    }
    /// Makes both policy endpoints fail (nil: answer normally).
    public func setPolicyFault(_ fault: (status: Int, errorType: String)?) { state.withLock { $0.policyFault = fault } }

    /// Stops the server.
    public func shutdown() async throws { try await server.shutdown() }

    /// A project policy: `stytch_admin` may do anything to `stytch.member`; `stytch_member` may
    /// read documents; `editor` may read and write documents; `viewer` has no document rights.
    public static let examplePolicy: JSONValue = .object([
        "request_id": .string("request-id-test-policy"),
        "status_code": .number(JSONNumber(200)),
        "policy": .object([
            "roles": .array([
                role("stytch_admin", [("stytch.member", ["*"])]),
                role("stytch_member", [("documents", ["read"])]),
                role("editor", [("documents", ["read", "write"]), ("reports", ["*"])]),
                role("viewer", [("reports", ["read"])]),
            ]),
            "resources": .array([
                .object(["resource_id": .string("documents"), "description": .string(""), "actions": .array([.string("read"), .string("write")])]),
                .object(["resource_id": .string("reports"), "description": .string(""), "actions": .array([.string("read")])]),
            ]),
            "scopes": .array([]),
        ]),
    ])

    /// A role object.
    public static func role(_ id: String, _ permissions: [(String, [String])]) -> JSONValue {
        .object([
            "role_id": .string(id),
            "description": .string("test role \(id)"),
            "permissions": .array(permissions.map { resource, actions in
                .object(["resource_id": .string(resource), "actions": .array(actions.map(JSONValue.string))])
            }),
        ])
    }

    /// An organization policy body holding `roles`.
    public static func organizationPolicy(_ roles: [JSONValue]) -> JSONValue {
        .object([
            "request_id": .string("request-id-test-org-policy"),
            "status_code": .number(JSONNumber(200)),
            "org_policy": .object(["roles": .array(roles)]),
        ])
    }

    // MARK: - Answers

    private func answer(_ request: HTTPStandInServer.Request) async -> HTTPStandInServer.Response {
        let path = request.path
        state.withLock { $0.calls[path, default: 0] += 1 }
        let expected = "Basic " + Data("\(projectID):\(secret)".utf8).base64EncodedString()
        guard request.authorization == expected else {
            return Self.error(401, "unauthorized_credentials", "Unauthorized credentials.")
        }
        switch (request.method, path) {
        case ("POST", "/v1/b2b/sessions/authenticate"):
            return await authenticate(request.body)
        case ("GET", "/v1/b2b/rbac/policy"):
            return state.withLock { state in
                if let fault = state.policyFault { return Self.error(fault.status, fault.errorType, "Policy unavailable.") }
                return .json(200, state.policy)
            }
        case ("GET", _) where path.hasPrefix("/v1/b2b/rbac/organizations/"):
            let id = String(path.dropFirst("/v1/b2b/rbac/organizations/".count))
            return state.withLock { state in
                if let fault = state.policyFault { return Self.error(fault.status, fault.errorType, "Policy unavailable.") }
                guard let policy = state.organizationPolicies[id] else {
                    return Self.error(404, "organization_not_found", "Organization could not be found.")
                }
                return .json(200, policy)
            }
        default:
            return Self.error(404, "route_not_found", "Unrecognized endpoint.")
        }
    }

    /// Whether `jwt`'s RS256 signature verifies with ``signingKey``'s public half.
    private func isSignedBySigningKey(_ jwt: String) -> Bool {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = Base64URL.decode(String(parts[2])), let key = try? signingKey.publicKey() else { return false }
        return key.isValidRS256Signature(signature, for: Array("\(parts[0]).\(parts[1])".utf8))
    }

    private func authenticate(_ body: [UInt8]) async -> HTTPStandInServer.Response {
        guard let members = try? StrictJSON.parseObject(body, maximumDepth: 16) else {
            return Self.error(400, "invalid_json", "Invalid JSON.")
        }
        let (fault, issueTime, active, roles) = state.withLock { state in
            state.lastAuthenticateBody = members
            return (state.authenticateFault, state.issueTime, state.activeSessions, state.rolesInFreshJWT)
        }
        switch fault {
        case .none, .otherSession: break
        case .status(let status, let errorType): return Self.error(status, errorType, "Scripted failure.")
        case .hang: return .hang
        case .delay(let delay): try? await Task.sleep(for: delay)
        }
        let hasJWT = members["session_jwt"] != nil, hasToken = members["session_token"] != nil
        guard hasJWT != hasToken else {
            return Self.error(400, "invalid_argument", "Exactly one of session_jwt and session_token is required.")
        }
        // Stytch signed its JWTs: one whose signature is not Stytch's is refused, as Stytch would.
        if let jwt = members["session_jwt"]?.stringValue, !isSignedBySigningKey(jwt) {
            return Self.error(401, "invalid_session_jwt", "The session JWT could not be verified.")
        }
        // Stytch knows its sessions: read which one the JWT names (its signature is Stytch's own).
        guard let jwt = members["session_jwt"]?.stringValue,
              let payload = Self.unverifiedPayload(jwt),
              let sessionID = payload[TestTokens.sessionClaim]?.objectValue?["id"]?.stringValue,
              active.contains(sessionID)
        else {
            return Self.error(404, "session_not_found", "Session could not be found.")
        }
        var fresh = TestTokens.payload(issuedAt: issueTime, roles: roles)
        if case .otherSession = fault, var session = fresh[TestTokens.sessionClaim]?.objectValue {
            session["id"] = .string("member-session-test-00000000-0000-4000-8000-000000000999")
            fresh[TestTokens.sessionClaim] = .object(session)
        }
        let freshJWT = TestTokens.token(kid: kid, key: signingKey, payload: fresh)
        var memberSession = fresh[TestTokens.sessionClaim]?.objectValue ?? [:]
        memberSession["member_session_id"] = memberSession.removeValue(forKey: "id")
        memberSession["member_id"] = .string(TestTokens.memberID)
        memberSession["organization_id"] = .string(TestTokens.organizationID)
        memberSession["organization_slug"] = .string(TestTokens.slug)
        memberSession["custom_claims"] = .object(["my_custom_claim": .string("value")])
        return .json(200, .object([
            "request_id": .string("request-id-test-authenticate-\(UInt32.random(in: 0...UInt32.max))"),
            "status_code": .number(JSONNumber(200)),
            "member_session": .object(memberSession),
            "session_token": .string("session-token-test-stand-in-secret"),
            "session_jwt": .string(freshJWT),
            "member": Self.member(roles: roles),
            "organization": Self.organization,
            "verdict": .null,
        ]))
    }

    static func unverifiedPayload(_ jwt: String) -> [String: JSONValue]? {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let bytes = Base64URL.decode(String(parts[1])) else { return nil }
        return try? StrictJSON.parseObject(bytes, maximumDepth: 16)
    }

    static func error(_ status: Int, _ errorType: String, _ message: String) -> HTTPStandInServer.Response {
        .json(status, .object([
            "status_code": .number(JSONNumber(Int64(status))),
            "request_id": .string("request-id-test-error-\(status)"),
            "error_type": .string(errorType),
            "error_message": .string(message),
            "error_url": .string("https://stytch.com/docs/api/errors/\(status)#\(errorType)"),
        ]))
    }

    static func member(roles: [String]) -> JSONValue {
        .object([
            "organization_id": .string(TestTokens.organizationID),
            "member_id": .string(TestTokens.memberID),
            "email_address": .string("ada@acme.example"),
            "status": .string("active"),
            "name": .string("Ada Lovelace"),
            "sso_registrations": .array([]),
            "oauth_registrations": .array([]),
            "retired_email_addresses": .array([]),
            "roles": .array(roles.map { role in
                .object(["role_id": .string(role), "sources": .array([.object(["type": .string("direct_assignment"), "details": .object([:])])])])
            }),
            "trusted_metadata": .object([:]),
            "untrusted_metadata": .object([:]),
        ])
    }

    static let organization: JSONValue = .object([
        "organization_id": .string(TestTokens.organizationID),
        "organization_name": .string("Acme Corp"),
        "organization_slug": .string(TestTokens.slug),
        "sso_jit_provisioning_allowed_connections": .array([]),
        "email_allowed_domains": .array([.string("acme.example")]),
        "trusted_metadata": .object([:]),
    ])
}

/// Starts a ``StytchStandIn``, runs `body`, and shuts it down whether `body` returns or throws.
package func withStytchStandIn<T>(
    kid: String,
    signingKey: TestingSigningKey,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (StytchStandIn) async throws -> T
) async throws -> T {
    let standIn = try await StytchStandIn.start(kid: kid, signingKey: signingKey)
    let result: T
    do {
        result = try await body(standIn)
    } catch {
        try? await standIn.shutdown()
        throw error
    }
    try await standIn.shutdown()
    return result
}

/// A minimal HTTP/1.1 server on loopback whose answers come from an async handler.
final class HTTPStandInServer: Sendable {
    struct Request: Sendable {
        let method: String
        let path: String
        let authorization: String?
        let body: [UInt8]
    }

    enum Response: Sendable {
        case json(Int, JSONValue)
        case hang
    }

    typealias Handler = @Sendable (Request) async -> Response

    let port: Int
    private let channel: any Channel
    private let children: Locked<[ObjectIdentifier: any Channel]>

    private init(port: Int, channel: any Channel, children: Locked<[ObjectIdentifier: any Channel]>) {
        self.port = port
        self.channel = channel
        self.children = children
    }

    static func start(handler: @escaping Handler) async throws -> HTTPStandInServer {
        let children = Locked<[ObjectIdentifier: any Channel]>([:])
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                let id = ObjectIdentifier(channel)
                children.withLock { $0[id] = channel }
                channel.closeFuture.whenComplete { _ in _ = children.withLock { $0.removeValue(forKey: id) } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(StandInHandler(handler: handler))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close().get()
            throw JWKSTestServerError.noPort
        }
        return HTTPStandInServer(port: port, channel: channel, children: children)
    }

    func shutdown() async throws {
        for child in children.withLock({ Array($0.values) }) {
            try? await child.close().get()
        }
        try? await channel.close().get()
    }
}

private final class StandInHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: HTTPStandInServer.Handler
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(handler: @escaping HTTPStandInServer.Handler) { self.handler = handler }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            self.head = nil
            let request = HTTPStandInServer.Request(
                method: head.method.rawValue,
                path: head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? head.uri,
                authorization: head.headers.first(name: "authorization"),
                body: body
            )
            let keepAlive = head.isKeepAlive
            let handler = self.handler
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            Task {
                let response = await handler(request)
                eventLoop.execute {
                    let (this, context) = loopBound.value
                    this.write(response, keepAlive: keepAlive, context: context)
                }
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func write(_ response: HTTPStandInServer.Response, keepAlive: Bool, context: ChannelHandlerContext) {
        guard case .json(let status, let document) = response else { return }
        let bytes = Array(document.jsonText.utf8)
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(bytes.count))])
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}

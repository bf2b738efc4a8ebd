public import StytchJWT
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP/1.1 server on `127.0.0.1` (ephemeral port) that serves a scripted JWKS endpoint.
///
/// Built on SwiftNIO and the process-wide `MultiThreadedEventLoopGroup.singleton`; shutting it down
/// closes the listening channel and every open connection (hanging and dripping ones included).
/// Every request is counted (in total and per path) before it is answered.
///
/// ```swift
/// try await withJWKSTestServer { server in
///     server.respond(with: .json(TestJWKS.document([("kid-a", key)])))
///     let fetcher = try StytchJWKSFetcher(url: server.url(path: "/v1/b2b/sessions/jwks/project-test-x"), timeout: 0.5)
///     …
///     #expect(server.requestCount == 1)
/// }
/// ```
public final class JWKSTestServer: Sendable {
    /// What the server does with a request.
    public enum Behaviour: Sendable {
        /// Answers `status` with `body` (with a Content-Length) and the extra `headers`, e.g. Cache-Control.
        case jwks(body: [UInt8], status: Int = 200, headers: [(String, String)] = [])
        /// Answers with this status and a small JSON error body.
        case status(Int)
        /// Accepts the request and never answers (until the client gives up or the server shuts down).
        case hang
        /// Sends the head (with the full Content-Length), then `bytesPerChunk` bytes of `body` every `interval`.
        case slowDrip(body: [UInt8], bytesPerChunk: Int, interval: Duration)
        /// A 200 whose body is `bytes` long: `document` (default `{"keys":[]}`) padded with a
        /// `"padding"` member; with a Content-Length when `declaresLength`, else chunked.
        case oversize(bytes: Int, declaresLength: Bool = true, document: JSONValue? = nil)
        /// A 302 to `location` (absolute or a path on this server).
        case redirect(to: String)
        /// A 200 `application/json` whose body is not JSON (a truncated document).
        case invalidJSON
        /// Closes the connection without answering.
        case dropConnection

        /// A 200 (or `status`) answering `document` as JSON, with extra `headers`.
        public static func json(_ document: JSONValue, status: Int = 200, headers: [(String, String)] = []) -> Behaviour {
            .jwks(body: Array(document.jsonText.utf8), status: status, headers: headers)
        }
    }

    /// The port the server listens on.
    public let port: Int
    private let core: Core
    private let channel: any Channel

    private init(port: Int, core: Core, channel: any Channel) {
        self.port = port
        self.core = core
        self.channel = channel
    }

    /// Starts a server on `127.0.0.1` with an ephemeral port, answering `behaviour` until told otherwise.
    public static func start(responding behaviour: Behaviour = .status(503)) async throws -> JWKSTestServer {
        let core = Core(behaviour: behaviour)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                core.register(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(core: core))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close().get()
            throw JWKSTestServerError.noPort
        }
        return JWKSTestServer(port: port, core: core, channel: channel)
    }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// `baseURL` followed by `path` (which should start with `/`).
    public func url(path: String) -> String { baseURL + path }

    /// Requests received so far, on any path.
    public var requestCount: Int { core.state.withLock { $0.total } }

    /// Requests received so far on `path` (the request target without its query).
    public func requestCount(path: String) -> Int { core.state.withLock { $0.perPath[path, default: 0] } }

    /// Makes the next request and every later one get `behaviour` (paths with their own behaviour excepted).
    public func respond(with behaviour: Behaviour) {
        core.state.withLock { $0.behaviour = behaviour }
    }

    /// Makes requests to `path` get `behaviour`, whatever the general behaviour is.
    public func respond(with behaviour: Behaviour, onPath path: String) {
        core.state.withLock { $0.pathBehaviours[path] = behaviour }
    }

    /// Waits (polling, up to `timeout` of real time) until at least `count` requests have arrived.
    /// Returns whether they did.
    @discardableResult
    public func waitForRequests(atLeast count: Int, timeout: Duration = .seconds(10)) async -> Bool {
        await poll(timeout: timeout) { self.requestCount >= count }
    }

    /// Stops listening and closes every open connection. Safe to call more than once.
    public func shutdown() async throws {
        let children = core.state.withLock { state -> [any Channel] in
            state.isShutDown = true
            return Array(state.children.values)
        }
        for child in children {
            try? await child.close().get()
        }
        do {
            try await channel.close().get()
        } catch ChannelError.alreadyClosed {
            // shut down before
        }
    }

    // MARK: Internals

    struct State {
        var behaviour: Behaviour
        var pathBehaviours: [String: Behaviour] = [:]
        var total = 0
        var perPath: [String: Int] = [:]
        var children: [ObjectIdentifier: any Channel] = [:]
        var isShutDown = false
    }

    /// What the connection handlers share with the server object.
    final class Core: Sendable {
        let state: Locked<State>

        init(behaviour: Behaviour) { state = Locked(State(behaviour: behaviour)) }

        func register(_ channel: any Channel) {
            let id = ObjectIdentifier(channel)
            let accepted = state.withLock { state -> Bool in
                guard !state.isShutDown else { return false }
                state.children[id] = channel
                return true
            }
            guard accepted else {
                channel.close(promise: nil)
                return
            }
            channel.closeFuture.whenComplete { _ in
                _ = self.state.withLock { $0.children.removeValue(forKey: id) }
            }
        }

        /// Counts a request and says how to answer it.
        func received(path: String) -> Behaviour {
            state.withLock { state in
                state.total += 1
                state.perPath[path, default: 0] += 1
                return state.pathBehaviours[path] ?? state.behaviour
            }
        }
    }
}

/// Why the test server could not start.
public enum JWKSTestServerError: Error {
    case noPort
}

/// Answers each request on one connection according to the server's script.
private final class RequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let core: JWKSTestServer.Core
    private var pending: JWKSTestServer.Behaviour?
    private var keepAlive = true
    private var isActive = true

    init(core: JWKSTestServer.Core) { self.core = core }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? head.uri
            keepAlive = head.isKeepAlive
            pending = core.received(path: path)
        case .body:
            break
        case .end:
            guard let behaviour = pending else { return }
            pending = nil
            answer(behaviour, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func answer(_ behaviour: JWKSTestServer.Behaviour, context: ChannelHandlerContext) {
        switch behaviour {
        case .jwks(let body, let status, let headers):
            var fields = HTTPHeaders([("Content-Type", "application/json")])
            for (name, value) in headers { fields.add(name: name, value: value) }
            respond(status: status, headers: fields, body: body, context: context)
        case .status(let status):
            respond(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]),
                    body: Array(#"{"status_code":\#(status),"error_type":"test_server_error"}"#.utf8), context: context)
        case .hang:
            break
        case .slowDrip(let body, let bytesPerChunk, let interval):
            var fields = HTTPHeaders([("Content-Type", "application/json")])
            fields.add(name: "Content-Length", value: String(body.count))
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: fields))), promise: nil)
            drip(body[...], bytesPerChunk: max(1, bytesPerChunk), interval: TimeAmount(interval), context: context)
        case .oversize(let bytes, let declaresLength, let document):
            let body = Self.padded(document ?? .object(["keys": .array([])]), to: bytes)
            var fields = HTTPHeaders([("Content-Type", "application/json")])
            if declaresLength { fields.add(name: "Content-Length", value: String(body.count)) }
            // Without a Content-Length, NIO's encoder sends the body chunked.
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: fields))), promise: nil)
            var offset = 0
            while offset < body.count {
                let end = min(body.count, offset + 16_384)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body[offset..<end])))), promise: nil)
                offset = end
            }
            finish(context: context, close: true)
        case .redirect(let location):
            respond(status: 302, headers: HTTPHeaders([("Location", location)]), body: [], context: context)
        case .invalidJSON:
            respond(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]),
                    body: Array(#"{"keys":[{"kty":"RSA","kid":"jwk-test-truncated","n":"#.utf8), context: context)
        case .dropConnection:
            context.close(promise: nil)
        }
    }

    private func respond(status: Int, headers: HTTPHeaders, body: [UInt8], context: ChannelHandlerContext) {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        }
        finish(context: context, close: !keepAlive)
    }

    private func finish(context: ChannelHandlerContext, close: Bool) {
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if close {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    private func drip(_ remaining: ArraySlice<UInt8>, bytesPerChunk: Int, interval: TimeAmount, context: ChannelHandlerContext) {
        guard isActive else { return }
        guard !remaining.isEmpty else {
            finish(context: context, close: true)
            return
        }
        let piece = remaining.prefix(bytesPerChunk)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: piece)))), promise: nil)
        let rest = remaining.dropFirst(bytesPerChunk)
        context.eventLoop.assumeIsolated().scheduleTask(in: interval) {
            self.drip(rest, bytesPerChunk: bytesPerChunk, interval: interval, context: context)
        }
    }

    /// `document` (an object) with a `"padding"` member making its compact text exactly `bytes` long
    /// (or as short as possible when `bytes` is smaller than the document).
    static func padded(_ document: JSONValue, to bytes: Int) -> [UInt8] {
        var members = document.objectValue ?? [:]
        members["padding"] = .string("")
        let base = JSONValue.object(members).jsonText.utf8.count
        members["padding"] = .string(String(repeating: "a", count: max(0, bytes - base)))
        return Array(JSONValue.object(members).jsonText.utf8)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

// MARK: - Scoped use

/// Starts a ``JWKSTestServer``, runs `body` with it, and shuts it down whether `body` returns or throws.
public func withJWKSTestServer<T>(
    responding behaviour: JWKSTestServer.Behaviour = .status(503),
    isolation: isolated (any Actor)? = #isolation,
    _ body: (JWKSTestServer) async throws -> T
) async throws -> T {
    let server = try await JWKSTestServer.start(responding: behaviour)
    let result: T
    do {
        result = try await body(server)
    } catch {
        try? await server.shutdown()
        throw error
    }
    try await server.shutdown()
    return result
}

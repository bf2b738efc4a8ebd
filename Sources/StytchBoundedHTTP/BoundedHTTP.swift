package import AsyncHTTPClient
import NIOCore
package import NIOHTTP1
import Tracing

/// One bounded HTTP exchange, the only way the JWKS fetcher and the Stytch API client talk to the
/// network: a timeout over the whole exchange (connect, head and body), a body cap enforced while
/// streaming, redirects refused (by the shared client), and failure descriptions that never carry
/// a URL, a header or response content.
package enum BoundedHTTP {
    /// The process-wide client: redirects disallowed, never shut down (like `HTTPClient.shared`).
    package static let sharedClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow)
    )

    /// What came back.
    package struct Response: Sendable {
        package var status: Int
        package var headers: HTTPHeaders
        package var body: [UInt8]
    }

    /// Why an exchange failed; ``description`` is safe to put in an error message.
    package enum Failure: Error, Sendable, CustomStringConvertible {
        /// The whole exchange took longer than the timeout.
        case timedOut
        /// The body (announced or streamed) passed the cap; the status had arrived.
        case bodyTooLarge(status: Int, limit: Int)
        /// The connection or the HTTP client failed (a short reason, no URL or content).
        case transport(String)

        package var description: String {
            switch self {
            case .timedOut: "timed out"
            case .bodyTooLarge(_, let limit): "body is larger than \(limit) bytes"
            case .transport(let reason): reason
            }
        }
    }

    /// Sends `request` and reads the whole answer within `timeout` seconds and `maximumBodyBytes`,
    /// in a client span named `operation` (swift-distributed-tracing) whose attributes are the
    /// method, the host, `endpoint` (a path without identifiers) and the status or failure: never
    /// a header, a query, a body or a credential.
    package static func execute(
        _ request: HTTPClientRequest, client: HTTPClient, timeout: Double, maximumBodyBytes: Int,
        operation: String, endpoint: String
    ) async throws(Failure) -> Response {
        let result: Result<Response, Failure> = await withSpan(operation, ofKind: .client) { span in
            span.attributes["http.request.method"] = request.method.rawValue
            span.attributes["server.address"] = URLHost(request.url)
            span.attributes["stytch.endpoint"] = endpoint
            do throws(Failure) {
                let response = try await executeUntraced(request, client: client, timeout: timeout, maximumBodyBytes: maximumBodyBytes)
                span.attributes["http.response.status_code"] = response.status
                if response.status >= 400 { span.setStatus(SpanStatus(code: .error)) }
                return .success(response)
            } catch {
                if case .bodyTooLarge(let status, _) = error { span.attributes["http.response.status_code"] = status }
                span.attributes["error.type"] = error.description
                span.setStatus(SpanStatus(code: .error))
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The host of `url` (scheme and path, query and credentials left out), for a span.
    private static func URLHost(_ url: String) -> String {
        let parts = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0].hasSuffix(":"), parts[1].isEmpty else { return "" }
        let authority = parts[2].prefix { $0 != "?" && $0 != "#" }
        return String(authority.split(separator: "@").last ?? "")
    }

    private static func executeUntraced(
        _ request: HTTPClientRequest, client: HTTPClient, timeout: Double, maximumBodyBytes: Int
    ) async throws(Failure) -> Response {
        do {
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await exchange(request, client: client, timeout: timeout, maximumBodyBytes: maximumBodyBytes) }
                group.addTask {
                    try await Task.sleep(for: .nanoseconds(Int64(timeout * 1e9)))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else { throw Failure.timedOut }
                return response
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .transport(describe(error))
        }
    }

    private static func exchange(
        _ request: HTTPClientRequest, client: HTTPClient, timeout: Double, maximumBodyBytes: Int
    ) async throws -> Response {
        let response = try await client.execute(request, deadline: .now() + .nanoseconds(Int64(timeout * 1e9)))
        let status = Int(response.status.code)
        if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > maximumBodyBytes {
            throw Failure.bodyTooLarge(status: status, limit: maximumBodyBytes)
        }
        var body = [UInt8]()
        for try await chunk in response.body {
            guard body.count + chunk.readableBytes <= maximumBodyBytes else {
                throw Failure.bodyTooLarge(status: status, limit: maximumBodyBytes)
            }
            body.append(contentsOf: chunk.readableBytesView)
        }
        return Response(status: status, headers: response.headers, body: body)
    }

    /// A short reason without URLs, headers or response content.
    package static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "timed out"
            case .remoteConnectionClosed: return "connection closed"
            default: return "HTTP client error"
            }
        }
        if error is CancellationError { return "cancelled" }
        switch String(describing: type(of: error)) {
        case "NIOConnectionError", "SocketAddressError": return "could not connect"
        default: return "transport error"
        }
    }
}

@testable import StytchJWTCore
import Logging
import StytchJWTTestSupport
import Testing

/// The session IDs both middleware adapters put on a request's logger.
@Suite struct SessionLogMetadataTests {
    /// A handler that stores its metadata provider, as swift-log's own handlers do.
    struct ProviderHandler: LogHandler {
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        var metadataProvider: Logger.MetadataProvider?
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {}
    }

    /// A handler written before metadata providers existed: swift-log's default ignores a provider.
    struct PlainHandler: LogHandler {
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {}
    }

    static let expected: Logger.Metadata = [
        "stytch.member_id": .string(TestTokens.memberID),
        "stytch.organization_id": .string(TestTokens.organizationID),
        "stytch.member_session_id": .string(TestTokens.sessionID),
    ]

    @Test("through the metadata provider, keeping the handler's metadata and an earlier provider's")
    func provider() throws {
        var handler = ProviderHandler()
        handler.metadata = ["request.id": "r-1"]
        handler.metadataProvider = Logger.MetadataProvider { ["trace.id": "t-1"] }
        var logger = Logger(label: "test") { _ in handler }
        logger.addStytchSessionMetadata(try SessionCookieTests.session())
        // Nothing written into the handler's metadata (which a stream handler would render at once).
        #expect(logger.handler.metadata == ["request.id": "r-1"])
        var expected = Self.expected
        expected["trace.id"] = "t-1"
        #expect(logger.metadataProvider?.get() == expected)
    }

    @Test("a handler without provider support gets the IDs as metadata")
    func plainHandler() throws {
        var logger = Logger(label: "test") { _ in PlainHandler(metadata: ["request.id": "r-1"]) }
        logger.addStytchSessionMetadata(try SessionCookieTests.session())
        #expect(logger.metadataProvider == nil)
        var expected = Self.expected
        expected["request.id"] = "r-1"
        #expect(logger.handler.metadata == expected)
    }
}

@testable import StytchJWTCore
import Logging
import StytchJWTTestSupport
import Testing

/// The session IDs both middleware adapters put on a request's logger.
@Suite struct SessionLogMetadataTests {
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
        // CapturedLogs' handler stores its provider, as swift-log's own handlers do.
        let logs = CapturedLogs()
        var logger = logs.logger
        logger[metadataKey: "request.id"] = "r-1"
        logger.handler.metadataProvider = Logger.MetadataProvider { ["trace.id": "t-1"] }
        logger.addStytchSessionMetadata(try SessionCookieTests.session())
        // Nothing written into the handler's metadata (which a stream handler would render at once).
        #expect(logger.handler.metadata == ["request.id": "r-1"])
        var expected = Self.expected
        expected["trace.id"] = "t-1"
        #expect(logger.metadataProvider?.get() == expected)
        logger.info("a line")
        let line = try #require(logs.records.last)
        #expect(line.metadata["stytch.member_id"] == TestTokens.memberID && line.metadata["request.id"] == "r-1")
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

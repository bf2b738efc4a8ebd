package import Logging

extension Logger {
    /// Makes every line this logger writes carry `stytch.member_id`, `stytch.organization_id` and
    /// `stytch.member_session_id` (never the token), for both middleware adapters.
    ///
    /// Through the logger's metadata provider, which the handler asks only when it writes a line: a
    /// service that logs nothing for a request pays for nothing. Writing the handler's metadata
    /// instead makes swift-log's `StreamLogHandler` render all of it as text on the spot, which cost
    /// a cache-hit request of the Hummingbird example about 4 µs of its 30. A handler that keeps no
    /// metadata provider (swift-log's debug builds then warn once about its type) gets the three
    /// values as metadata instead.
    package mutating func addStytchSessionMetadata(_ session: VerifiedSession) {
        let previous = handler.metadataProvider
        handler.metadataProvider = Logger.MetadataProvider {
            var metadata = previous?.get() ?? [:]
            Self.add(session, to: &metadata)
            return metadata
        }
        guard handler.metadataProvider == nil else { return }
        var metadata = handler.metadata
        Self.add(session, to: &metadata)
        handler.metadata = metadata
    }

    private static func add(_ session: VerifiedSession, to metadata: inout Metadata) {
        metadata["stytch.member_id"] = .string(session.memberID)
        metadata["stytch.organization_id"] = .string(session.organizationID)
        metadata["stytch.member_session_id"] = .string(session.memberSessionID)
    }
}

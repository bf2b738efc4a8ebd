package import Logging

extension Logger {
    /// Adds `stytch.member_id`, `stytch.organization_id` and `stytch.member_session_id` (never the
    /// token) to this logger's metadata, for both middleware adapters.
    ///
    /// One write of the handler's metadata rather than three of `logger[metadataKey:]`: swift-log's
    /// `StreamLogHandler` re-renders all of its metadata as text on every write, which for three
    /// writes cost about 8% of a Vapor example's CPU on cache hits.
    package mutating func addStytchSessionMetadata(_ session: VerifiedSession) {
        var metadata = handler.metadata
        metadata["stytch.member_id"] = .string(session.memberID)
        metadata["stytch.organization_id"] = .string(session.organizationID)
        metadata["stytch.member_session_id"] = .string(session.memberSessionID)
        handler.metadata = metadata
    }
}

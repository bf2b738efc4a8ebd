public import Logging
import StytchJWT

/// Collects every log record (level, message, merged metadata) of the loggers it makes, so a
/// middleware test can check what a request's logger carried and that no token ever appears.
///
/// ```swift
/// let logs = CapturedLogs()
/// let app = Application(router: router, logger: logs.logger)
/// …
/// #expect(logs.records.contains { $0.metadata["stytch.member_id"] == "member-…" })
/// ```
public final class CapturedLogs: Sendable {
    /// One emitted log record.
    public struct Record: Sendable, CustomStringConvertible {
        /// The level.
        public let level: Logger.Level
        /// The message.
        public let message: String
        /// The logger's metadata merged with the call's, rendered as strings.
        public let metadata: [String: String]

        /// `level message metadata`: the whole record as text, for "never contains" checks.
        public var description: String {
            "\(level) \(message) " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
    }

    private let storage = Locked<[Record]>([])

    /// An empty capture.
    public init() {}

    /// Every record so far.
    public var records: [Record] { storage.withLock { $0 } }

    /// All records as text.
    public var text: String { records.map(\.description).joined(separator: "\n") }

    /// A logger at `trace` level writing into this capture.
    public var logger: Logger {
        Logger(label: "test.capture") { _ in Handler(capture: self) }
    }

    fileprivate func append(_ record: Record) { storage.withLock { $0.append(record) } }

    struct Handler: LogHandler {
        let capture: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        var metadataProvider: Logger.MetadataProvider?

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
            merged.merge(event.metadata ?? [:]) { $1 }
            capture.append(Record(
                level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }
            ))
        }
    }
}

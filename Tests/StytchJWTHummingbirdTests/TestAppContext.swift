import Hummingbird
import HummingbirdAuth

/// An application's own request context carrying its own identity type, as hummingbird-auth's
/// documentation writes one: what the suites that map a session to an app's user run with.
struct TestAppContext<Identity: Sendable>: AuthRequestContext, RequestContext {
    var coreContext: CoreRequestContextStorage
    var identity: Identity?
    init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
    }
}

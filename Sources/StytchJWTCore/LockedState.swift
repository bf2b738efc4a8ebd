import Foundation

/// A value behind a lock: the one way this package shares mutable state between threads.
///
/// A pthread mutex (`NSLock`) rather than `Synchronization.Mutex`: ThreadSanitizer understands
/// pthread locking, while it cannot see the stdlib `Mutex`'s futex hand-off and reports a race
/// that is not there (`Tests/sanitizers.sh tsan-mutex` reproduces that with ten correct lines).
/// `@unchecked Sendable` is safe: `value` is only touched inside `withLock`.
package final class LockedState<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    package init(_ value: Value) { self.value = value }

    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

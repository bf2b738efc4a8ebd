import Foundation

/// A value behind a pthread mutex (`NSLock`): the lock for state that test code shares across
/// threads.
///
/// Test code uses this rather than `Synchronization.Mutex` because the tests also run under
/// ThreadSanitizer (`Tests/sanitizers.sh tsan`, in CI), which understands pthread locking; on Linux
/// the contended path of the stdlib's futex-based `Mutex` hands the lock over inside the
/// uninstrumented runtime, so two accesses inside one `withLock` can be reported as a race (README,
/// "Sanitizers and memory"; `Tests/sanitizers.sh tsan-mutex`). `@unchecked Sendable` is safe:
/// `value` is `Sendable` and only touched inside `withLock`.
///
/// ```swift
/// let count = Locked(0)
/// count.withLock { $0 += 1 }
/// ```
public final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    /// `value`, behind the lock.
    public init(_ value: Value) { self.value = value }

    /// Runs `body` on the value with the lock held and returns what it returns.
    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

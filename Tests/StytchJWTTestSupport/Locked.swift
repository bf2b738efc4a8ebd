package import StytchJWT

/// State that test code shares across threads sits behind the library's own lock type (an `NSLock`,
/// which ThreadSanitizer understands; see `LockedState` and CONTRIBUTING.md, "Hardening").
///
/// ```swift
/// let count = Locked(0)
/// count.withLock { $0 += 1 }
/// ```
package typealias Locked<Value> = LockedState<Value>

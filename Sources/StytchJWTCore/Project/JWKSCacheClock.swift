/// A monotonic clock in seconds, injectable so tests need no sleeping: the JWKS cache and the
/// RBAC policy cache read it.
public struct JWKSCacheClock: Sendable {
    /// Seconds since an arbitrary fixed origin; never goes backwards.
    public var now: @Sendable () -> Double

    /// A clock reading `now`, which must never go backwards.
    public init(now: @escaping @Sendable () -> Double) { self.now = now }

    /// The process's monotonic clock.
    public static let continuous: JWKSCacheClock = {
        let origin = ContinuousClock.now
        return JWKSCacheClock {
            let elapsed = ContinuousClock.now - origin
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
    }()
}

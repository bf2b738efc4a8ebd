public import StytchJWT

// MARK: - Clock

/// A `JWKSCacheClock` that stands still until told to move.
///
/// ```swift
/// let time = ManualClock()
/// let cache = StytchJWKSCache(fetcher: fetcher, clock: time.clock)
/// time.advance(by: 600)
/// ```
public final class ManualClock: Sendable {
    private let seconds: Locked<Double>

    /// A clock reading `start` seconds.
    public init(start: Double = 1_000) { seconds = Locked(start) }

    /// The current reading.
    public var now: Double { seconds.withLock { $0 } }

    /// The clock to hand to a ``StytchJWKSCache``.
    public var clock: JWKSCacheClock { JWKSCacheClock { self.now } }

    /// Moves the clock forward by `interval` seconds.
    public func advance(by interval: Double) {
        precondition(interval >= 0, "a monotonic clock never goes back")
        seconds.withLock { $0 += interval }
    }

    /// Sets the clock to `instant`, which must not be earlier than now.
    public func set(to instant: Double) {
        seconds.withLock {
            precondition(instant >= $0, "a monotonic clock never goes back")
            $0 = instant
        }
    }
}

// MARK: - Bounded waiting

/// `operation` ran longer than its time limit.
public struct TimeoutError: Error, CustomStringConvertible {
    public let limit: Duration
    public var description: String { "operation did not finish within \(limit)" }
}

/// Runs `operation` and returns its result, or throws ``TimeoutError`` after `limit` of real time.
///
/// Unlike a task group race, this does not wait for a stuck operation to notice cancellation (a
/// lookup waiting on a fetch may not): on timeout the operation is cancelled and left behind, so a
/// wrong library fails the test instead of hanging the run.
public func withTimeout<T: Sendable>(
    _ limit: Duration,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let box = ResumeOnce<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            box.install(continuation)
            let work = Task {
                do {
                    box.resume(with: .success(try await operation()))
                } catch {
                    box.resume(with: .failure(error))
                }
            }
            let timer = Task {
                try? await Task.sleep(for: limit)
                if box.resume(with: .failure(TimeoutError(limit: limit))) { work.cancel() }
            }
            box.onFinish { work.cancel(); timer.cancel() }
        }
    } onCancel: {
        box.resume(with: .failure(CancellationError()))
    }
}

/// Resumes a continuation once, whichever of several racers gets there first.
private final class ResumeOnce<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var pending: Result<T, any Error>?
        var finished = false
        var cleanup: (@Sendable () -> Void)?
    }

    private let state = Locked(State())

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if let pending = state.pending {
                state.pending = nil
                return pending
            }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func onFinish(_ cleanup: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.finished { return true }
            state.cleanup = cleanup
            return false
        }
        if runNow { cleanup() }
    }

    /// Returns whether this call was the one that resumed.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        let (continuation, cleanup, won) = state.withLock { state -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?, Bool) in
            guard !state.finished else { return (nil, nil, false) }
            state.finished = true
            let cleanup = state.cleanup
            state.cleanup = nil
            if let continuation = state.continuation {
                state.continuation = nil
                return (continuation, cleanup, true)
            }
            state.pending = result
            return (nil, cleanup, true)
        }
        continuation?.resume(with: result)
        cleanup?()
        return won
    }
}

/// Polls `condition` every 10 ms for up to `timeout` of real time; returns whether it became true.
public func poll(timeout: Duration = .seconds(10), _ condition: @Sendable () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}

/// Runs `operation` and returns how long it took in real time, with its result.
public func measure<T>(
    isolation: isolated (any Actor)? = #isolation,
    _ operation: () async throws -> T
) async rethrows -> (result: T, elapsed: Duration) {
    let start = ContinuousClock.now
    let result = try await operation()
    return (result, ContinuousClock.now - start)
}

/// The stable code of the error `operation` throws, or nil when it returns.
public func errorCode<T>(
    isolation: isolated (any Actor)? = #isolation,
    _ operation: () async throws(StytchJWTError) -> T
) async -> StytchJWTError.Code? {
    do {
        _ = try await operation()
        return nil
    } catch {
        return error.code
    }
}

// Shows that ThreadSanitizer reports races on state protected by Swift's `Synchronization.Mutex`
// on Linux, in a program that is correct (the total is always exactly 160000).
//
//   Tests/sanitizers.sh tsan-mutex
//
// Why: `Mutex.withLock`'s fast paths are inlined atomics, which TSan sees, but the contended paths
// (`_MutexHandle._lockSlow` / `_unlockSlow`) live in the toolchain's uninstrumented
// libswiftSynchronization.so and hand the lock over with FUTEX_LOCK_PI / FUTEX_UNLOCK_PI system
// calls. TSan never sees that hand-over as a release/acquire pair, so two critical sections of
// different threads look concurrent. Every Mutex in this package (the JWKS cache's snapshot, the
// verified-token cache's shards, the fetcher's shared-cache table) is subject to it under contention.
import Dispatch
import Synchronization

final class Box: Sendable {
    let mutex = Mutex<[Int]>([0])
}

let box = Box()
DispatchQueue.concurrentPerform(iterations: 8) { worker in
    for i in 0..<20_000 {
        box.mutex.withLock { value in
            value[0] += 1
            if i % 1000 == 0 { value.append(worker) }
        }
    }
}
let total = box.mutex.withLock { $0[0] }
print("total \(total) (expected 160000)")
precondition(total == 160_000)

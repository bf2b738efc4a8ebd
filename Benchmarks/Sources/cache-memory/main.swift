// What the verified-token cache really costs per entry: N distinct session JWTs (one per line, as
// http/make-http-tokens.py writes them) verified by a verifier whose cache holds them all, the
// heap in use (glibc's mallinfo2) and the RSS (/proc/self/statm) measured before and after, set
// against what the cache charges (`chargedBytes`). From Benchmarks/:
//
//     python3 http/make-http-tokens.py 50000 /tmp/tokens.txt 1434 86400
//     swift build -c release --product cache-memory && .build/release/cache-memory /tmp/tokens.txt
//
// The tokens are read first and a verifier with the cache off verifies them all once (warming the
// allocator and OpenSSL), so the difference is the cache's entries alone. Last, the thread CPU time
// of a hit on one repeated token against a verification with the cache off.
import Foundation
import CBenchMalloc
import Glibc
import StytchJWTCore

let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let arguments = CommandLine.arguments.dropFirst()
guard let path = arguments.first, let text = try? String(contentsOfFile: path, encoding: .utf8) else {
    FileHandle.standardError.write(Data("usage: cache-memory TOKENS-FILE\n".utf8))
    exit(2)
}
let tokens = text.split(separator: "\n").map(String.init)
let keys = try JWKSet(contentsOfFile: root.appendingPathComponent("Keys/demo-jwks.json").path)
let projectID = "project-test-00000000-0000-4000-8000-000000000000"

func heapInUse() -> Int { Int(mallinfo2().uordblks) }
func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = statm.split(separator: " ")
    return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

let uncached = try StytchJWTVerifier(configuration: .init(projectID: projectID, tokenCache: nil), keys: keys)
for token in tokens { _ = try uncached.verify(sessionJWT: token) }

let limits = VerifiedTokenCache.Limits(maximumEntries: tokens.count * 32, maximumBytes: Int.max / 2)
let verifier = try StytchJWTVerifier(configuration: .init(projectID: projectID, tokenCache: limits), keys: keys)
malloc_trim(0)
let (heapBefore, rssBefore) = (heapInUse(), residentBytes())
for token in tokens { _ = try verifier.verify(sessionJWT: token) }
let (heapAfter, rssAfter) = (heapInUse(), residentBytes())
let cache = verifier.tokenCache!
let count = Double(cache.count)
let tokenBytes = Double(tokens.reduce(0) { $0 + $1.utf8.count }) / Double(tokens.count)
print("entries: \(cache.count) (tokens of \(String(format: "%.0f", tokenBytes)) bytes on average)")
print(String(format: "heap in use: +%.1f MiB, %.0f bytes per entry", Double(heapAfter - heapBefore) / 1_048_576, Double(heapAfter - heapBefore) / count))
print(String(format: "RSS:         +%.1f MiB, %.0f bytes per entry", Double(rssAfter - rssBefore) / 1_048_576, Double(rssAfter - rssBefore) / count))
print(String(format: "charged:     %.1f MiB, %.0f bytes per entry (entryOverhead %d + token length / 2)",
             Double(cache.chargedBytes) / 1_048_576, Double(cache.chargedBytes) / count, VerifiedTokenCache.entryOverhead))
let defaults = VerifiedTokenCache.Limits()
print(String(format: "defaults:    %d entries, %.0f MiB: %d tokens of this length by bytes",
             defaults.maximumEntries, Double(defaults.maximumBytes) / 1_048_576,
             defaults.maximumBytes / VerifiedTokenCache.charge(tokenBytes: Int(tokenBytes))))
// Every token is a hit now.
let before = cache.statistics.hits
for token in tokens { _ = try verifier.verify(sessionJWT: token) }
print("second pass: \(cache.statistics.hits - before) hits of \(tokens.count)")

// Time per hit of one repeated token against a verification with the cache off (thread CPU time):
// the microbenchmark's row 4 against row 2, as a quick check here.
func threadCPUNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}
let repeated = tokens[0]
let hitRounds = 200_000, verifyRounds = 5_000
var start = threadCPUNanoseconds()
for _ in 0..<hitRounds { _ = try verifier.verify(sessionJWT: repeated) }
let hitNanoseconds = Double(threadCPUNanoseconds() - start) / Double(hitRounds)
start = threadCPUNanoseconds()
for _ in 0..<verifyRounds { _ = try uncached.verify(sessionJWT: repeated) }
let verifyNanoseconds = Double(threadCPUNanoseconds() - start) / Double(verifyRounds)
print(String(format: "one token repeated: %.2f µs a hit; cache off: %.2f µs a verification (%.1fx)",
             hitNanoseconds / 1000, verifyNanoseconds / 1000, verifyNanoseconds / hitNanoseconds))

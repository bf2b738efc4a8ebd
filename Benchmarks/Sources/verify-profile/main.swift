// A tiny driver for profilers: the warm verifier (verified-token cache off) on the fixture token,
// in a loop, with nothing else in the process. From Benchmarks/:
//
//     swift build -c release --product verify-profile
//     perf record -g .build/release/verify-profile 200000
//     valgrind --tool=callgrind .build/release/verify-profile 2000
//
// Arguments: [iterations] [warm|hit|response|cold|raw|interleave|tasks|unknown-kid]. Prints the mean time per verification.
// `cold` is row 3: the key set parsed from the document, a verifier built, one verification.
//
// `interleave` is for a shared, busy machine, where rows measured one after another by wall clock
// see different loads: it alternates blocks of 500 raw OpenSSL verifications (row 1 of the
// benchmark: EVP_DigestVerify with a prepared context copied per call), warm verifications and
// response verifications, timing each block by this thread's CPU time (CLOCK_THREAD_CPUTIME_ID,
// nanoseconds), and prints the median of each with the ratios. `iterations` is the number of rounds.
// ROWS=raw,warm,... picks the rows; besides raw, warm and response: `shim` (the library's signature
// path re-created here: EVP_PKEY_verify on an EVP SHA-256 digest, contexts reused), `parse`
// (`UnverifiedToken`: decoding and strict parsing only, no signature) and `raw+parse` (both, to see
// whether they slow each other down). `raw` runs row 1 alone (for `perf record`).
import CBenchOpenSSL
import Foundation
import StytchJWT

let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
func fixture(_ path: String) -> Data {
    guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path) else {
        fatalError("cannot read \(path)")
    }
    return data
}

let arguments = CommandLine.arguments.dropFirst()
let iterations = arguments.first.flatMap(Int.init) ?? 100_000
let mode = arguments.dropFirst().first ?? "warm"

let token = String(decoding: fixture("Fixtures/session.jwt"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
let response = [UInt8](fixture("Fixtures/password-authenticate-response.json"))
let verifier = try StytchJWTVerifier(
    configuration: .init(
        projectID: "project-test-00000000-0000-4000-8000-000000000000",
        clock: { Date(timeIntervalSince1970: 1_767_225_660) },
        tokenCache: mode == "hit" ? .init() : nil
    ),
    keys: JWKSet(contentsOfFile: root.appendingPathComponent("Keys/demo-jwks.json").path)
)

if mode == "interleave" {
    interleave(rounds: arguments.first.flatMap(Int.init) ?? 30)
    exit(0)
}
if mode == "tasks" {
    // Wall-clock scaling: the warm verifier and the raw loop on one task, then on two concurrent
    // tasks (the cooperative pool), each doing `iterations` verifications in total. The raw
    // closure only reads its prepared context (each call copies it), so sharing it is safe.
    nonisolated(unsafe) let raw = rawVerifier()
    let (message, signature) = rawInput()
    func run(_ tasks: Int, _ body: @escaping @Sendable () -> Void) async -> Double {
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask { for _ in 0..<(iterations / tasks) { body() } }
            }
        }
        let elapsed = ContinuousClock.now - start
        return Double(iterations) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    let rawBody: @Sendable () -> Void = { _ = signature.withUnsafeBytes { s in message.withUnsafeBytes { m in raw(s, m) } } }
    let warmBody: @Sendable () -> Void = { _ = try! verifier.verify(sessionJWT: token) }
    for (name, body) in [("raw", rawBody), ("warm", warmBody)] {
        let one = await run(1, body), two = await run(2, body)
        print(String(format: "tasks: %@ 1 task %.0f/s, 2 tasks %.0f/s, scaling %.2f", name, one, two, two / one))
    }
    exit(0)
}
if mode == "raw" {
    let raw = rawVerifier()
    let (message, signature) = rawInput()
    var sum: Int32 = 0
    for _ in 0..<iterations { sum &+= signature.withUnsafeBytes { s in message.withUnsafeBytes { m in raw(s, m) } } }
    print("raw: \(iterations) verifications (checksum \(sum))")
    exit(0)
}

if mode == "unknown-kid" {
    // Everything before the signature (decoding, the header, the payload read) and nothing
    // after: the fixture with its header's kid changed fails at the key lookup. No RSA in the
    // loop, so small changes to the parsing cost show above the noise. Best of 7 runs.
    let segments = token.split(separator: ".", omittingEmptySubsequences: false)
    let header = #"{"alg":"RS256","kid":"jwk-test-22222222-2222-4222-8222-222222222222","typ":"JWT"}"#
    let headerSegment = Data(header.utf8).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    let unknownKID = [headerSegment, String(segments[1]), String(segments[2])].joined(separator: ".")
    var best = Double.infinity
    for _ in 0..<7 {
        let start = ContinuousClock.now
        for _ in 0..<iterations {
            do { _ = try verifier.verify(sessionJWT: unknownKID); fatalError("an unknown kid verified") } catch { precondition(error.code == .unknownKey) }
        }
        let elapsed = ContinuousClock.now - start
        best = min(best, (Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9) / Double(iterations))
    }
    print(String(format: "unknown-kid: %.1f ns per token (best of 7 runs of %d)", best, iterations))
    exit(0)
}

let jwksDocument = [UInt8](fixture("Keys/demo-jwks.json"))
var checksum = 0
let start = ContinuousClock.now
for _ in 0..<iterations {
    if mode == "cold" {
        let coldVerifier = try StytchJWTVerifier(
            configuration: .init(projectID: "project-test-00000000-0000-4000-8000-000000000000", clock: { Date(timeIntervalSince1970: 1_767_225_660) }, tokenCache: nil),
            keys: JWKSet(jwks: jwksDocument)
        )
        checksum &+= try coldVerifier.verify(sessionJWT: token).roles.count
    } else if mode == "response" {
        checksum &+= try verifier.verify(authenticateResponse: response).requireSession().session.roles.count
    } else {
        checksum &+= try verifier.verify(sessionJWT: token).roles.count
    }
}
let elapsed = ContinuousClock.now - start
let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
print("\(mode): \(iterations) verifications, \(String(format: "%.2f", nanoseconds / Double(iterations) / 1000)) µs each (checksum \(checksum))")

// MARK: - interleave

/// Row 1's raw OpenSSL verification: the demo key's public half, a digest-verify context prepared
/// once and copied per call.
/// The public half of the test-only demo key, as an OpenSSL `EVP_PKEY`.
func demoPublicKey() -> OpaquePointer {
    let pem = [UInt8](fixture("Keys/TEST-ONLY-demo-signing-key.pem"))
    let privateKey: OpaquePointer? = pem.withUnsafeBytes { buffer in
        let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count))
        defer { BIO_free(bio) }
        return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
    }
    guard let privateKey else { fatalError("cannot read the demo PEM") }
    var der: UnsafeMutablePointer<UInt8>?
    let length = i2d_PUBKEY(privateKey, &der)
    guard length > 0, let der else { fatalError("i2d_PUBKEY failed") }
    var cursor: UnsafePointer<UInt8>? = UnsafePointer(der)
    guard let publicKey = d2i_PUBKEY(nil, &cursor, Int(length)) else { fatalError("d2i_PUBKEY failed") }
    return publicKey
}

func rawVerifier() -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Int32 {
    let publicKey = demoPublicKey()
    guard let sha256 = EVP_MD_fetch(nil, "SHA256", nil), let prepared = EVP_MD_CTX_new()
    else { fatalError("OpenSSL setup failed") }
    var pctx: OpaquePointer?
    guard EVP_DigestVerifyInit(prepared, &pctx, sha256, nil, publicKey) == 1,
          EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1
    else { fatalError("EVP_DigestVerifyInit failed") }
    return { signature, message in
        guard let ctx = EVP_MD_CTX_new() else { return -1 }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_MD_CTX_copy_ex(ctx, prepared) == 1 else { return -1 }
        return EVP_DigestVerify(
            ctx,
            signature.baseAddress?.assumingMemoryBound(to: UInt8.self), signature.count,
            message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count
        )
    }
}

/// The fixture token's signing input and decoded signature, for the raw rows.
func rawInput() -> (message: [UInt8], signature: [UInt8]) {
    let parts = token.split(separator: ".")
    let message = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
    var base64 = String(parts[2]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    return (message, [UInt8](Data(base64Encoded: base64)!))
}

/// The library's signature path re-created: EVP_PKEY_verify on an EVP SHA-256 digest, contexts reused.
func shimVerifier() -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Int32 {
    let publicKey = demoPublicKey()
    let sha256 = EVP_MD_fetch(nil, "SHA256", nil)!
    let pctx = EVP_PKEY_CTX_new_from_pkey(nil, publicKey, nil)!
    guard EVP_PKEY_verify_init(pctx) == 1, EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1,
          EVP_PKEY_CTX_set_signature_md(pctx, sha256) == 1 else { fatalError("shim setup") }
    let md = EVP_MD_CTX_new()!
    return { signature, message in
        var digest = [UInt8](repeating: 0, count: 32)
        var digestLength: UInt32 = 0
        guard EVP_DigestInit_ex2(md, sha256, nil) == 1,
              EVP_DigestUpdate(md, message.baseAddress, message.count) == 1,
              EVP_DigestFinal_ex(md, &digest, &digestLength) == 1 else { return -1 }
        return EVP_PKEY_verify(pctx, signature.baseAddress?.assumingMemoryBound(to: UInt8.self), signature.count, digest, 32)
    }
}

func threadCPUNanoseconds() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
}

func interleave(rounds: Int) {
    let raw = rawVerifier()
    let (message, signature) = rawInput()
    let block = 500
    let rows = ProcessInfo.processInfo.environment["ROWS"].map { $0.split(separator: ",").map(String.init) } ?? ["raw", "warm", "response"]
    var samples: [String: [Double]] = [:]
    for row in rows { samples[row] = [] }
    let shim = shimVerifier()
    var checksum = 0
    for _ in 0..<rounds {
        for which in rows {
            let start = threadCPUNanoseconds()
            for _ in 0..<block {
                switch which {
                case "raw":
                    checksum &+= Int(signature.withUnsafeBytes { s in message.withUnsafeBytes { m in raw(s, m) } })
                case "warm":
                    checksum &+= (try! verifier.verify(sessionJWT: token)).roles.count
                case "parse":
                    checksum &+= (try! UnverifiedToken(token)).payload.count
                case "raw+parse":
                    checksum &+= Int(signature.withUnsafeBytes { s in message.withUnsafeBytes { m in raw(s, m) } })
                    checksum &+= (try! UnverifiedToken(token)).payload.count
                case "shim":
                    checksum &+= Int(signature.withUnsafeBytes { s in message.withUnsafeBytes { m in shim(s, m) } })
                default:
                    checksum &+= (try! verifier.verify(authenticateResponse: response).requireSession()).session.roles.count
                }
            }
            samples[which]!.append(Double(threadCPUNanoseconds() - start) / Double(block) / 1000)
        }
    }
    func median(_ values: [Double]) -> Double { let sorted = values.sorted(); return sorted[sorted.count / 2] }
    for row in rows { print(row, String(format: "%.2f", median(samples[row]!))) }
    if samples["warm"] == nil || samples["response"] == nil { return }
    let rawMedian = median(samples["raw"]!), warmMedian = median(samples["warm"]!), responseMedian = median(samples["response"]!)
    print(String(format: "interleave: %d rounds of %d; thread CPU µs per verification (median): raw %.2f, warm %.2f, response %.2f",
                 rounds, block, rawMedian, warmMedian, responseMedian))
    print(String(format: "interleave: warm / raw throughput %.3f; response / warm %.3f (checksum %d)",
                 rawMedian / warmMedian, warmMedian / responseMedian, checksum))
}

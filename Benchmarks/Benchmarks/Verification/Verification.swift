// One benchmark target, so every row runs in the same process, on the same token, in one run:
//
//   1 raw OpenSSL      EVP_DigestVerify with a context prepared once and copied per call (the limit)
//   2 warm             StytchJWTVerifier.verify(sessionJWT:), verified-token cache OFF
//   3 cold key set     JWKSet(jwks:) from the document bytes + a verifier + one verification
//   4 cache hit        the same token again with the verified-token cache ON (the default)
//   5 jwt-kit          vapor/jwt-kit 5.8 RS256 with a claims payload, at the same fixed time
//   6 response         verify(authenticateResponse:) on the fixture response, cache OFF
//   7 warm, 2 threads  row 2 on two concurrent threads (throughput of both together)
//   8 raw, 2 threads   row 1 on two concurrent threads: the control for row 7, i.e. how much
//                      parallelism the machine offers at that moment (a shared machine may not)
//   9 M2M              verify(m2mToken:requiredScopes:) on the M2M fixture, one required scope
//
// Every row runs 1,000 verifications per measured iteration (scalingFactor .kilo), so the
// scaled wall clock and throughput are per verification, and mallocCountTotal / 1,000 is the
// number of allocations per verification. `run-benchmarks.sh` prints the rows side by side with
// the ratios the README quotes.

import Benchmark
import CBenchOpenSSL
import Foundation
import JWTKit
import StytchJWT

// MARK: - Fixtures

/// The repository root: this file is Benchmarks/Benchmarks/Verification/Verification.swift.
private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private func fixture(_ relativePath: String) -> [UInt8] {
    let path = repositoryRoot.appendingPathComponent(relativePath).path
    guard let data = FileManager.default.contents(atPath: path) else { fatalError("cannot read \(path)") }
    return [UInt8](data)
}

private let projectID = "project-test-00000000-0000-4000-8000-000000000000"
/// One minute after the fixture token was issued (it expires five minutes after issue).
private let fixedNow = Date(timeIntervalSince1970: 1_767_225_660)
private let jwksPath = repositoryRoot.appendingPathComponent("Keys/demo-jwks.json").path

private func configuration(tokenCache: VerifiedTokenCache.Limits?) -> StytchJWTVerifier.Configuration {
    .init(projectID: projectID, clock: { fixedNow }, tokenCache: tokenCache)
}

// Synchronous wrappers: in an async closure Swift would pick the async overloads.
@inline(never)
private func verifySync(_ verifier: StytchJWTVerifier, _ token: String) throws -> VerifiedSession {
    try verifier.verify(sessionJWT: token)
}

@inline(never)
private func verifyM2MSync(_ verifier: StytchJWTVerifier, _ token: String) throws -> VerifiedM2MToken {
    try verifier.verify(m2mToken: token, requiredScopes: ["read:users"])
}

@inline(never)
private func verifyResponseSync(_ verifier: StytchJWTVerifier, _ body: [UInt8]) throws -> AuthenticateOutcome {
    try verifier.verify(authenticateResponse: body)
}

// MARK: - Row 1: OpenSSL 3 directly

/// The fixture key's public half and an RS256 context prepared once, as OpenSSL's EVP API offers them.
///
/// `@unchecked Sendable` is safe: both pointers are set once in `init` and only read afterwards
/// (`EVP_MD_CTX_copy_ex` reads `prepared`); they live as long as the process.
private final class RawRS256: @unchecked Sendable {
    let pkey: OpaquePointer
    let prepared: OpaquePointer

    /// Reads the test-only signing key's PEM and keeps its public part only (DER SubjectPublicKeyInfo
    /// round trip), then prepares a digest-verify context for RSASSA-PKCS1-v1_5 with SHA-256.
    init(privateKeyPEM pem: [UInt8]) {
        let privateKey: OpaquePointer? = pem.withUnsafeBytes { buffer in
            let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count))
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let privateKey else { fatalError("OpenSSL cannot read the demo PEM") }
        defer { EVP_PKEY_free(privateKey) }
        var der: UnsafeMutablePointer<UInt8>?
        let length = i2d_PUBKEY(privateKey, &der)
        guard length > 0, let der else { fatalError("i2d_PUBKEY failed") }
        defer { CRYPTO_free(der, #fileID, #line) }
        var cursor: UnsafePointer<UInt8>? = UnsafePointer(der)
        guard let publicKey = d2i_PUBKEY(nil, &cursor, Int(length)) else { fatalError("d2i_PUBKEY failed") }

        guard let sha256 = EVP_MD_fetch(nil, "SHA256", nil), let ctx = EVP_MD_CTX_new() else {
            fatalError("OpenSSL has no SHA-256")
        }
        var pctx: OpaquePointer?
        guard EVP_DigestVerifyInit(ctx, &pctx, sha256, nil, publicKey) == 1,
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1
        else { fatalError("EVP_DigestVerifyInit failed") }
        EVP_MD_free(sha256)  // the context holds its own reference
        self.pkey = publicKey
        self.prepared = ctx
    }

    /// 1 when `signature` verifies over `message`.
    @inline(never)
    func verify(signature: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> Int32 {
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

private func base64URLDecode(_ text: some StringProtocol) -> [UInt8] {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    guard let data = Data(base64Encoded: base64) else { fatalError("bad base64url in a fixture") }
    return [UInt8](data)
}

// MARK: - Row 5: jwt-kit's view of the same token

/// The fixture's claims as a jwt-kit payload. `verify(using:)` checks, at the same fixed time as
/// StytchJWT: `exp` (not expired), `nbf` (not before), `iat` not in the future, `aud` contains the
/// project ID, `iss` exactly `stytch.com/{project}`. The Stytch session and organization claims are
/// decoded into Codable structs (timestamps stay strings; the session's `expires_at` is not checked).
private struct StytchPayload: JWTPayload {
    struct Factor: Codable, Sendable {
        let type: String
        let delivery_method: String
        let last_authenticated_at: String
    }

    struct Session: Codable, Sendable {
        let id: String
        let started_at: String
        let last_accessed_at: String
        let expires_at: String
        let authentication_factors: [Factor]
        let roles: [String]?
    }

    struct Organization: Codable, Sendable {
        let organization_id: String
        let slug: String?
    }

    enum CodingKeys: String, CodingKey {
        case iss, aud, sub, exp, iat, nbf
        case session = "https://stytch.com/session"
        case organization = "https://stytch.com/organization"
    }

    struct ClaimError: Error {}

    let iss: IssuerClaim
    let aud: AudienceClaim
    let sub: SubjectClaim
    let exp: ExpirationClaim
    let iat: IssuedAtClaim
    let nbf: NotBeforeClaim
    let session: Session
    let organization: Organization

    func verify(using _: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired(currentDate: fixedNow)
        try nbf.verifyNotBefore(currentDate: fixedNow)
        guard iat.value <= fixedNow else { throw ClaimError() }
        try aud.verifyIntendedAudience(includes: projectID)
        guard iss.value == "stytch.com/\(projectID)" else { throw ClaimError() }
    }
}

// MARK: - The benchmarks

let benchmarks: @Sendable () -> Void = {
    // Thresholds only as relative tolerances against a baseline taken on the same machine
    // (`benchmark baseline check`): absolute numbers vary by machine. package-benchmark has no
    // check of one benchmark against another, so the ratios are printed by run-benchmarks.sh.
    let timing = BenchmarkThresholds(relative: [.p50: 15])
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .microseconds,
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000,
        thresholds: [
            .throughput: timing,
            .wallClock: timing,
            .cpuTotal: timing,
            .mallocCountTotal: .init(relative: [.p50: 1]),
            .peakMemoryResident: .init(relative: [.p50: 10]),
        ]
    )

    let token = String(decoding: fixture("Fixtures/session.jwt"), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
    let jwksDocument = fixture("Keys/demo-jwks.json")
    let responseBody = fixture("Fixtures/password-authenticate-response.json")
    let m2mToken = String(decoding: fixture("Fixtures/m2m-access-token.jwt"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    let keys: JWKSet
    let warm: StytchJWTVerifier
    let cached: StytchJWTVerifier
    do {
        keys = try JWKSet(contentsOfFile: jwksPath)
        warm = try StytchJWTVerifier(configuration: configuration(tokenCache: nil), keys: keys)
        cached = try StytchJWTVerifier(configuration: configuration(tokenCache: .init()), keys: keys)
        // Every row must verify for real before it is timed.
        _ = try verifySync(warm, token)
        _ = try verifySync(cached, token)
        _ = try verifyResponseSync(warm, responseBody).requireSession()
        _ = try verifyM2MSync(warm, m2mToken)
    } catch {
        fatalError("fixture does not verify: \(error)")
    }

    // Row 1 inputs: the signature and the exact `header.payload` bytes it covers.
    let raw = RawRS256(privateKeyPEM: fixture("Keys/TEST-ONLY-demo-signing-key.pem"))
    let lastDot = token.lastIndex(of: ".")!
    let signingInput = Array(token[..<lastDot].utf8)
    let signature = base64URLDecode(token[token.index(after: lastDot)...])
    let rawCheck = signature.withUnsafeBytes { s in signingInput.withUnsafeBytes { m in raw.verify(signature: s, message: m) } }
    precondition(rawCheck == 1, "raw OpenSSL does not verify the fixture")

    Benchmark("1 raw OpenSSL EVP_DigestVerify") { benchmark in
        signature.withUnsafeBytes { s in
            signingInput.withUnsafeBytes { m in
                for _ in benchmark.scaledIterations {
                    blackHole(raw.verify(signature: s, message: m))
                }
            }
        }
    }

    Benchmark("2 StytchJWT warm (token cache off)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try verifySync(warm, token))
        }
    }

    Benchmark("3 StytchJWT cold key set") { benchmark in
        for _ in benchmark.scaledIterations {
            let verifier = try StytchJWTVerifier(configuration: configuration(tokenCache: nil), keys: JWKSet(jwks: jwksDocument))
            blackHole(try verifySync(verifier, token))
        }
    }

    Benchmark("4 StytchJWT token-cache hit") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try verifySync(cached, token))
        }
    }

    Benchmark("5 jwt-kit 5.8 RS256 + claims") { (benchmark: Benchmark, keyCollection: JWTKeyCollection) async throws in
        for _ in benchmark.scaledIterations {
            blackHole(try await keyCollection.verify(token, as: StytchPayload.self))
        }
    } setup: { () async throws -> JWTKeyCollection in
        let jwk = try JSONSerialization.jsonObject(with: Data(jwksDocument)) as! [String: Any]
        let entry = (jwk["keys"] as! [[String: Any]])[0]
        let key = try Insecure.RSA.PublicKey(modulus: entry["n"] as! String, exponent: entry["e"] as! String)
        let collection = await JWTKeyCollection()
            .add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: entry["kid"] as! String))
        _ = try await collection.verify(token, as: StytchPayload.self)  // must verify before it is timed
        return collection
    }

    Benchmark("6 StytchJWT authenticate response (token cache off)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try verifyResponseSync(warm, responseBody))
        }
    }

    // Rows 7 and 8 run their two halves with `DispatchQueue.concurrentPerform`, on two threads of
    // Dispatch's pool, not as two Swift tasks: package-benchmark runs an async benchmark by blocking
    // a thread of the cooperative pool on a semaphore until it ends, and on a 2-core machine that
    // pool has two threads, so two tasks would share the one left (they measured 0.99 of one
    // thread while `openssl speed -multi 2` doubled). `verify-profile tasks` measures two Swift
    // tasks in an ordinary process.
    Benchmark("7 StytchJWT warm, 2 concurrent threads") { benchmark in
        // The same 1,000 verifications per iteration as row 2, split over two threads.
        let perThread = benchmark.scaledIterations.count / 2
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            for _ in 0..<perThread {
                blackHole(try! verifySync(warm, token))
            }
        }
    }

    Benchmark("8 raw OpenSSL, 2 concurrent threads") { benchmark in
        // Row 1 split over two threads: the machine's parallel headroom, the control for row 7.
        let perThread = benchmark.scaledIterations.count / 2
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            signature.withUnsafeBytes { s in
                signingInput.withUnsafeBytes { m in
                    for _ in 0..<perThread {
                        blackHole(raw.verify(signature: s, message: m))
                    }
                }
            }
        }
    }

    Benchmark("9 StytchJWT M2M access token") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try verifyM2MSync(warm, m2mToken))
        }
    }
}

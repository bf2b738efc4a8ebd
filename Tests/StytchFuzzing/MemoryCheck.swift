import Foundation
import StytchJWT

/// A memory-growth and leak driver for the OpenSSL object lifetimes (`Tests/memcheck.sh`).
///
/// It builds and drops many `RSAPublicKey`s (each owns an `EVP_PKEY` and its RS256 state: a verify
/// context prepared once and a pool of per-call contexts) and JWKS key sets (each with a verifier
/// and its verified-token cache), and verifies many tokens with the token cache off (each
/// verification takes contexts from the key's pool and gives them back), reading the resident set size from `/proc/self/statm` after a
/// warm-up and after each round. A leak of one OpenSSL object per key or per verification grows the
/// RSS by hundreds of megabytes over the default counts; the driver fails when the growth after
/// warm-up exceeds the allowance. Under AddressSanitizer (LeakSanitizer) use small counts: the leak
/// check at exit is what matters there, and ASan's quarantine makes RSS meaningless.
public enum MemoryCheck {
    public struct Options: Sendable {
        public var keys = 100_000
        public var keySets = 10_000
        public var verifications = 1_000_000
        public var rounds = 2
        /// The RSS growth allowed between the end of the warm-up and the end of the last round.
        public var allowedGrowthMiB = 16.0
        public init() {}
    }

    /// Parses `--keys N --key-sets N --verifications N --rounds N --allowed-growth-mib X`.
    public static func options(from arguments: [String]) -> Options? {
        var options = Options()
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { return nil }
            switch flag {
            case "--keys": guard let n = Int(value), n >= 0 else { return nil }; options.keys = n
            case "--key-sets": guard let n = Int(value), n >= 0 else { return nil }; options.keySets = n
            case "--verifications": guard let n = Int(value), n >= 0 else { return nil }; options.verifications = n
            case "--rounds": guard let n = Int(value), n >= 1 else { return nil }; options.rounds = n
            case "--allowed-growth-mib": guard let x = Double(value), x >= 0 else { return nil }; options.allowedGrowthMiB = x
            default: return nil
            }
        }
        return options
    }

    /// The resident set size in bytes, from `/proc/self/statm` (its second field, in pages).
    public static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Runs the check and returns the exit status: 0 within the allowance, 1 over it.
    public static func run(_ options: Options) -> Int32 {
        let environment = FuzzEnvironment.shared
        let modulus = environment.demoKey.modulusBytes
        let exponent = environment.demoKey.exponentBytes
        let jwksDocument = environment.demoJWKSDocument
        let tokens = [
            environment.fixtureToken,                                               // verifies
            String(environment.fixtureToken.dropLast(4)) + "AAAA",                  // invalid_signature
            environment.signedToken(payload: Array(#"{"iss":"x"}"#.utf8)),         // issuer_mismatch after the signature
            "not.a.token",                                                          // malformed before any OpenSSL call
        ]
        var verified = 0, rejected = 0

        func buildKeys(_ count: Int) {
            for _ in 0..<count {
                guard let key = try? RSAPublicKey(modulus: modulus, exponent: exponent) else { fatalError("the demo key was refused") }
                precondition(key.modulusBits == 2048)
            }
        }
        // Each key set also gets its own verifier (with its verified-token cache), which verifies
        // the fixture token once, so the cache holds the key: all of it must go when dropped.
        func buildKeySets(_ count: Int) {
            for _ in 0..<count {
                guard let keys = try? JWKSet(jwks: jwksDocument), keys.keys.count == 1,
                      let verifier = try? StytchJWTVerifier(configuration: environment.configuration, keys: keys),
                      (try? verifier.verify(sessionJWT: environment.fixtureToken)) != nil
                else { fatalError("the demo JWKS or the fixture token was refused") }
            }
        }
        // Without the verified-token cache, so every verification reaches OpenSSL.
        func verify(_ count: Int) {
            for index in 0..<count {
                do {
                    _ = try environment.uncachedVerifier.verify(sessionJWT: tokens[index % tokens.count])
                    verified += 1
                } catch {
                    rejected += 1
                }
            }
        }
        /// Printed at once, not when the buffer fills: a run is long and its progress matters.
        func say(_ line: String) {
            print(line)
            fflush(nil)
        }
        func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

        let start = residentBytes()
        // Warm-up: let the allocator, OpenSSL's provider caches and Swift's metadata caches settle.
        buildKeys(min(options.keys, 2_000))
        buildKeySets(min(options.keySets, 500))
        verify(min(options.verifications, 20_000))
        let baseline = residentBytes()
        say("memcheck: RSS \(mib(start)) at start, \(mib(baseline)) after warm-up")
        var last = baseline
        for round in 1...options.rounds {
            let began = Date()
            buildKeys(options.keys)
            let afterKeys = residentBytes()
            buildKeySets(options.keySets)
            let afterSets = residentBytes()
            verify(options.verifications)
            last = residentBytes()
            say("memcheck: round \(round): \(options.keys) keys → \(mib(afterKeys)), \(options.keySets) key sets → \(mib(afterSets)), "
                  + "\(options.verifications) verifications → \(mib(last)) (\(String(format: "%.1f", Date().timeIntervalSince(began))) s)")
        }
        let growth = Double(last - baseline) / 1_048_576
        say("memcheck: \(verified) verified, \(rejected) rejected; RSS growth after warm-up \(String(format: "%.2f", growth)) MiB "
              + "(allowed \(options.allowedGrowthMiB) MiB)")
        guard growth <= options.allowedGrowthMiB else {
            say("memcheck: FAILED: memory grows with keys or verifications")
            return 1
        }
        say("memcheck: OK")
        return 0
    }
}

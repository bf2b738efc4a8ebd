internal import CStytchShims

/// An RSA public key ready to verify RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signatures.
///
/// The key is built once through OpenSSL 3's EVP API together with a prepared verification
/// context; verifications reuse per-call copies of it from a small pool, so verifying costs no key
/// parsing, no algorithm fetch and, once warm, no context allocation. The value is `Sendable`: any number of tasks may verify with one key at once.
///
/// Construction enforces the key-strength part of the admission policy: a modulus of at least
/// 2048 (and at most 16384) bits, and an odd public exponent of at least 65537 that fits in 64 bits.
public struct RSAPublicKey: Sendable, Hashable {
    /// The modulus length in bits.
    public let modulusBits: Int
    private let storage: Storage

    /// The smallest modulus admitted, in bits.
    public static let minimumModulusBits = 2048
    /// The largest modulus admitted, in bits (OpenSSL's own ceiling).
    public static let maximumModulusBits = 16384

    /// Builds a key from the big-endian bytes of its modulus `n` and public exponent `e`.
    ///
    /// - Throws: ``StytchJWTError`` with code `malformed` when the key is unusable or too weak.
    public init(modulus: [UInt8], exponent: [UInt8]) throws(StytchJWTError) {
        let n = modulus.drop(while: { $0 == 0 })
        let e = exponent.drop(while: { $0 == 0 })
        guard !n.isEmpty else { throw StytchJWTError(.malformed, "RSA modulus is zero") }
        let exponentValue = try Self.exponentValue(e)
        guard exponentValue >= 65537, exponentValue & 1 == 1 else {
            throw StytchJWTError(.malformed, "RSA public exponent must be odd and at least 65537")
        }
        let approximateBits = (n.count - 1) * 8 + (8 - n.first!.leadingZeroBitCount)
        guard approximateBits >= Self.minimumModulusBits else {
            throw StytchJWTError(.malformed, "RSA modulus has \(approximateBits) bits; at least \(Self.minimumModulusBits) are required")
        }
        guard approximateBits <= Self.maximumModulusBits else {
            throw StytchJWTError(.malformed, "RSA modulus has \(approximateBits) bits; at most \(Self.maximumModulusBits) are allowed")
        }
        guard n.last! & 1 == 1 else { throw StytchJWTError(.malformed, "RSA modulus is even") }
        if RocaFingerprint.matches(modulus: n) {
            throw StytchJWTError(.malformed, "RSA modulus has the ROCA fingerprint (CVE-2017-15361)")
        }
        let nBytes = Array(n)
        let eBytes = Array(e)
        let key = nBytes.withUnsafeBufferPointer { nBuffer in
            eBytes.withUnsafeBufferPointer { eBuffer in
                stytch_rs256_key_new(nBuffer.baseAddress, nBuffer.count, eBuffer.baseAddress, eBuffer.count)
            }
        }
        guard let key else {
            throw StytchJWTError(.malformed, "OpenSSL refused the RSA key (\(OpenSSLErrors.drain()))")
        }
        let bits = Int(stytch_rs256_key_bits(key))
        self.storage = Storage(key: key)
        self.modulusBits = bits
        self.modulusBytes = nBytes
        self.exponentBytes = eBytes
    }

    /// The modulus without leading zero bytes.
    public let modulusBytes: [UInt8]
    /// The public exponent without leading zero bytes.
    public let exponentBytes: [UInt8]

    /// Whether `signature` is a valid RS256 signature of `message` under this key.
    ///
    /// The check is OpenSSL's: SHA-256 of the message, then `EVP_PKEY_verify` with PKCS#1 v1.5
    /// padding and the SHA-256 DigestInfo (the routine `EVP_DigestVerify` ends in). A signature of
    /// the wrong length or any OpenSSL failure counts as invalid.
    public func isValidRS256Signature(_ signature: UnsafeRawBufferPointer, for message: UnsafeRawBufferPointer) -> Bool {
        let result = withExtendedLifetime(storage) {
            stytch_rs256_verify(
                storage.key,
                signature.baseAddress?.assumingMemoryBound(to: UInt8.self), signature.count,
                message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count
            )
        }
        if result != 1 { OpenSSLErrors.clear() }
        return result == 1
    }

    /// Whether `signature` is a valid RS256 signature of `message` under this key.
    public func isValidRS256Signature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        signature.withUnsafeBytes { signatureBuffer in
            message.withUnsafeBytes { messageBuffer in
                isValidRS256Signature(signatureBuffer, for: messageBuffer)
            }
        }
    }

    /// Whether both keys have the same modulus and exponent bytes.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.modulusBytes == rhs.modulusBytes && lhs.exponentBytes == rhs.exponentBytes
    }

    /// Hashes the modulus and exponent, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(modulusBytes)
        hasher.combine(exponentBytes)
    }

    private static func exponentValue(_ bytes: ArraySlice<UInt8>) throws(StytchJWTError) -> UInt64 {
        guard !bytes.isEmpty else { throw StytchJWTError(.malformed, "RSA public exponent is zero") }
        guard bytes.count <= 8 else { throw StytchJWTError(.malformed, "RSA public exponent is larger than 64 bits") }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Owns the shim's `stytch_rs256_key` (the OpenSSL key and its contexts); frees it exactly once.
    ///
    /// `@unchecked Sendable` is safe: the pointer is set once in `init` and never reassigned; the
    /// key is read-only after creation, its prepared context is only ever duplicated, and its pool
    /// of per-call contexts is guarded by the shim's mutex, so each context serves one thread at a time.
    private final class Storage: @unchecked Sendable {
        let key: OpaquePointer

        init(key: OpaquePointer) { self.key = key }

        deinit { stytch_rs256_key_free(key) }
    }
}

/// Drains OpenSSL's per-thread error queue so a failure never leaves errors behind for the next call.
enum OpenSSLErrors {
    /// Empties the queue and returns its descriptions joined (OpenSSL's messages carry no key material).
    static func drain() -> String {
        var messages: [String] = []
        while true {
            let code = stytch_error_pop()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            guard stytch_error_describe(code, &buffer, buffer.count) == 0 else { break }
            messages.append(String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "no OpenSSL error reported" : messages.joined(separator: "; ")
    }

    /// Empties the queue.
    static func clear() {
        while stytch_error_pop() != 0 {}
    }
}

/// The ROCA fingerprint (CVE-2017-15361): moduli made by the flawed Infineon generator satisfy,
/// for each small prime p of the published list, that n mod p lies in the multiplicative subgroup
/// generated by 65537 mod p. Ordinary moduli fail this test for some prime almost surely.
enum RocaFingerprint {
    private static let primes: [UInt32] = [
        3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
        101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
    ]

    /// For each prime, the set of residues generated by 65537.
    private static let subgroups: [(prime: UInt32, members: Set<UInt32>)] = primes.map { p in
        var members: Set<UInt32> = []
        var value: UInt32 = 1
        let generator = 65537 % p
        repeat {
            members.insert(value)
            value = value * generator % p
        } while !members.contains(value)
        return (p, members)
    }

    static func matches(modulus: some Collection<UInt8>) -> Bool {
        for (prime, members) in subgroups {
            var remainder: UInt32 = 0
            for byte in modulus { remainder = (remainder << 8 | UInt32(byte)) % prime }
            if !members.contains(remainder) { return false }
        }
        return true
    }
}

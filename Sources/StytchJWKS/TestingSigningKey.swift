internal import COpenSSL

/// An RSA private key for tests and fixtures only: it signs RS256, it never verifies.
///
/// `package` access keeps it out of the public API; the test targets and the fixture tooling of
/// this package are its only users. Production code has no business holding a Stytch signing key.
package struct TestingRSASigningKey: Sendable {
    private let storage: Storage

    /// Generates a fresh key pair (slow: tens of milliseconds for 2048 bits).
    package init(bits: Int = 2048, exponent: UInt = 65537) {
        guard let pkey = stytch_testing_rsa_generate(UInt32(bits), exponent) else {
            fatalError("RSA key generation failed: \(OpenSSLErrors.drain())")
        }
        storage = Storage(pkey: pkey)
    }

    /// Reads a PEM private key (PKCS#8 or PKCS#1).
    package init?(pem: String) {
        var bytes = Array(pem.utf8)
        guard let pkey = bytes.withUnsafeMutableBufferPointer({ buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                stytch_testing_private_key_from_pem($0, buffer.count)
            }
        }) else {
            OpenSSLErrors.clear()
            return nil
        }
        storage = Storage(pkey: pkey)
    }

    /// The big-endian modulus.
    package var modulus: [UInt8] { component("n") }
    /// The big-endian public exponent.
    package var exponent: [UInt8] { component("e") }

    /// The public half, through the same admission checks as any key.
    package func publicKey() throws(StytchJWTError) -> RSAPublicKey {
        try RSAPublicKey(modulus: modulus, exponent: exponent)
    }

    /// The public JWK members for this key (kty, use, alg, kid, n, e), as Stytch publishes them.
    package func publicJWK(kid: String) -> JSONValue {
        .object([
            "kty": .string("RSA"),
            "use": .string("sig"),
            "alg": .string("RS256"),
            "key_ops": .array([.string("verify")]),
            "kid": .string(kid),
            "n": .string(Base64URL.encode(modulus)),
            "e": .string(Base64URL.encode(exponent)),
        ])
    }

    /// The RS256 signature of `message`.
    package func sign(_ message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Int(stytch_pkey_size(storage.pkey)))
        var length = signature.count
        let ok = message.withUnsafeBufferPointer { messageBuffer in
            signature.withUnsafeMutableBufferPointer { signatureBuffer in
                stytch_testing_rs256_sign(storage.pkey, SHA256.implementation, messageBuffer.baseAddress, messageBuffer.count, signatureBuffer.baseAddress, &length)
            }
        }
        guard ok == 1 else { fatalError("RS256 signing failed: \(OpenSSLErrors.drain())") }
        return Array(signature.prefix(length))
    }

    /// A compact JWS of `header` and `payload` (JSON texts, used byte for byte), signed with this key.
    package func compactJWS(header: String, payload: String) -> String {
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        return signingInput + "." + Base64URL.encode(sign(Array(signingInput.utf8)))
    }

    private func component(_ name: String) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 2048)
        let written = buffer.withUnsafeMutableBufferPointer { stytch_testing_rsa_component(storage.pkey, name, $0.baseAddress, $0.count) }
        guard written > 0 else { fatalError("cannot read RSA component \(name): \(OpenSSLErrors.drain())") }
        return Array(buffer.prefix(Int(written)))
    }

    /// `@unchecked Sendable`: the pointer is set once and OpenSSL keys are safe to use from many threads.
    private final class Storage: @unchecked Sendable {
        let pkey: OpaquePointer
        init(pkey: OpaquePointer) { self.pkey = pkey }
        deinit { EVP_PKEY_free(pkey) }
    }
}

internal import CStytchTestingShims
public import StytchJWT

/// An RSA private key for tests and fixtures only: it signs RS256 tokens, it never verifies.
///
/// Use it to sign tokens your handler tests send, and hand its public half to the verifier as a
/// pinned key set:
///
/// ```swift
/// let key = TestingSigningKey()                        // a fresh 2048-bit key
/// let verifier = try StytchJWTVerifier(projectID: projectID, keys: key.jwks(kid: "jwk-test-1"))
/// let token = key.compactJWS(header: #"{"alg":"RS256","kid":"jwk-test-1","typ":"JWT"}"#, payload: payloadJSON)
/// ```
///
/// Production code has no business holding a Stytch signing key: this type lives in the
/// `StytchJWTTesting` product only.
public struct TestingSigningKey: Sendable {
    private let storage: Storage

    /// Generates a fresh key pair (slow: tens of milliseconds for 2048 bits).
    public init(bits: Int = 2048, exponent: UInt = 65537) {
        guard bits >= 1024, bits <= 16384, let key = stytch_testing_rsa_generate(UInt32(bits), exponent) else {
            fatalError("RSA key generation failed")
        }
        storage = Storage(key: key)
    }

    /// Reads a PEM private key (PKCS#8 or PKCS#1); nil when it is not an RSA private key.
    public init?(pem: String) {
        var bytes = Array(pem.utf8)
        guard let key = bytes.withUnsafeMutableBufferPointer({ buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                stytch_testing_rsa_from_pem($0, buffer.count)
            }
        }) else {
            stytch_testing_clear_errors()
            return nil
        }
        storage = Storage(key: key)
    }

    /// The big-endian modulus.
    public var modulus: [UInt8] { component("n") }
    /// The big-endian public exponent.
    public var exponent: [UInt8] { component("e") }

    /// The public half, through the same admission checks as any key.
    public func publicKey() throws(StytchJWTError) -> RSAPublicKey {
        try RSAPublicKey(modulus: modulus, exponent: exponent)
    }

    /// The public JWK members for this key (kty, use, alg, key_ops, kid, n, e), as Stytch publishes them.
    public func publicJWK(kid: String) -> JSONValue {
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

    /// A pinned key set holding this key's public half under `kid`.
    public func jwks(kid: String) throws(StytchJWTError) -> JWKSet {
        try JWKSet(keys: [kid: publicKey()])
    }

    /// The RS256 signature of `message`.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        let capacity = Int(stytch_testing_rsa_signature_size(storage.key))
        guard capacity > 0 else { fatalError("RS256 signing failed") }
        var signature = [UInt8](repeating: 0, count: capacity)
        let length = message.withUnsafeBufferPointer { messageBuffer in
            signature.withUnsafeMutableBufferPointer { signatureBuffer in
                stytch_testing_rs256_sign(storage.key, messageBuffer.baseAddress, messageBuffer.count, signatureBuffer.baseAddress, signatureBuffer.count)
            }
        }
        guard length > 0 else { fatalError("RS256 signing failed") }
        return Array(signature.prefix(Int(length)))
    }

    /// A compact JWS of `header` and `payload` (JSON texts, used byte for byte), signed with this key.
    public func compactJWS(header: String, payload: String) -> String {
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        return signingInput + "." + Base64URL.encode(sign(Array(signingInput.utf8)))
    }

    private func component(_ name: String) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 2048)
        let written = buffer.withUnsafeMutableBufferPointer { stytch_testing_rsa_component(storage.key, name, $0.baseAddress, $0.count) }
        guard written > 0 else { fatalError("cannot read RSA component \(name)") }
        return Array(buffer.prefix(Int(written)))
    }

    /// Owns the shim's key; frees it exactly once.
    ///
    /// `@unchecked Sendable` is safe: the pointer is set once and OpenSSL keys are safe to use
    /// read-only from many threads (each signing call makes its own context).
    private final class Storage: @unchecked Sendable {
        let key: OpaquePointer
        init(key: OpaquePointer) { self.key = key }
        deinit { stytch_testing_rsa_free(key) }
    }
}

/// A compact JWS split and decoded under the strict rules of the specification, before any of it
/// is believed: the header and payload are still unverified.
package struct CompactJWS: Sendable {
    /// Input limits, checked before any decoding.
    package enum Limits {
        /// The largest token accepted, in bytes. Stytch's session JWTs are 1–2 KiB; 16 KiB leaves
        /// room for large custom claims while keeping a hostile token's cost bounded.
        package static let maximumTokenBytes = 16 * 1024
        /// The deepest JSON nesting accepted in the header or payload. Stytch's claims nest five
        /// levels (payload, session, factor list, factor, factor sub-object).
        package static let maximumJSONDepth = 16
    }

    /// The decoded header members.
    package let header: [String: JSONValue]
    /// The decoded payload bytes.
    package let payloadBytes: [UInt8]
    /// The ASCII `header.payload` exactly as received: what the signature covers.
    package let signingInput: ArraySlice<UInt8>
    /// The decoded signature.
    package let signature: [UInt8]

    /// Splits and decodes `token`: size, exactly two dots, strict base64url in every segment,
    /// a strict JSON object header.
    package init(_ token: String) throws(StytchJWTError) {
        let bytes = Array(token.utf8)
        guard bytes.count <= Limits.maximumTokenBytes else {
            throw StytchJWTError(.malformed, "token is larger than \(Limits.maximumTokenBytes) bytes")
        }
        guard !bytes.isEmpty else { throw StytchJWTError(.malformed, "token is empty") }
        var dots: [Int] = []
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: ".") {
            dots.append(index)
            if dots.count > 2 { break }
        }
        guard dots.count == 2 else {
            throw StytchJWTError(.malformed, "token must have exactly three dot-separated segments")
        }
        guard let headerBytes = Base64URL.decode(bytes[..<dots[0]]) else {
            throw StytchJWTError(.malformed, "header segment is not strict base64url")
        }
        guard let payloadBytes = Base64URL.decode(bytes[(dots[0] + 1)..<dots[1]]) else {
            throw StytchJWTError(.malformed, "payload segment is not strict base64url")
        }
        guard let signature = Base64URL.decode(bytes[(dots[1] + 1)...]) else {
            throw StytchJWTError(.malformed, "signature segment is not strict base64url")
        }
        do {
            self.header = try StrictJSON.parseObject(headerBytes, maximumDepth: Limits.maximumJSONDepth)
        } catch {
            throw StytchJWTError(.malformed, "header is not a strict JSON object: \(error)")
        }
        self.payloadBytes = payloadBytes
        self.signingInput = bytes[..<dots[1]]
        self.signature = signature
    }

    /// The payload as a strict JSON object.
    package func payloadObject() throws(StytchJWTError) -> [String: JSONValue] {
        do {
            return try StrictJSON.parseObject(payloadBytes, maximumDepth: Limits.maximumJSONDepth)
        } catch {
            throw StytchJWTError(.malformed, "payload is not a strict JSON object: \(error)")
        }
    }

    /// Applies the header rules and returns the `kid`:
    /// `alg` exactly `RS256`; no `crit`; no key references (`jku`, `x5u`, `jwk`, `x5c`) — the key
    /// comes only from configuration, and a token that points elsewhere is refused outright;
    /// `typ`, if present, `JWT` in any case; `kid` a non-empty string.
    package func checkHeader() throws(StytchJWTError) -> String {
        guard let algValue = header["alg"] else { throw StytchJWTError(.malformed, "header.alg is missing") }
        guard case .string(let alg) = algValue else { throw StytchJWTError(.malformed, "header.alg is not a string") }
        guard alg == "RS256" else { throw StytchJWTError(.unsupportedAlgorithm, "header.alg must be RS256") }
        if header["crit"] != nil {
            throw StytchJWTError(.unsupportedHeader, "header.crit is present; no critical extensions are supported")
        }
        for reference in ["jku", "x5u", "jwk", "x5c"] where header[reference] != nil {
            throw StytchJWTError(.unsupportedHeader, "header.\(reference) is present; keys come only from configuration")
        }
        if let typ = header["typ"] {
            guard case .string(let value) = typ, value.lowercased() == "jwt" else {
                throw StytchJWTError(.unsupportedHeader, "header.typ must be JWT")
            }
        }
        guard let kidValue = header["kid"] else { throw StytchJWTError(.malformed, "header.kid is missing") }
        guard case .string(let kid) = kidValue, !kid.isEmpty else {
            throw StytchJWTError(.malformed, "header.kid is not a non-empty string")
        }
        return kid
    }

    /// Checks the signature over the received `header.payload` bytes with `key`.
    package func checkSignature(with key: RSAPublicKey) throws(StytchJWTError) {
        let valid = signature.withUnsafeBytes { signatureBuffer in
            signingInput.withUnsafeBytes { inputBuffer in
                key.isValidRS256Signature(signatureBuffer, for: inputBuffer)
            }
        }
        guard valid else { throw StytchJWTError(.invalidSignature, "signature does not verify") }
    }
}

/// A token's header and payload decoded under the same strict parsing rules as verification,
/// **without verifying anything**. For inspection and debugging only: nothing in it may be trusted.
public struct UnverifiedToken: Sendable {
    /// The header members, unverified.
    public let header: [String: JSONValue]
    /// The payload members, unverified.
    public let payload: [String: JSONValue]

    /// Decodes `token`; throws ``StytchJWTError`` (`malformed`) when it is not a well-formed compact JWS.
    public init(_ token: String) throws(StytchJWTError) {
        let jws = try CompactJWS(token)
        self.header = jws.header
        self.payload = try jws.payloadObject()
    }
}

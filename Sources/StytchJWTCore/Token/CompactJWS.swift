import Foundation

/// A compact JWS split and decoded under the strict rules of the specification, before any of it
/// is believed: the header and payload are still unverified.
package struct CompactJWS: Sendable {
    /// Input limits, checked before any decoding.
    package enum Limits {
        /// The largest token accepted, in bytes. Stytch's session JWTs are 1–2 KiB; 16 KiB leaves
        /// room for large custom claims while keeping a hostile token's cost bounded.
        package static let maximumTokenBytes = 16 * 1024
        /// The deepest JSON nesting accepted in the header or payload.
        package static let maximumJSONDepth = TokenReader.maximumDepth
    }

    /// The decoded header, payload and signature, one after the other in one buffer (one
    /// allocation per token), with one spare byte at the end that the decoder writes as scratch.
    private let decoded: [UInt8]
    /// Where the payload and the signature start in `decoded`; the signature runs to `decoded.count - 1`.
    private let payloadStart: Int, signatureStart: Int
    /// The token as received; its first `signingInputCount` UTF-8 bytes, the ASCII
    /// `header.payload`, are what the signature covers.
    private let token: String
    /// The length of `header.payload` in bytes (the offset of the second dot).
    private let signingInputCount: Int

    /// The decoded header bytes.
    package var headerBytes: ArraySlice<UInt8> { decoded[..<payloadStart] }
    /// The decoded payload bytes.
    package var payloadBytes: ArraySlice<UInt8> { decoded[payloadStart..<signatureStart] }
    /// The decoded signature.
    package var signature: ArraySlice<UInt8> { decoded[signatureStart..<(decoded.count - 1)] }

    /// Splits and decodes `token`: size, exactly two dots, strict base64url in every segment.
    package init(_ token: String) throws(StytchJWTError) {
        var token = token
        guard token.utf8.count <= Limits.maximumTokenBytes else {
            throw StytchJWTError(.malformed, "token is larger than \(Limits.maximumTokenBytes) bytes")
        }
        guard !token.isEmpty else { throw StytchJWTError(.malformed, "token is empty") }
        // Native Swift strings are already contiguous UTF-8; only a bridged one is copied.
        let segments = token.withUTF8 { Self.decodeSegments($0) }
        switch segments {
        case .failure(let error): throw error
        case .success(let segments):
            (decoded, payloadStart, signatureStart, signingInputCount) = (segments.decoded, segments.payloadStart, segments.signatureStart, segments.signingInputCount)
        }
        self.token = token
    }

    /// What ``decodeSegments(_:)`` found (a named type: a tuple here would have its type
    /// metadata built at run time on every call).
    private struct Segments {
        let decoded: [UInt8]
        let payloadStart: Int, signatureStart: Int, signingInputCount: Int
    }

    /// The work of `init` over the token's bytes, in the order of the rules (the first failing
    /// rule decides the message): segments, then header, payload and signature base64url.
    private static func decodeSegments(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Segments, StytchJWTError> {
        // memchr: the token is mostly base64url, so finding the dots is the bulk of the scanning.
        func nextDot(after start: Int) -> Int? {
            guard start < bytes.count, let base = bytes.baseAddress,
                  let found = memchr(base + start, Int32(UInt8(ascii: ".")), bytes.count - start)
            else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
        guard let firstDot = nextDot(after: 0), let secondDot = nextDot(after: firstDot + 1),
              nextDot(after: secondDot + 1) == nil
        else {
            return .failure(StytchJWTError(.malformed, "token must have exactly three dot-separated segments"))
        }
        let header = UnsafeBufferPointer(rebasing: bytes[..<firstDot])
        let payload = UnsafeBufferPointer(rebasing: bytes[(firstDot + 1)..<secondDot])
        let signature = UnsafeBufferPointer(rebasing: bytes[(secondDot + 1)...])
        // A segment whose length no encoding has is refused in its turn below; until then it
        // reserves nothing.
        let headerCount = Base64URL.decodedCount(header.count) ?? 0
        let payloadCount = Base64URL.decodedCount(payload.count) ?? 0
        let signatureCount = Base64URL.decodedCount(signature.count) ?? 0
        var failed: String?
        let decoded = [UInt8](unsafeUninitializedCapacity: headerCount + payloadCount + signatureCount + 1) { buffer, initialized in
            // Each segment into its place, with the rest of the buffer as its room.
            func decode(_ segment: UnsafeBufferPointer<UInt8>, at start: Int, _ name: String) -> Bool {
                if Base64URL.decode(segment, into: UnsafeMutableBufferPointer(rebasing: buffer[start...])) { return true }
                failed = "\(name) segment is not strict base64url"
                return false
            }
            _ = decode(header, at: 0, "header") && decode(payload, at: headerCount, "payload")
                && decode(signature, at: headerCount + payloadCount, "signature")
            initialized = failed == nil ? buffer.count : 0
        }
        if let failed { return .failure(StytchJWTError(.malformed, failed)) }
        return .success(Segments(decoded: decoded, payloadStart: headerCount, signatureStart: headerCount + payloadCount, signingInputCount: secondDot))
    }

    /// Checks the signature over the received `header.payload` bytes with `key`.
    package func checkSignature(with key: RSAPublicKey) throws(StytchJWTError) {
        let count = signingInputCount
        var token = token
        let valid = signature.withUnsafeBytes { signatureBuffer in
            token.withUTF8 { bytes in
                key.isValidRS256Signature(signatureBuffer, for: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[..<count])))
            }
        }
        guard valid else { throw StytchJWTError(.invalidSignature, "signature does not verify") }
    }
}

/// A token split, decoded and read by the one ``TokenReader``, before anything in it is believed
/// (step 1 of verification: size, structure, strict base64url, strict JSON of header and payload).
package struct ReadToken {
    package let jws: CompactJWS
    let header: HeaderFields
    let payload: PayloadFields

    /// Reads `token` (the header and payload shared with no verifier's strings).
    package init(_ token: String) throws(StytchJWTError) {
        try self.init(token, sharing: .none)
    }

    init(_ token: String, sharing shared: SharedStrings) throws(StytchJWTError) {
        (jws, header, payload) = try Self.parts(token, sharing: shared)
    }

    /// The parts of a read token, as a tuple that the verifier takes apart without copying.
    static func parts(_ token: String, sharing shared: SharedStrings) throws(StytchJWTError) -> (CompactJWS, HeaderFields, PayloadFields) {
        let jws = try CompactJWS(token)
        let header = try jws.header(sharing: shared)
        do {
            let payload = try jws.payloadBytes.withUnsafeBufferPointer { (bytes) throws(StrictJSON.Failure) in try TokenReader.payload(bytes, shared: shared) }
            return (jws, header, payload)
        } catch {
            throw StytchJWTError(.malformed, "payload is not a strict JSON object: \(error)")
        }
    }

    /// Step 2: the header rules (``TokenRules/kid(of:)``), returning the `kid`.
    package func kid() throws(StytchJWTError) -> String {
        try TokenRules.kid(of: header)
    }
}

extension CompactJWS {
    /// The header, read by the one ``TokenReader``.
    func header(sharing shared: SharedStrings) throws(StytchJWTError) -> HeaderFields {
        do {
            return try headerBytes.withUnsafeBufferPointer { (bytes) throws(StrictJSON.Failure) in try TokenReader.header(bytes, shared: shared) }
        } catch {
            throw StytchJWTError(.malformed, "header is not a strict JSON object: \(error)")
        }
    }

    /// The header read and held to the header rules, for a JWS whose payload is not a JWT's
    /// (the test vectors of other specifications): the `kid`.
    package func kid() throws(StytchJWTError) -> String {
        try TokenRules.kid(of: header(sharing: .none))
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
        // The verifier's reader first (the same rules, the same errors), then the JSON trees it skips.
        let jws = try ReadToken(token).jws
        func tree(_ bytes: ArraySlice<UInt8>) -> [String: JSONValue] {
            (try? StrictJSON.parseObject(Array(bytes), maximumDepth: CompactJWS.Limits.maximumJSONDepth)) ?? [:]
        }
        self.header = tree(jws.headerBytes)
        self.payload = tree(jws.payloadBytes)
    }
}

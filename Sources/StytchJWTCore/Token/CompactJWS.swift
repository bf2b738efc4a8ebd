import Foundation

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

    /// The header as decoding left it: the `kid` of a header in the usual form, which passes
    /// every header rule (read by ``JWTScanner``), or the members of any other strict JSON object.
    private enum Header {
        case scanned(kid: String)
        case members([JSONMember])
    }
    private let decodedHeader: Header

    /// The decoded header, payload and signature, one after the other in one buffer (one
    /// allocation per token), with one spare byte at the end that the decoder writes as scratch.
    private let decoded: [UInt8]
    /// Where the payload and the signature start in `decoded`; the signature runs to `decoded.count - 1`.
    private let payloadStart: Int, signatureStart: Int

    /// The decoded header members, in document order (names unique).
    package var headerMembers: [JSONMember] {
        switch decodedHeader {
        case .members(let members): return members
        case .scanned:
            // The scanner accepted these bytes, so they are a strict JSON object.
            return (try? decoded[..<payloadStart].withUnsafeBufferPointer {
                try StrictJSON.parseObjectMembers($0, maximumDepth: Limits.maximumJSONDepth)
            }) ?? []
        }
    }
    /// The decoded header members.
    package var header: [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        members.reserveCapacity(headerMembers.count)
        for member in headerMembers { members[member.name] = member.value }
        return members
    }
    /// The decoded payload bytes.
    package var payloadBytes: ArraySlice<UInt8> { decoded[payloadStart..<signatureStart] }
    /// The decoded signature.
    package var signature: ArraySlice<UInt8> { decoded[signatureStart..<(decoded.count - 1)] }
    /// The token as received; its first `signingInputCount` UTF-8 bytes, the ASCII
    /// `header.payload`, are what the signature covers.
    private let token: String
    /// The length of `header.payload` in bytes (the offset of the second dot).
    private let signingInputCount: Int

    /// The ASCII `header.payload` exactly as received: what the signature covers.
    package var signingInput: ArraySlice<UInt8> { Array(token.utf8)[..<signingInputCount] }

    /// Splits and decodes `token`: size, exactly two dots, strict base64url in every segment,
    /// a strict JSON object header.
    package init(_ token: String) throws(StytchJWTError) {
        try self.init(token, expected: .none)
    }

    /// As ``init(_:)``; a usual header's `kid` shares `expected`'s string when it is one of them.
    init(_ token: String, expected: JWTScanner.ExpectedStrings) throws(StytchJWTError) {
        var token = token
        guard token.utf8.count <= Limits.maximumTokenBytes else {
            throw StytchJWTError(.malformed, "token is larger than \(Limits.maximumTokenBytes) bytes")
        }
        guard !token.isEmpty else { throw StytchJWTError(.malformed, "token is empty") }
        // Native Swift strings are already contiguous UTF-8; only a bridged one is copied.
        var failure: StytchJWTError?
        let decoded = token.withUTF8 { bytes -> Segments? in
            do throws(StytchJWTError) {
                return try Self.decodeSegments(bytes, expected: expected)
            } catch {
                failure = error
                return nil
            }
        }
        guard let segments = decoded else { throw failure ?? StytchJWTError(.malformed, "token could not be decoded") }
        self.decodedHeader = segments.header
        self.decoded = segments.decoded
        self.payloadStart = segments.payloadStart
        self.signatureStart = segments.signatureStart
        self.signingInputCount = segments.signingInputCount
        self.token = token
    }

    /// The work of `init` over the token's bytes, in the order of the rules (the first failing
    /// rule decides the message): segments, header, payload and signature base64url, header JSON.
    private static func decodeSegments(_ bytes: UnsafeBufferPointer<UInt8>, expected: JWTScanner.ExpectedStrings) throws(StytchJWTError) -> Segments {
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
            throw StytchJWTError(.malformed, "token must have exactly three dot-separated segments")
        }
        let headerSegment = UnsafeBufferPointer(rebasing: bytes[..<firstDot])
        let payloadSegment = UnsafeBufferPointer(rebasing: bytes[(firstDot + 1)..<secondDot])
        let signatureSegment = UnsafeBufferPointer(rebasing: bytes[(secondDot + 1)...])
        // A segment whose length no encoding has is refused in its turn below; until then it
        // reserves nothing.
        let headerCount = Base64URL.decodedCount(headerSegment.count) ?? 0
        let payloadCount = Base64URL.decodedCount(payloadSegment.count) ?? 0
        let signatureCount = Base64URL.decodedCount(signatureSegment.count) ?? 0
        var failed: String?
        let decoded = [UInt8](unsafeUninitializedCapacity: headerCount + payloadCount + signatureCount + 1) { buffer, initialized in
            let base = buffer.baseAddress!
            if !Base64URL.decode(headerSegment, into: base) {
                failed = "header segment is not strict base64url"
            } else if !Base64URL.decode(payloadSegment, into: base + headerCount) {
                failed = "payload segment is not strict base64url"
            } else if !Base64URL.decode(signatureSegment, into: base + headerCount + payloadCount) {
                failed = "signature segment is not strict base64url"
            }
            initialized = failed == nil ? buffer.count : 0
        }
        if let failed { throw StytchJWTError(.malformed, failed) }
        let payloadStart = headerCount, signatureStart = headerCount + payloadCount
        let header = try decoded.withUnsafeBufferPointer { (all) throws(StytchJWTError) -> Header in
            // The header a pinned key's tokens usually carry, byte for byte: its `kid` is known.
            if let kid = expected.kid(ofUsualHeader: headerSegment) { return .scanned(kid: kid) }
            let headerBytes = UnsafeBufferPointer(rebasing: all[..<payloadStart])
            if let kid = JWTScanner.scanHeader(headerBytes, expected: expected) { return .scanned(kid: kid) }
            do {
                return .members(try StrictJSON.parseObjectMembers(headerBytes, maximumDepth: Limits.maximumJSONDepth))
            } catch {
                throw StytchJWTError(.malformed, "header is not a strict JSON object: \(error)")
            }
        }
        return Segments(header: header, decoded: decoded, payloadStart: payloadStart, signatureStart: signatureStart, signingInputCount: secondDot)
    }

    /// What ``decodeSegments(_:expected:)`` found (a named type: a tuple here would have its type
    /// metadata built at run time on every call).
    private struct Segments {
        let header: Header
        let decoded: [UInt8]
        let payloadStart: Int, signatureStart: Int, signingInputCount: Int
    }

    /// The payload's members, in document order (names unique), parsed as ``payloadObject()`` parses them.
    package func payloadMembers() throws(StytchJWTError) -> [JSONMember] {
        do {
            return try payloadBytes.withUnsafeBufferPointer { (bytes) throws(StrictJSON.Failure) in
                try StrictJSON.parseObjectMembers(bytes, maximumDepth: Limits.maximumJSONDepth)
            }
        } catch {
            throw StytchJWTError(.malformed, "payload is not a strict JSON object: \(error)")
        }
    }

    /// The payload as a strict JSON object.
    package func payloadObject() throws(StytchJWTError) -> [String: JSONValue] {
        do {
            return try StrictJSON.parseObject(Array(payloadBytes), maximumDepth: Limits.maximumJSONDepth)
        } catch {
            throw StytchJWTError(.malformed, "payload is not a strict JSON object: \(error)")
        }
    }

    /// The `kid` of a header in the usual form, which passes every header rule (nil for any other
    /// header: ``checkHeader()`` then applies the rules).
    var scannedKID: String? {
        if case .scanned(let kid) = decodedHeader { return kid }
        return nil
    }

    /// Applies the header rules and returns the `kid`:
    /// `alg` exactly `RS256`; no `crit`; no key references (`jku`, `x5u`, `jwk`, `x5c`) — the key
    /// comes only from configuration, and a token that points elsewhere is refused outright;
    /// `typ`, if present, `JWT` in any case; `kid` a non-empty string.
    package func checkHeader() throws(StytchJWTError) -> String {
        switch decodedHeader {
        case .scanned(let kid): return kid  // the usual form, held to these rules by the scanner
        case .members(let members): return try Self.checkHeader(members)
        }
    }

    /// The header rules of ``checkHeader()`` over a header's members.
    package static func checkHeader(_ headerMembers: [JSONMember]) throws(StytchJWTError) -> String {
        // One pass picks out the members the rules read; the rules then run in their order.
        var alg: JSONValue?, crit: JSONValue?, typ: JSONValue?, kid: JSONValue?
        var jku: JSONValue?, x5u: JSONValue?, jwk: JSONValue?, x5c: JSONValue?
        for member in headerMembers {
            // Every name the rules read is three or four ASCII characters.
            if member.isASCII, !(3...4).contains(member.name.utf8.count) { continue }
            switch member.name {
            case "alg": alg = member.value
            case "crit": crit = member.value
            case "typ": typ = member.value
            case "kid": kid = member.value
            case "jku": jku = member.value
            case "x5u": x5u = member.value
            case "jwk": jwk = member.value
            case "x5c": x5c = member.value
            default: continue
            }
        }
        guard let algValue = alg else { throw StytchJWTError(.malformed, "header.alg is missing") }
        guard case .string(let algText) = algValue else { throw StytchJWTError(.malformed, "header.alg is not a string") }
        guard algText.hasSameUTF8(as: "RS256") else { throw StytchJWTError(.unsupportedAlgorithm, "header.alg must be RS256") }
        if crit != nil {
            throw StytchJWTError(.unsupportedHeader, "header.crit is present; no critical extensions are supported")
        }
        // In this order: jku, x5u, jwk, x5c.
        func refuseReference(_ reference: String) -> StytchJWTError {
            StytchJWTError(.unsupportedHeader, "header.\(reference) is present; keys come only from configuration")
        }
        if jku != nil { throw refuseReference("jku") }
        if x5u != nil { throw refuseReference("x5u") }
        if jwk != nil { throw refuseReference("jwk") }
        if x5c != nil { throw refuseReference("x5c") }
        if let typ {
            guard case .string(let value) = typ, Self.isJWT(value) else {
                throw StytchJWTError(.unsupportedHeader, "header.typ must be JWT")
            }
        }
        guard let kidValue = kid else { throw StytchJWTError(.malformed, "header.kid is missing") }
        guard case .string(let kidText) = kidValue, !kidText.isEmpty else {
            throw StytchJWTError(.malformed, "header.kid is not a non-empty string")
        }
        return kidText
    }

    /// Whether `value` is `JWT` in any ASCII case: three bytes, compared as bytes (no Unicode
    /// case mapping or equivalence).
    private static func isJWT(_ value: String) -> Bool {
        let utf8 = value.utf8
        if utf8.count == 3, utf8.allSatisfy({ $0 < 0x80 }) {
            var iterator = utf8.makeIterator()
            return (iterator.next()! | 0x20) == UInt8(ascii: "j")
                && (iterator.next()! | 0x20) == UInt8(ascii: "w")
                && (iterator.next()! | 0x20) == UInt8(ascii: "t")
        }
        return false
    }

    /// Checks the signature over the received `header.payload` bytes with `key`.
    package func checkSignature(with key: RSAPublicKey) throws(StytchJWTError) {
        let count = signingInputCount
        let valid = signature.withUnsafeBytes { signatureBuffer in
            token.utf8.withContiguousStorageIfAvailable { bytes in
                key.isValidRS256Signature(signatureBuffer, for: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[..<count])))
            } ?? signingInput.withUnsafeBytes { inputBuffer in
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

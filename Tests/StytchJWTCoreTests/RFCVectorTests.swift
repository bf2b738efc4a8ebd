import Foundation
import StytchJWTCore
import Testing

/// Published RS256 examples from the JOSE RFCs, beyond Wycheproof, each with its published key.
///
/// Sources (test data copied as published; the RFC texts are the authority):
/// - RFC 7515 (JSON Web Signature), Appendix A.2 "Example JWS Using RSASSA-PKCS1-v1_5 SHA-256":
///   the key of A.2.1 (its `n` and `e`), the JWS Compact Serialization at the end of A.2.1.
///   https://www.rfc-editor.org/rfc/rfc7515#appendix-A.2
/// - RFC 7520 (Examples of Protecting Content Using JOSE), §4.1 "RSA v1.5 Signature": the key of
///   §3.3 Figure 3 ("bilbo.baggins@hobbiton.example", public half), the compact JWS of Figure 13.
///   https://www.rfc-editor.org/rfc/rfc7520#section-4.1
///
/// Both are checked at the JWS level (CompactJWS parsing, our header rule where it applies, the
/// signature through OpenSSL with `RSAPublicKey(modulus:exponent:)`), then through the verifier as
/// a whole, which refuses each for a documented reason: A.2's header has no `kid` (our rule requires
/// one), and RFC 7520's payload is prose, not a JSON object. Every one-character change in any of
/// the three segments, and every one-byte change of the decoded signature, must be rejected.
@Suite("RFC 7515 A.2 and RFC 7520 §4.1 RS256 vectors")
struct RFCVectorTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let n: String
        let e: String
        let jws: String
        /// The header's `kid`, or nil when the header has none.
        let kid: String?
        var testDescription: String { name }
    }

    /// RFC 7515 Appendix A.2.1: header `{"alg":"RS256"}`; payload
    /// `{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}`.
    static let rfc7515A2 = Vector(
        name: "RFC 7515 A.2",
        n: "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
        e: "AQAB",
        jws: "eyJhbGciOiJSUzI1NiJ9"
            + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
            + ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw",
        kid: nil
    )

    /// RFC 7520 §4.1 (Figure 13) with the key of §3.3 (Figure 3): header
    /// `{"alg":"RS256","kid":"bilbo.baggins@hobbiton.example"}`; payload the §4 prose
    /// ("It’s a dangerous business, Frodo, going out your door. …").
    static let rfc7520 = Vector(
        name: "RFC 7520 §4.1",
        n: "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw",
        e: "AQAB",
        jws: "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9"
            + ".SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4"
            + ".MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg",
        kid: "bilbo.baggins@hobbiton.example"
    )

    static let vectors = [rfc7515A2, rfc7520]

    static func key(_ vector: Vector) throws -> RSAPublicKey {
        let n = try #require(Base64URL.decode(vector.n))
        let e = try #require(Base64URL.decode(vector.e))
        return try RSAPublicKey(modulus: n, exponent: e)
    }

    /// Whether `token` parses strictly and its signature verifies with `key`: what must be true of
    /// the published JWS and false after any one-character change.
    static func accepted(_ token: String, key: RSAPublicKey) -> Bool {
        guard let jws = try? CompactJWS(token) else { return false }
        do {
            try jws.checkSignature(with: key)
            return true
        } catch {
            return false
        }
    }

    @Test("the published key is admitted: 2048 bits, e = 65537", arguments: vectors)
    func publishedKey(vector: Vector) throws {
        let key = try Self.key(vector)
        #expect(key.modulusBits == 2048)
        #expect(key.exponentBytes == [0x01, 0x00, 0x01])
    }

    @Test("the published JWS parses strictly and its signature verifies with the published key", arguments: vectors)
    func publishedJWSVerifies(vector: Vector) throws {
        let key = try Self.key(vector)
        let jws = try CompactJWS(vector.jws)
        #expect(try StrictJSON.parseObject(Array(jws.headerBytes), maximumDepth: 16)["alg"] == .string("RS256"))
        try jws.checkSignature(with: key)
        // The same through the public byte-level API.
        let parts = vector.jws.split(separator: ".", omittingEmptySubsequences: false)
        let signature = try #require(Base64URL.decode(parts[2]))
        #expect(key.isValidRS256Signature(signature, for: Array((parts[0] + "." + parts[1]).utf8)))
    }

    @Test("RFC 7520 §4.1 passes our header rule: alg RS256, kid present, no typ")
    func rfc7520Header() throws {
        #expect(try CompactJWS(Self.rfc7520.jws).kid() == "bilbo.baggins@hobbiton.example")
    }

    @Test("RFC 7515 A.2 fails our header rule only for its missing kid")
    func rfc7515HeaderHasNoKid() throws {
        let jws = try UnverifiedToken(Self.rfc7515A2.jws)
        #expect(jws.header == ["alg": .string("RS256")])
        let error = try #require(throws: StytchJWTError.self) { try ReadToken(Self.rfc7515A2.jws).kid() }
        #expect(error.code == .malformed)
        #expect(error.message.contains("kid"))
        // Its payload is a strict JSON object (CR LF whitespace included).
        let payload = jws.payload
        #expect(payload["iss"] == .string("joe"))
        #expect(payload["exp"]?.numberValue?.doubleValue == 1_300_819_380)
        #expect(payload["http://example.com/is_root"] == .bool(true))
    }

    @Test("the verifier refuses RFC 7515 A.2 as a whole: no kid in the header (clock before its exp)")
    func verifierRefusesRFC7515() throws {
        let key = try Self.key(Self.rfc7515A2)
        // A fixed clock 380 s before the example's exp (1300819380), so time is not the reason.
        let verifier = try StytchJWTVerifier(
            configuration: .init(projectID: "joe", clock: { Date(timeIntervalSince1970: 1_300_819_000) }),
            keys: JWKSet(keys: ["2010-12-29": key])
        )
        let error = try #require(throws: StytchJWTError.self) { try verifier.verify(sessionJWT: Self.rfc7515A2.jws) }
        #expect(error.code == .malformed)
        #expect(error.message == "header.kid is missing")
    }

    @Test("the verifier refuses RFC 7520 §4.1 as a whole: its payload is prose, not a JSON object")
    func verifierRefusesRFC7520() throws {
        let key = try Self.key(Self.rfc7520)
        let verifier = try StytchJWTVerifier(
            configuration: .init(projectID: "project-test-rfc7520", clock: { Date(timeIntervalSince1970: 1_767_225_660) }),
            keys: JWKSet(keys: ["bilbo.baggins@hobbiton.example": key])
        )
        let error = try #require(throws: StytchJWTError.self) { try verifier.verify(sessionJWT: Self.rfc7520.jws) }
        #expect(error.code == .malformed)
        #expect(error.message.hasPrefix("payload is not a strict JSON object"))
    }

    @Test("every one-character change in the header, payload or signature segment is rejected", arguments: vectors)
    func everyCharacterChange(vector: Vector) throws {
        let key = try Self.key(vector)
        #expect(Self.accepted(vector.jws, key: key))
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let original = Array(vector.jws.utf8)
        var checkedPerSegment = [0, 0, 0]
        var segment = 0
        for position in original.indices {
            if original[position] == UInt8(ascii: ".") {
                segment += 1
                continue
            }
            // Three replacements per position: the neighbouring letters of the alphabet (which keep
            // the length, so the segment still decodes unless trailing bits become non-zero) and a
            // character outside it.
            let index = try #require(alphabet.firstIndex(of: original[position]))
            for replacement in [alphabet[(index + 1) % 64], alphabet[(index + 63) % 64], UInt8(ascii: "+")] {
                var mutated = original
                mutated[position] = replacement
                let token = String(decoding: mutated, as: UTF8.self)
                #expect(!Self.accepted(token, key: key), "\(vector.name): segment \(segment), position \(position)")
            }
            checkedPerSegment[segment] += 1
        }
        #expect(segment == 2)
        #expect(checkedPerSegment.allSatisfy { $0 > 0 })
        #expect(checkedPerSegment.reduce(0, +) == original.count - 2)
    }

    @Test("every one-byte change of the decoded header, payload and signature is rejected", arguments: vectors)
    func everyDecodedByteChange(vector: Vector) throws {
        let key = try Self.key(vector)
        let parts = vector.jws.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        for segment in 0..<3 {
            let decoded = try #require(Base64URL.decode(parts[segment]))
            for position in decoded.indices {
                for bit: UInt8 in [0x01, 0x80] {
                    var bytes = decoded
                    bytes[position] ^= bit
                    var mutated = parts
                    mutated[segment] = Base64URL.encode(bytes)
                    let token = mutated.joined(separator: ".")
                    #expect(!Self.accepted(token, key: key), "\(vector.name): segment \(segment), byte \(position) ^ \(bit)")
                }
            }
        }
    }

    @Test("the two vectors' keys do not verify each other's JWS")
    func crossKeys() throws {
        #expect(!Self.accepted(Self.rfc7515A2.jws, key: try Self.key(Self.rfc7520)))
        #expect(!Self.accepted(Self.rfc7520.jws, key: try Self.key(Self.rfc7515A2)))
    }
}

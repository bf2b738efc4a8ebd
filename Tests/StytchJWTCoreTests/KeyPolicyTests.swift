import Foundation
import StytchJWTCore
import StytchJWTTesting
import StytchJWTTestSupport
import Testing

/// The JWK admission policy of SPEC §3, through `JWKSet(jwks:)`: a key that fails it is left out
/// with a reason and never fails the whole set; only a document that is unusable as a whole
/// throws `keys_unavailable`.
@Suite("JWK admission policy")
struct KeyPolicyTests {
    /// One 2048-bit key for the whole suite: generation is slow, and most cases differ only in members.
    static let signingKey = TestingSigningKey()

    static func members(kid: String = "kid-good") -> [String: JSONValue] {
        signingKey.publicJWK(kid: kid).objectValue!
    }

    static func document(_ keys: [JSONValue], extra: [String: JSONValue] = [:]) -> [UInt8] {
        var root = extra
        root["keys"] = .array(keys)
        return Array(JSONValue.object(root).jsonText.utf8)
    }

    static func set(_ keys: [JSONValue], limits: JWKSet.Limits = JWKSet.Limits()) throws -> JWKSet {
        try JWKSet(jwks: document(keys), limits: limits)
    }

    /// A key made from the suite key's members with `change` applied.
    static func modified(_ change: (inout [String: JSONValue]) -> Void) -> JSONValue {
        var object = members()
        change(&object)
        return .object(object)
    }

    // MARK: Single keys left out

    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let key: @Sendable () -> JSONValue
        let reason: String
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = [
        Refusal(name: "kty EC", key: { modified { $0["kty"] = .string("EC") } }, reason: "kty is not RSA"),
        Refusal(name: "kty oct", key: { modified { $0["kty"] = .string("oct") } }, reason: "kty is not RSA"),
        Refusal(name: "kty rsa (case)", key: { modified { $0["kty"] = .string("rsa") } }, reason: "kty is not RSA"),
        Refusal(name: "kty missing", key: { modified { $0["kty"] = nil } }, reason: "kty is missing"),
        Refusal(name: "kty not a string", key: { modified { $0["kty"] = .array([.string("RSA")]) } }, reason: "kty is missing or not a string"),
        Refusal(name: "use enc", key: { modified { $0["use"] = .string("enc") } }, reason: "use is not sig"),
        Refusal(name: "use SIG (case)", key: { modified { $0["use"] = .string("SIG") } }, reason: "use is not sig"),
        Refusal(name: "use not a string", key: { modified { $0["use"] = .array([.string("sig")]) } }, reason: "use is not sig"),
        Refusal(name: "use null", key: { modified { $0["use"] = .null } }, reason: "use is not sig"),
        Refusal(name: "key_ops without verify", key: { modified { $0["key_ops"] = .array([.string("sign"), .string("encrypt")]) } }, reason: "key_ops does not contain verify"),
        Refusal(name: "key_ops empty", key: { modified { $0["key_ops"] = .array([]) } }, reason: "key_ops does not contain verify"),
        Refusal(name: "key_ops a string", key: { modified { $0["key_ops"] = .string("verify") } }, reason: "key_ops is not an array of strings"),
        Refusal(name: "key_ops an object", key: { modified { $0["key_ops"] = .object(["verify": .bool(true)]) } }, reason: "key_ops is not an array of strings"),
        Refusal(name: "key_ops with a non-string", key: { modified { $0["key_ops"] = .array([.string("verify"), .number(JSONNumber(1))]) } }, reason: "key_ops is not an array of strings"),
        Refusal(name: "alg RS384", key: { modified { $0["alg"] = .string("RS384") } }, reason: "alg is not RS256"),
        Refusal(name: "alg PS256", key: { modified { $0["alg"] = .string("PS256") } }, reason: "alg is not RS256"),
        Refusal(name: "alg none", key: { modified { $0["alg"] = .string("none") } }, reason: "alg is not RS256"),
        Refusal(name: "alg rs256 (case)", key: { modified { $0["alg"] = .string("rs256") } }, reason: "alg is not RS256"),
        Refusal(name: "alg null", key: { modified { $0["alg"] = .null } }, reason: "alg is not RS256"),
        Refusal(name: "kid missing", key: { modified { $0["kid"] = nil } }, reason: "kid is missing, empty or not a string"),
        Refusal(name: "kid empty", key: { modified { $0["kid"] = .string("") } }, reason: "kid is missing, empty or not a string"),
        Refusal(name: "kid a number", key: { modified { $0["kid"] = .number(JSONNumber(42)) } }, reason: "kid is missing, empty or not a string"),
        Refusal(name: "kid null", key: { modified { $0["kid"] = .null } }, reason: "kid is missing, empty or not a string"),
        Refusal(name: "private member d", key: { modified { $0["d"] = .string("AQAB") } }, reason: #"private member "d""#),
        Refusal(name: "private member p", key: { modified { $0["p"] = .string("AQAB") } }, reason: #"private member "p""#),
        Refusal(name: "private member qi", key: { modified { $0["qi"] = .string("AQAB") } }, reason: #"private member "qi""#),
        Refusal(name: "private member oth", key: { modified { $0["oth"] = .array([]) } }, reason: #"private member "oth""#),
        Refusal(name: "symmetric member k", key: { modified { $0["k"] = .string("AQAB") } }, reason: #"private member "k""#),
        Refusal(name: "n missing", key: { modified { $0["n"] = nil } }, reason: "n is missing or not base64url"),
        Refusal(name: "n standard base64", key: { modified { $0["n"] = .string($0["n"]!.stringValue!.replacingOccurrences(of: "-", with: "+") + "+") } }, reason: "n is missing or not base64url"),
        Refusal(name: "n padded", key: { modified { $0["n"] = .string($0["n"]!.stringValue! + "==") } }, reason: "n is missing or not base64url"),
        Refusal(name: "n with whitespace", key: { modified { $0["n"] = .string(" " + $0["n"]!.stringValue!) } }, reason: "n is missing or not base64url"),
        Refusal(name: "n a number", key: { modified { $0["n"] = .number(JSONNumber(12345)) } }, reason: "n is missing or not base64url"),
        Refusal(name: "e missing", key: { modified { $0["e"] = nil } }, reason: "e is missing or not base64url"),
        Refusal(name: "e padded", key: { modified { $0["e"] = .string("AQAB=") } }, reason: "e is missing or not base64url"),
        Refusal(name: "e non-zero trailing bits", key: { modified { $0["e"] = .string("AQF") } }, reason: "e is missing or not base64url"),
        Refusal(name: "e = 65538 (even)", key: { modified { $0["e"] = .string(Base64URL.encode([0x01, 0x00, 0x02])) } }, reason: "exponent must be odd"),
        Refusal(name: "e = 2^32 (even)", key: { modified { $0["e"] = .string(Base64URL.encode([0x01, 0x00, 0x00, 0x00, 0x00])) } }, reason: "exponent must be odd"),
        Refusal(name: "e = 1", key: { modified { $0["e"] = .string(Base64URL.encode([0x01])) } }, reason: "exponent must be odd and at least 65537"),
        Refusal(name: "e = 65535", key: { modified { $0["e"] = .string(Base64URL.encode([0xFF, 0xFF])) } }, reason: "exponent must be odd and at least 65537"),
        Refusal(name: "e = 0", key: { modified { $0["e"] = .string(Base64URL.encode([0x00])) } }, reason: "exponent is zero"),
        Refusal(name: "e empty", key: { modified { $0["e"] = .string("") } }, reason: "exponent is zero"),
        Refusal(name: "e wider than 64 bits", key: { modified { $0["e"] = .string(Base64URL.encode([0x01] + [UInt8](repeating: 0, count: 7) + [0x01])) } }, reason: "larger than 64 bits"),
        Refusal(name: "n even", key: { modified { $0["n"] = .string(Base64URL.encode(Array(signingKey.modulus.dropLast()) + [0x02])) } }, reason: "modulus is even"),
        Refusal(name: "n zero", key: { modified { $0["n"] = .string(Base64URL.encode([0, 0, 0])) } }, reason: "modulus is zero"),
        Refusal(name: "n of 2047 bits", key: { modified { $0["n"] = .string(Base64URL.encode([0x7F] + signingKey.modulus.dropFirst())) } }, reason: "at least 2048 are required"),
        Refusal(name: "key not an object", key: { .string("kid-good") }, reason: "key is not a JSON object"),
        Refusal(name: "key an array", key: { .array([.string("RSA")]) }, reason: "key is not a JSON object"),
    ]

    @Test("a key failing the policy is left out with its reason", arguments: refusals)
    func refused(_ refusal: Refusal) throws {
        let good = Self.signingKey.publicJWK(kid: "kid-other")
        let keys = try Self.set([refusal.key(), good])
        // The bad key never fails the whole set: the good key beside it is admitted.
        #expect(keys.kids == ["kid-other"])
        #expect(keys.key(for: "kid-good") == nil)
        #expect(keys.rejectedKeys.count == 1)
        let rejected = try #require(keys.rejectedKeys.first)
        #expect(rejected.index == 0)
        #expect(rejected.reason.contains(refusal.reason), "reason was: \(rejected.reason)")
    }

    @Test("rejected keys report their index and string kid")
    func rejectedKeyDetails() throws {
        let keys = try Self.set([
            Self.signingKey.publicJWK(kid: "a"),
            Self.modified { $0["kid"] = .string("b"); $0["use"] = .string("enc") },
            Self.modified { $0["kid"] = .number(JSONNumber(7)) },
            Self.signingKey.publicJWK(kid: "c"),
        ])
        #expect(keys.kids == ["a", "c"])
        #expect(keys.rejectedKeys.map(\.index) == [1, 2])
        #expect(keys.rejectedKeys.map(\.kid) == ["b", nil])
        #expect(keys.rejectedKeys.allSatisfy { !$0.reason.isEmpty })
        // Reasons name the field, never the key material.
        let n = Self.members()["n"]!.stringValue!
        #expect(keys.rejectedKeys.allSatisfy { !$0.reason.contains(n.prefix(16)) })
    }

    // MARK: Weak keys generated for real

    @Test("a 1024-bit key is left out: modulus too small")
    func smallModulus() throws {
        let weak = TestingSigningKey(bits: 1024)
        let keys = try Self.set([weak.publicJWK(kid: "weak")])
        #expect(keys.isEmpty)
        #expect(keys.rejectedKeys.first?.reason.contains("1024 bits; at least 2048") == true, "\(keys.rejectedKeys)")
        #expect(throws: StytchJWTError(.malformed, "")) { try weak.publicKey() }
    }

    @Test("an e = 3 key is left out: exponent below 65537")
    func smallExponent() throws {
        let weak = TestingSigningKey(bits: 2048, exponent: 3)
        #expect(weak.exponent == [3])
        let keys = try Self.set([weak.publicJWK(kid: "e3")])
        #expect(keys.isEmpty)
        #expect(keys.rejectedKeys.first?.reason.contains("exponent must be odd and at least 65537") == true, "\(keys.rejectedKeys)")
        #expect(throws: StytchJWTError(.malformed, "")) { try weak.publicKey() }
    }

    // MARK: Keys admitted

    @Test("a key as Stytch publishes it is admitted and verifies")
    func stytchShapedKey() throws {
        var object = Self.members(kid: "jwk-test-22222222-2222-4222-8222-222222222222")
        object["x5c"] = .array([.string("MIIC")])
        object["x5tS256"] = .string("abc")
        let keys = try Self.set([.object(object)])
        let key = try #require(keys.key(for: "jwk-test-22222222-2222-4222-8222-222222222222"))
        #expect(keys.rejectedKeys.isEmpty)
        #expect(key == (try Self.signingKey.publicKey()))
        let message = Array("header.payload".utf8)
        #expect(key.isValidRS256Signature(Self.signingKey.sign(message), for: message))
    }

    @Test("optional members may be absent or permissive", arguments: [
        ["use", "key_ops", "alg"], ["use"], ["key_ops"], ["alg"],
    ])
    func optionalMembers(removed: [String]) throws {
        var object = Self.members()
        for name in removed { object[name] = nil }
        let keys = try Self.set([.object(object)])
        #expect(keys.kids == ["kid-good"])
    }

    @Test("key_ops holding verify among others is admitted")
    func keyOpsWithVerify() throws {
        let keys = try Self.set([Self.modified { $0["key_ops"] = .array([.string("sign"), .string("verify")]) }])
        #expect(keys.kids == ["kid-good"])
    }

    @Test("a modulus with a leading zero byte is the same key")
    func leadingZero() throws {
        let keys = try Self.set([Self.modified { $0["n"] = .string(Base64URL.encode([0] + Self.signingKey.modulus)) }])
        #expect(keys.key(for: "kid-good") == (try Self.signingKey.publicKey()))
    }

    // MARK: Duplicate kids

    @Test("two keys with one kid are both left out; an unrelated key is kept")
    func duplicateKid() throws {
        let other = TestingSigningKey()
        let keys = try Self.set([
            Self.signingKey.publicJWK(kid: "dup"),
            Self.signingKey.publicJWK(kid: "kept"),
            other.publicJWK(kid: "dup"),
        ])
        #expect(keys.kids == ["kept"])
        #expect(keys.key(for: "dup") == nil)
        #expect(keys.rejectedKeys.map(\.index) == [0, 2])
        #expect(keys.rejectedKeys.allSatisfy { $0.kid == "dup" && $0.reason.contains("same kid") })
    }

    @Test("a kid shared with a key the policy refuses anyway is still ambiguous")
    func duplicateKidWithInvalidTwin() throws {
        let keys = try Self.set([
            Self.signingKey.publicJWK(kid: "dup"),
            .object(["kty": .string("EC"), "kid": .string("dup"), "crv": .string("P-256")]),
        ])
        #expect(keys.isEmpty)
        #expect(keys.rejectedKeys.count == 2)
    }

    @Test("identical keys under one kid are still both left out")
    func identicalDuplicates() throws {
        let keys = try Self.set([Self.signingKey.publicJWK(kid: "same"), Self.signingKey.publicJWK(kid: "same")])
        #expect(keys.isEmpty)
    }

    // MARK: Documents

    @Test("unknown top-level members such as request_id and status_code are ignored")
    func unknownTopLevelMembers() throws {
        let bytes = Self.document([Self.signingKey.publicJWK(kid: "k")], extra: [
            "request_id": .string("request-id-test-00000000-0000-4000-8000-000000000000"),
            "status_code": .number(JSONNumber(200)),
            "future": .object(["nested": .array([.null])]),
        ])
        let keys = try JWKSet(jwks: bytes)
        #expect(keys.kids == ["k"])
        #expect(try JWKSet(jwks: Data(bytes)).kids == ["k"])
    }

    @Test("an empty keys array is an empty set, not an error")
    func emptyKeys() throws {
        let keys = try JWKSet(jwks: Array(#"{"keys":[]}"#.utf8))
        #expect(keys.isEmpty)
        #expect(keys.rejectedKeys.isEmpty)
    }

    @Test("an unusable document throws keys_unavailable", arguments: [
        "",
        "not json",
        "{",
        "{\"keys\":[]} trailing",
        "\u{FEFF}{\"keys\":[]}",
        "{}",
        "[]",
        "null",
        "{\"keys\":{}}",
        "{\"keys\":\"[]\"}",
        "{\"keys\":null}",
        "{\"Keys\":[]}",
        "{\"keys\":[],\"keys\":[]}",
        "{\"keys\":[{\"kid\":\"a\",\"kid\":\"b\"}]}",
        "{\"keys\":[{\"kty\":\"RSA\",\"x5c\":[{\"a\":1,\"a\":2}]}]}",
        "{\"keys\":[],\"request_id\":\"r\",\"request_id\":\"s\"}",
    ])
    func unusableDocument(text: String) {
        #expect(throws: StytchJWTError(.keysUnavailable, "")) { try JWKSet(jwks: Array(text.utf8)) }
    }

    @Test("invalid UTF-8 in the document throws keys_unavailable")
    func invalidUTF8Document() {
        let bytes = Array(#"{"keys":[],"x":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: StytchJWTError(.keysUnavailable, "")) { try JWKSet(jwks: bytes) }
    }

    @Test("a document over the size limit throws keys_unavailable; one at the limit is read")
    func documentSizeLimit() throws {
        let limit = JWKSet.Limits().maximumDocumentBytes
        #expect(limit == 1 << 20)
        let body = Self.document([Self.signingKey.publicJWK(kid: "k")])
        let atLimit = body + [UInt8](repeating: UInt8(ascii: " "), count: limit - body.count)
        #expect(atLimit.count == limit)
        #expect(try JWKSet(jwks: atLimit).kids == ["k"])
        #expect(throws: StytchJWTError(.keysUnavailable, "")) { try JWKSet(jwks: atLimit + [UInt8(ascii: " ")]) }

        var small = JWKSet.Limits()
        small.maximumDocumentBytes = body.count
        #expect(try JWKSet(jwks: body, limits: small).kids == ["k"])
        small.maximumDocumentBytes = body.count - 1
        #expect(throws: StytchJWTError(.keysUnavailable, "")) { try JWKSet(jwks: body, limits: small) }
    }

    @Test("a document nested deeper than the limit throws keys_unavailable")
    func depthLimit() throws {
        let deep = String(repeating: "[", count: 20) + String(repeating: "]", count: 20)
        #expect(throws: StytchJWTError(.keysUnavailable, "")) { try JWKSet(jwks: Array(#"{"keys":[],"x":\#(deep)}"#.utf8)) }
        var limits = JWKSet.Limits()
        limits.maximumDepth = 2
        // {"keys":[{…}]} is three levels deep.
        #expect(throws: StytchJWTError(.keysUnavailable, "")) { try Self.set([Self.signingKey.publicJWK(kid: "k")], limits: limits) }
        limits.maximumDepth = 4  // key_ops adds a fourth level
        #expect(try Self.set([Self.signingKey.publicJWK(kid: "k")], limits: limits).kids == ["k"])
    }

    @Test("keys past maximumKeyCount are left out with a reason")
    func keyCountLimit() throws {
        var limits = JWKSet.Limits()
        limits.maximumKeyCount = 3
        let entries = (0..<5).map { Self.signingKey.publicJWK(kid: "k\($0)") }
        let keys = try Self.set(entries, limits: limits)
        #expect(keys.kids == ["k0", "k1", "k2"])
        #expect(keys.rejectedKeys.map(\.index) == [3, 4])
        #expect(keys.rejectedKeys.map(\.kid) == ["k3", "k4"])
        #expect(keys.rejectedKeys.allSatisfy { $0.reason.contains("more than 3 keys") })

        // The default cap is 100.
        #expect(JWKSet.Limits().maximumKeyCount == 100)
        let many = try Self.set((0..<101).map { Self.signingKey.publicJWK(kid: "m\($0)") })
        #expect(many.keys.count == 100)
        #expect(many.key(for: "m100") == nil)
        #expect(many.rejectedKeys.map(\.index) == [100])
    }

    @Test("a kid duplicated only past the key cap does not knock out the admitted key")
    func duplicatePastCap() throws {
        var limits = JWKSet.Limits()
        limits.maximumKeyCount = 1
        let keys = try Self.set([Self.signingKey.publicJWK(kid: "a"), Self.signingKey.publicJWK(kid: "a")], limits: limits)
        #expect(keys.kids == ["a"])
        #expect(keys.rejectedKeys.map(\.index) == [1])
    }

    @Test("JWKSet(keys:) keeps exactly the keys it is given")
    func prebuiltKeys() throws {
        let key = try Self.signingKey.publicKey()
        let keys = JWKSet(keys: ["x": key])
        #expect(keys.kids == ["x"])
        #expect(keys.key(for: "x") == key)
        #expect(keys.rejectedKeys.isEmpty)
        #expect(JWKSet(keys: [:]).isEmpty)
    }

    // MARK: Files

    @Test("the pinned demo JWKS file admits exactly its one key")
    func demoJWKSFile() throws {
        let path = Self.packageRoot().appendingPathComponent("Keys/demo-jwks.json").path
        #expect(FileManager.default.fileExists(atPath: path), "missing \(path)")
        let keys = try JWKSet(contentsOfFile: path)
        #expect(keys.kids == ["jwk-test-11111111-1111-4111-8111-111111111111"])
        #expect(keys.rejectedKeys.isEmpty)
        #expect(keys.key(for: "jwk-test-11111111-1111-4111-8111-111111111111")?.modulusBits == 2048)
    }

    @Test("a missing or oversize JWKS file throws keys_unavailable")
    func unreadableFiles() throws {
        let missing = Self.packageRoot().appendingPathComponent("Keys/does-not-exist-\(UUID().uuidString).json").path
        #expect(throws: StytchJWTError(.keysUnavailable, "")) { try JWKSet(contentsOfFile: missing) }
        // A directory is not a JWKS file.
        #expect(throws: StytchJWTError(.keysUnavailable, "")) { try JWKSet(contentsOfFile: Self.packageRoot().appendingPathComponent("Keys").path) }

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stytch-jwks-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let body = Self.document([Self.signingKey.publicJWK(kid: "k")])
        #expect(FileManager.default.createFile(atPath: path, contents: Data(body)))
        #expect(try JWKSet(contentsOfFile: path).kids == ["k"])
        var limits = JWKSet.Limits()
        limits.maximumDocumentBytes = body.count - 1
        #expect(throws: StytchJWTError(.keysUnavailable, "")) { try JWKSet(contentsOfFile: path, limits: limits) }
    }

    /// The package root (``PackageFiles``).
    static func packageRoot() -> URL { PackageFiles.root }
}

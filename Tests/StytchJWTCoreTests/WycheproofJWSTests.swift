import Foundation
import StytchJWTCore
import StytchJWTTestSupport
import Testing

// Project Wycheproof's `json_web_signature_test.json` (Apache-2.0; see Tests/Vectors/wycheproof/
// LICENSE and SOURCE_COMMIT): all 401 tests, each through CompactJWS (parse) → kid() (the header read and its rules) →
// JWKSet lookup of the header's kid (the set built from the group's public key, or its private key
// when it has none) → checkSignature(with:).
//
// RS256 groups (public key kty RSA with alg RS256 or no alg): "rs256" (tcIds 33–258), "rs256"
// without use (259–263), "rfc7520" (345), "rfc7520WithKeyOps" (349), and the two "rsa_encryption"
// groups (353: use enc; 355: key_ops ["encrypt"]): 235 tests. Each must match its label.
// Our policy requires a kid in both the key and the header (SPEC §3, §4); every RS256 key and token in
// this file has one, so no RS256 test deviates from its label:
//
//   | tcIds in RS256 groups where our stricter policy rejects a vector labelled valid | why |
//   | (none)                                                                          |     |
//
// Every other test uses an algorithm we do not support (HS*, ES*, PS*, RS384, RS512, none) or is not a
// compact JWS at all, and must be rejected. The 38 of those labelled valid are deviations by scope
// (StytchJWT verifies RS256 only): 1, 18, 264–275, 287, 288, 320–323, 325–328, 346–348, 350–352,
// 357–359, 372, 373, 376, 377, 378. Every PS256/PS384/PS512/RS384/RS512 token (78 of them) is refused by
// kid() (the header rules) with `unsupported_algorithm`; the RS256 token of the PS512 group (tcId 332, the
// key's alg is PS512) parses and passes the header check, but that key is not admitted: `unknown_key`.
//
// Known defects of the file (SPEC §8): tcIds 357, 367 and 370 carry the same jws with different labels
// (HS256, not ours: all three are rejected alike); 372 and 373 (HS256) are labelled valid but contain
// a '?' that is not base64url, so our strict parser refuses them as `malformed` before the header.

@Suite("Wycheproof JSON Web Signature")
struct WycheproofJWSTests {
    enum Step: String, Sendable {
        case parse, header, lookup, signature, accepted
    }

    struct Outcome: Equatable, CustomStringConvertible {
        let step: Step
        let code: StytchJWTError.Code?
        var description: String { code.map { "\(step.rawValue): \($0)" } ?? "accepted" }

        static let accepted = Outcome(step: .accepted, code: nil)
        static let malformed = Outcome(step: .parse, code: .malformed)
        static let badHeader = Outcome(step: .header, code: .malformed)
        static let unsupportedAlgorithm = Outcome(step: .header, code: .unsupportedAlgorithm)
        static let unknownKey = Outcome(step: .lookup, code: .unknownKey)
        static let invalidSignature = Outcome(step: .signature, code: .invalidSignature)
    }

    static let rs256GroupTestCount = 235
    static let otherAlgorithms: Set<String> = ["PS256", "PS384", "PS512", "RS384", "RS512"]
    static let otherAlgorithmTokenCount = 78

    /// Valid-labelled tests outside the RS256 groups, rejected because we verify RS256 only.
    static let validOutOfScope: Set<Int> = Set([1, 18, 287, 288, 346, 347, 348, 350, 351, 352, 357, 358, 359, 372, 373, 376, 377, 378])
        .union(264...275).union(320...323).union(325...328)

    /// The exact outcome of the RS256-group tests that are not padding manipulations (those all end
    /// at the signature check), by tcId.
    static let rs256Outcomes: [Int: Outcome] = [
        33: .accepted,  // acceptsValid
        34: .invalidSignature,  // rejectsModifiedSignature
        35: .invalidSignature,  // rejectsMissingSignature: "header.payload." (an empty segment is valid base64url; an empty signature does not verify)
        36: .malformed,  // rejectsMissingSignatureAndSeparator
        37: .invalidSignature,  // rejectsModifiedPayload
        38: .invalidSignature,  // rejectsMissingPayload
        39: .malformed,  // rejectsMissingPayloadAndSeparator
        40: .unknownKey,  // rejectsModifiedHeader: the modification turns the kid into "Xid-rsa-sign"
        41: .malformed,  // rejectsMissingHeader
        42: .malformed,  // rejectsMissingHeaderAndSeparator
        43: .malformed,  // rejectsMissingHeaderAndSignature
        44: .malformed,  // rejectsMissingHeaderSignatureAndSeparator
        45: .malformed,  // rejectsEmptyString
        259: .accepted, 260: .accepted, 261: .accepted, 262: .accepted, 263: .accepted,
        345: .accepted,  // RFC 7520 Figure 13
        349: .accepted,  // the same, key with key_ops ["verify"]
        353: .unknownKey,  // key has use enc: not admitted
        355: .unknownKey,  // key has key_ops ["encrypt"]: not admitted
    ]

    @Test("every test of json_web_signature_test.json")
    func everyTest() throws {
        let file = try WycheproofJWSFile.load()
        var run = 0
        var rs256Run = 0
        var otherAlgorithmRun = 0
        var rs256Deviations: Set<Int> = []
        var outOfScopeValid: Set<Int> = []
        var summary: [String: Int] = [:]
        var seenRS256Outcomes: Set<Int> = []

        for group in file.groups {
            let document = try #require(group.publicSet ?? group.privateSet, "group \(group.comment) has no key")
            let keys: JWKSet
            do {
                keys = try JWKSet(jwks: document)
            } catch {
                Issue.record("group \(group.comment): key set is not a usable JWKS document: \(error)")
                continue
            }
            for test in group.tests {
                run += 1
                let outcome = Self.run(test.jws, keys: keys)
                let accepted = outcome == .accepted
                summary["\(group.isRS256 ? "RS256 group" : "other") \(test.result) → \(outcome)", default: 0] += 1

                if group.isRS256 {
                    rs256Run += 1
                    switch test.result {
                    case "valid":
                        if !accepted { rs256Deviations.insert(test.tcId) }
                    case "invalid":
                        #expect(!accepted, "tcId \(test.tcId) (\(test.comment)) is invalid but was accepted")
                    default:
                        Issue.record("tcId \(test.tcId): unexpected result \(test.result)")
                    }
                    if let expected = Self.rs256Outcomes[test.tcId] {
                        seenRS256Outcomes.insert(test.tcId)
                        #expect(outcome == expected, "tcId \(test.tcId) (\(test.comment)): \(outcome)")
                    } else {
                        // Every other RS256-group test modifies the PKCS#1 padding (flag ModifiedPadding):
                        // well formed, right header and key, wrong signature.
                        #expect(test.flags == ["ModifiedPadding"], "tcId \(test.tcId): undocumented test \(test.comment)")
                        #expect(outcome == .invalidSignature, "tcId \(test.tcId) (\(test.comment)): \(outcome)")
                    }
                } else {
                    // Not an RS256 group: nothing here may verify.
                    #expect(!accepted, "tcId \(test.tcId) (\(group.comment), \(test.comment)) was accepted")
                    if test.result == "valid", !accepted { outOfScopeValid.insert(test.tcId) }
                    if let alg = test.headerAlg, Self.otherAlgorithms.contains(alg) {
                        otherAlgorithmRun += 1
                        #expect(outcome == .unsupportedAlgorithm, "tcId \(test.tcId) (\(alg)): \(outcome)")
                    }
                    if test.tcId == 332 {
                        #expect(test.headerAlg == "RS256")
                        #expect(outcome == .unknownKey, "tcId 332: \(outcome)")
                    }
                }
            }
        }
        #expect(run == file.numberOfTests, "ran \(run) of \(file.numberOfTests)")
        #expect(rs256Run == Self.rs256GroupTestCount)
        #expect(otherAlgorithmRun == Self.otherAlgorithmTokenCount)
        #expect(seenRS256Outcomes == Set(Self.rs256Outcomes.keys))
        // The deviations table in the file comment: none among the RS256 groups.
        #expect(rs256Deviations == [], "RS256 tests labelled valid but rejected: \(rs256Deviations.sorted())")
        #expect(outOfScopeValid == Self.validOutOfScope, "valid-labelled tests outside RS256 rejected: \(outOfScopeValid.sorted())")
        print("Wycheproof json_web_signature_test.json: \(run) tests\n  " + summary.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "\n  "))
    }

    @Test("the RS256 groups are the ones we think")
    func rs256Groups() throws {
        let file = try WycheproofJWSFile.load()
        let groups = file.groups.filter(\.isRS256)
        #expect(groups.map(\.comment) == ["rs256", "rs256", "rfc7520", "rfc7520WithKeyOps", "rsa_encryption", "rsa_encryption"])
        #expect(groups.reduce(0) { $0 + $1.tests.count } == Self.rs256GroupTestCount)
        // Every RS256 key and token carries a kid, so the kid requirement costs no valid vector.
        for group in groups {
            #expect(group.publicKid != nil, "group \(group.comment)")
            for test in group.tests where test.result == "valid" {
                #expect(test.headerKid == group.publicKid, "tcId \(test.tcId)")
            }
        }
    }

    @Test("our policy requires a kid: a valid RS256 vector without one is refused")
    func kidRequired() throws {
        let file = try WycheproofJWSFile.load()
        let group = try #require(file.groups.first { $0.comment == "rs256" && $0.tests.contains { $0.tcId == 33 } })
        let valid = try #require(group.tests.first { $0.tcId == 33 })
        let keyWithoutKid = try #require(group.publicKeyWithoutKid)
        let keys = try JWKSet(jwks: keyWithoutKid)
        #expect(keys.isEmpty)
        #expect(keys.rejectedKeys.first?.reason.contains("kid") == true)
        #expect(Self.run(valid.jws, keys: keys) == .unknownKey)
    }

    @Test("our policy requires a kid in the header too: it is checked before the key and the signature")
    func headerKidRequired() throws {
        let file = try WycheproofJWSFile.load()
        let group = try #require(file.groups.first { $0.comment == "rs256" && $0.tests.contains { $0.tcId == 33 } })
        let valid = try #require(group.tests.first { $0.tcId == 33 })
        let document = try #require(group.publicSet)
        let keys = try JWKSet(jwks: document)
        #expect(Self.run(valid.jws, keys: keys) == .accepted)
        // The same token with a header that has no kid (the signature no longer matters: the
        // header step refuses it first, as SPEC §4 orders the checks).
        let rest = valid.jws.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)[1]
        let withoutKid = Base64URL.encode(Array(#"{"alg":"RS256"}"#.utf8)) + "." + rest
        #expect(Self.run(withoutKid, keys: keys) == .badHeader)
        let emptyKid = Base64URL.encode(Array(#"{"alg":"RS256","kid":""}"#.utf8)) + "." + rest
        #expect(Self.run(emptyKid, keys: keys) == .badHeader)
    }

    @Test("SPEC §8 defects: tcIds 357, 367, 370 share one jws; 372 and 373 are not base64url")
    func knownDefects() throws {
        let file = try WycheproofJWSFile.load()
        let tests = Dictionary(uniqueKeysWithValues: file.groups.flatMap(\.tests).map { ($0.tcId, $0) })
        let same = try [357, 367, 370].map { try #require(tests[$0]) }
        #expect(Set(same.map(\.jws)).count == 1)
        #expect(same.map(\.result) == ["valid", "invalid", "invalid"])
        let group = try #require(file.groups.first { $0.tests.contains { $0.tcId == 357 } })
        let document = try #require(group.publicSet ?? group.privateSet)
        let keys = try JWKSet(jwks: document)
        #expect(Self.run(same[0].jws, keys: keys) == .unsupportedAlgorithm)

        for tcId in [372, 373] {
            let test = try #require(tests[tcId])
            #expect(test.result == "valid")
            #expect(test.jws.contains("?"))
            #expect(Self.run(test.jws, keys: keys) == .malformed, "tcId \(tcId)")
        }
    }

    @Test("tokens of other algorithms are refused before any key is used, even with a usable key")
    func otherAlgorithmsWithUsableKey() throws {
        // Give every PS/RS384/RS512 token a key set in which its kid names an admitted RS256 key:
        // the header check must still refuse it, so the result cannot depend on the key set.
        let file = try WycheproofJWSFile.load()
        let rs256 = try #require(file.groups.first { $0.isRS256 && $0.tests.contains { $0.tcId == 33 } })
        let document = try #require(rs256.publicSet)
        let rs256Keys = try JWKSet(jwks: document)
        let key = try #require(rs256Keys.keys.values.first)
        var checked = 0
        for test in file.groups.flatMap(\.tests) {
            guard let alg = test.headerAlg, Self.otherAlgorithms.contains(alg), let kid = test.headerKid else { continue }
            let keys = JWKSet(keys: [kid: key])
            #expect(Self.run(test.jws, keys: keys) == .unsupportedAlgorithm, "tcId \(test.tcId)")
            checked += 1
        }
        #expect(checked == Self.otherAlgorithmTokenCount)
    }

    // MARK: Helpers

    static func run(_ jws: String, keys: JWKSet) -> Outcome {
        let token: CompactJWS
        do { token = try CompactJWS(jws) } catch { return Outcome(step: .parse, code: error.code) }
        // Parsing also means a strict JSON object header (the payload of these vectors is not a JWT's).
        guard (try? StrictJSON.parseObject(Array(token.headerBytes), maximumDepth: 16)) != nil else { return Outcome(step: .parse, code: .malformed) }
        let kid: String
        do { kid = try token.kid() } catch { return Outcome(step: .header, code: error.code) }
        guard let key = keys.key(for: kid) else { return .unknownKey }
        do { try token.checkSignature(with: key) } catch { return Outcome(step: .signature, code: error.code) }
        return .accepted
    }
}

/// `json_web_signature_test.json`, read with Foundation: an oracle independent of the code under test.
private struct WycheproofJWSFile {
    struct Test {
        let tcId: Int
        let comment: String
        let flags: [String]
        let jws: String
        let result: String
        /// The header's alg and kid, decoded leniently (nil when the header is not a JSON object).
        let headerAlg: String?
        let headerKid: String?
    }

    struct Group {
        let comment: String
        let publicSet: Data?
        let privateSet: Data?
        let publicKeyWithoutKid: Data?
        let publicKid: String?
        /// The public key is RSA with alg RS256 or no alg: a group of RS256 tokens.
        let isRS256: Bool
        let tests: [Test]
    }

    let numberOfTests: Int
    let groups: [Group]

    static func load() throws -> WycheproofJWSFile {
        let data = try PackageFiles.wycheproof("json_web_signature_test.json")
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let numberOfTests = root["numberOfTests"] as? Int,
              let groups = root["testGroups"] as? [[String: Any]]
        else { throw JWSVectorsMalformed(detail: "top level") }
        return WycheproofJWSFile(numberOfTests: numberOfTests, groups: try groups.map(parseGroup))
    }

    private static func parseGroup(_ group: [String: Any]) throws -> Group {
        func document(_ key: [String: Any]?) throws -> Data? {
            guard let key else { return nil }
            let set: [String: Any] = key["keys"] != nil ? key : ["keys": [key]]
            return try JSONSerialization.data(withJSONObject: set, options: [.sortedKeys])
        }
        let publicKey = group["public"] as? [String: Any]
        var withoutKid = publicKey
        withoutKid?["kid"] = nil
        guard let tests = group["tests"] as? [[String: Any]] else { throw JWSVectorsMalformed(detail: "tests") }
        let kty = publicKey?["kty"] as? String
        let alg = publicKey?["alg"] as? String
        return Group(
            comment: group["comment"] as? String ?? "",
            publicSet: try document(publicKey),
            privateSet: try document(group["private"] as? [String: Any]),
            publicKeyWithoutKid: try document(withoutKid),
            publicKid: publicKey?["kid"] as? String,
            isRS256: kty == "RSA" && (alg == nil || alg == "RS256"),
            tests: try tests.map { test in
                guard let tcId = test["tcId"] as? Int, let jws = test["jws"] as? String, let result = test["result"] as? String else {
                    throw JWSVectorsMalformed(detail: "a test")
                }
                let header = lenientHeader(jws)
                return Test(
                    tcId: tcId, comment: test["comment"] as? String ?? "", flags: test["flags"] as? [String] ?? [],
                    jws: jws, result: result, headerAlg: header?["alg"] as? String, headerKid: header?["kid"] as? String
                )
            }
        )
    }

    /// The first segment as JSON, decoded as forgivingly as Foundation allows: for classifying tests only.
    private static func lenientHeader(_ jws: String) -> [String: Any]? {
        guard let first = jws.split(separator: ".", omittingEmptySubsequences: false).first else { return nil }
        var base64 = first.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}

private struct JWSVectorsMalformed: Error, CustomStringConvertible {
    let detail: String
    var description: String { "json_web_signature_test.json has an unexpected shape: \(detail)" }
}

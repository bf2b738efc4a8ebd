import Foundation
import StytchJWTCore
import StytchJWTTestSupport
import Testing

// Project Wycheproof's `json_web_key_test.json` (Apache-2.0; see Tests/Vectors/wycheproof/LICENSE
// and SOURCE_COMMIT). Each test is a key set (a group's `public` set, or its `private` set when the
// group has no public one) and a compact JWS. We run: JWKSet(jwks:) under the admission policy →
// CompactJWS (parse) → kid() (the header read and its rules) → key(for: kid) → checkSignature(with:). `valid` means every
// step passes; `invalid` means some step throws or the key is not admitted.
//
// The file has 26 tests. RSA concerns 6 of them (tcIds 5, 6, 7, 8, 9, 24): group "rs256" (a good key),
// "rs256" with use enc / alg RSA1_5, the ROCA key, a 1024-bit key, e = 1, and "wrong_kty" (kty RSA with
// alg ES256 and EC members). The mixed-symmetry, keyset and duplicate-kid groups hold only oct and EC
// keys (checked below), so they are non-RSA groups. For every non-RSA group our policy must admit no key.
//
// Deviations from Wycheproof's labels: tcIds 2, 13, 14 and 15 are labelled valid but use HS256/HS384/
// HS512 with symmetric keys. StytchJWT verifies RS256 only (SPEC §4): the header check refuses them with
// `unsupported_algorithm`, and the key sets admit nothing (kty is not RSA). No RSA test deviates.

@Suite("Wycheproof JSON Web Key")
struct WycheproofJWKTests {
    enum Step: String, Sendable {
        case keySet = "key set", parse, header, lookup, signature, accepted
    }

    struct Outcome: CustomStringConvertible {
        let step: Step
        let code: StytchJWTError.Code?
        let message: String
        var description: String { code.map { "\(step.rawValue): \($0) (\(message))" } ?? "accepted" }
    }

    struct Expectation {
        let step: Step
        let code: StytchJWTError.Code?
        /// Every key-set rejection reason must contain one of these (for the set the test used).
        let rejectionReasons: [String]
        /// Whether the key set admits any key at all.
        let admitsKey: Bool
    }

    /// The outcome of every test of the file, derived by hand from the policy (SPEC §3, §4).
    static let expectations: [Int: Expectation] = {
        let hmacOrEC = Expectation(step: .header, code: .unsupportedAlgorithm, rejectionReasons: ["kty is not RSA"], admitsKey: false)
        var table: [Int: Expectation] = [:]
        for tcId in [1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 25, 26] { table[tcId] = hmacOrEC }
        // jws_duplicate_kid: two oct keys with one kid: both out as ambiguous before the kty check.
        table[4] = Expectation(step: .header, code: .unsupportedAlgorithm, rejectionReasons: ["same kid"], admitsKey: false)
        // rs256: a sound 2048-bit RSA key and a good signature.
        table[5] = Expectation(step: .accepted, code: nil, rejectionReasons: [], admitsKey: true)
        // use enc (alg RSA1_5): not admitted; `use` is checked before `alg`.
        table[6] = Expectation(step: .lookup, code: .unknownKey, rejectionReasons: ["use is not sig"], admitsKey: false)
        // ROCA-vulnerable modulus (CVE-2017-15361).
        table[7] = Expectation(step: .lookup, code: .unknownKey, rejectionReasons: ["ROCA"], admitsKey: false)
        // 1024-bit modulus.
        table[8] = Expectation(step: .lookup, code: .unknownKey, rejectionReasons: ["1024 bits; at least 2048"], admitsKey: false)
        // Public exponent 1.
        table[9] = Expectation(step: .lookup, code: .unknownKey, rejectionReasons: ["exponent must be odd and at least 65537"], admitsKey: false)
        // wrong_kty: kty RSA with alg ES256 and EC members; the ES256 token fails the header first.
        table[24] = Expectation(step: .header, code: .unsupportedAlgorithm, rejectionReasons: ["alg is not RS256"], admitsKey: false)
        return table
    }()

    /// Tests labelled valid that our stricter, RS256-only policy rejects (see the file comment).
    static let validButRejected: Set<Int> = [2, 13, 14, 15]
    static let rsaTcIds: Set<Int> = [5, 6, 7, 8, 9, 24]

    @Test("every test of json_web_key_test.json")
    func everyTest() throws {
        let file = try WycheproofJWKFile.load()
        var run = 0
        var rsaRun = 0
        var deviations: Set<Int> = []
        var log: [String] = []
        for group in file.groups {
            let source = group.publicSet != nil ? "public" : "private"
            let document = try #require(group.publicSet ?? group.privateSet, "group \(group.comment) has no key set")
            let keySet: JWKSet
            do {
                keySet = try JWKSet(jwks: document)
            } catch {
                Issue.record("group \(group.comment): the \(source) set is not a usable JWKS document: \(error)")
                continue
            }
            let ktys = group.ktys(source: source)
            let isRSA = ktys.contains("RSA")
            for test in group.tests {
                run += 1
                if isRSA { rsaRun += 1 }
                let outcome = Self.run(test.jws, keys: keySet)
                let reasons = keySet.rejectedKeys.map(\.reason)
                log.append("tcId \(test.tcId) [\(group.comment), \(source) \(ktys.sorted())] \(test.result): \(outcome); rejected keys: \(reasons)")

                guard let expected = Self.expectations[test.tcId] else {
                    Issue.record("tcId \(test.tcId) has no documented expectation: \(outcome)")
                    continue
                }
                #expect(outcome.step == expected.step, "tcId \(test.tcId): \(outcome)")
                #expect(outcome.code == expected.code, "tcId \(test.tcId): \(outcome)")
                #expect(keySet.isEmpty == !expected.admitsKey, "tcId \(test.tcId): admitted \(keySet.kids)")
                for reason in reasons {
                    #expect(expected.rejectionReasons.contains { reason.contains($0) }, "tcId \(test.tcId): unexpected reason \(reason)")
                }
                if !expected.admitsKey {
                    #expect(!reasons.isEmpty, "tcId \(test.tcId): keys left out without a reason")
                }
                if !isRSA {
                    // Non-RSA groups: our policy admits none of their keys.
                    #expect(keySet.isEmpty, "tcId \(test.tcId): a \(ktys) key was admitted")
                }

                let accepted = outcome.step == .accepted
                switch test.result {
                case "valid":
                    if !accepted { deviations.insert(test.tcId) }
                case "invalid":
                    #expect(!accepted, "tcId \(test.tcId) (\(test.comment)) is invalid but was accepted")
                default:
                    Issue.record("tcId \(test.tcId): unexpected result \(test.result)")
                }
            }
        }
        #expect(run == file.numberOfTests, "ran \(run) of \(file.numberOfTests)")
        #expect(rsaRun == Self.rsaTcIds.count)
        #expect(Set(file.groups.filter { $0.ktys(source: $0.publicSet != nil ? "public" : "private").contains("RSA") }.flatMap { $0.tests.map(\.tcId) }) == Self.rsaTcIds)
        #expect(deviations == Self.validButRejected)
        print("Wycheproof json_web_key_test.json: \(run) tests, \(rsaRun) RSA\n  " + log.joined(separator: "\n  "))
    }

    @Test("the keyset groups hold no RSA key, and the file's RSA keys are where we expect them")
    func groupInventory() throws {
        let file = try WycheproofJWKFile.load()
        for group in file.groups where ["jws_mixedSymmetryKeyset", "jws_keyset", "jws_duplicate_kid"].contains(group.comment) {
            #expect(group.publicSet == nil)
            #expect(!group.ktys(source: "private").contains("RSA"), "\(group.comment)")
        }
        let rsaGroups = file.groups.filter { $0.ktys(source: "public").contains("RSA") }
        #expect(rsaGroups.map(\.comment) == ["rs256", "rs256", "jws_rsa_roca_key", "keysize_too_small", "exponentOne", "wrong_kty"])
    }

    @Test("RSA private key sets are refused: a published private key is compromised")
    func privateSetsRefused() throws {
        let file = try WycheproofJWKFile.load()
        var checked = 0
        for group in file.groups where group.ktys(source: "private").contains("RSA") {
            let document = try #require(group.privateSet)
            let keys = try JWKSet(jwks: document)
            #expect(keys.isEmpty, "group \(group.comment): \(keys.kids)")
            #expect(!keys.rejectedKeys.isEmpty)
            checked += 1
        }
        #expect(checked == 6)
        // The good rs256 private set fails on its private members, not on anything else.
        let good = try #require(file.groups.first { $0.comment == "rs256" && $0.tests.map(\.tcId) == [5] })
        let document = try #require(good.privateSet)
        let keys = try JWKSet(jwks: document)
        #expect(keys.rejectedKeys.map(\.reason).allSatisfy { $0.contains("private member") }, "\(keys.rejectedKeys)")
    }

    @Test("RSAPublicKey itself refuses the ROCA, 1024-bit and e = 1 moduli with malformed", arguments: [
        (7, "ROCA"), (8, "at least 2048"), (9, "exponent"),
    ])
    func rsaPublicKeyRefusals(tcId: Int, reason: String) throws {
        let file = try WycheproofJWKFile.load()
        let group = try #require(file.groups.first { $0.tests.contains { $0.tcId == tcId } })
        let key = try #require(group.publicKeys.first)
        let n = try #require((key["n"] as? String).flatMap { Base64URL.decode($0) })
        let e = try #require((key["e"] as? String).flatMap { Base64URL.decode($0) })
        do {
            _ = try RSAPublicKey(modulus: n, exponent: e)
            Issue.record("tcId \(tcId): RSAPublicKey admitted the key")
        } catch {
            #expect(error.code == .malformed)
            #expect(error.message.contains(reason), "tcId \(tcId): \(error.message)")
        }
    }

    @Test("the wrong kty/alg combinations fail for each reason on their own")
    func wrongCombinations() throws {
        let file = try WycheproofJWKFile.load()
        // tcId 6: without `use`, alg RSA1_5 alone keeps the key out.
        let encryption = try #require(file.groups.first { $0.tests.contains { $0.tcId == 6 } }?.publicKeys.first)
        var withoutUse = encryption
        withoutUse["use"] = nil
        #expect(try Self.rejection(of: withoutUse).contains("alg is not RS256"))
        // …and with alg RS256 but use enc, `use` alone keeps it out.
        var withoutAlg = encryption
        withoutAlg["alg"] = "RS256"
        #expect(try Self.rejection(of: withoutAlg).contains("use is not sig"))
        // Repaired, the same key material is admitted: the refusal was the metadata's.
        var repaired = encryption
        repaired["use"] = "sig"
        repaired["alg"] = "RS256"
        #expect(try Self.rejection(of: repaired) == "admitted")

        // tcId 24: kty RSA with EC members. Without the ES256 alg, there is still no modulus.
        let wrongKty = try #require(file.groups.first { $0.tests.contains { $0.tcId == 24 } }?.publicKeys.first)
        #expect(try Self.rejection(of: wrongKty).contains("alg is not RS256"))
        var noAlg = wrongKty
        noAlg["alg"] = nil
        #expect(try Self.rejection(of: noAlg).contains("n is missing"))
        // An EC key relabelled alg RS256 is still not RSA.
        let ec = try #require(file.groups.first { $0.tests.contains { $0.tcId == 22 } }?.publicKeys.first)
        var relabelled = ec
        relabelled["alg"] = "RS256"
        #expect(try Self.rejection(of: relabelled).contains("kty is not RSA"))
    }

    // MARK: Helpers

    /// The reason `key` alone is left out of a set, or "admitted".
    static func rejection(of key: [String: Any]) throws -> String {
        let document = try JSONSerialization.data(withJSONObject: ["keys": [key]])
        let keys = try JWKSet(jwks: document)
        guard keys.isEmpty else { return "admitted" }
        return keys.rejectedKeys.first?.reason ?? "left out without a reason"
    }

    static func run(_ jws: String, keys: JWKSet) -> Outcome {
        let token: CompactJWS
        do { token = try CompactJWS(jws) } catch { return Outcome(step: .parse, code: error.code, message: error.message) }
        // Parsing also means a strict JSON object header (the payload of these vectors is not a JWT's).
        guard (try? StrictJSON.parseObject(Array(token.headerBytes), maximumDepth: 16)) != nil else {
            return Outcome(step: .parse, code: .malformed, message: "header is not a strict JSON object")
        }
        let kid: String
        do { kid = try token.kid() } catch { return Outcome(step: .header, code: error.code, message: error.message) }
        guard let key = keys.key(for: kid) else {
            return Outcome(step: .lookup, code: .unknownKey, message: "no admitted key has this kid")
        }
        do { try token.checkSignature(with: key) } catch { return Outcome(step: .signature, code: error.code, message: error.message) }
        return Outcome(step: .accepted, code: nil, message: "")
    }
}

/// `json_web_key_test.json`, read with Foundation (an oracle independent of the parser under test).
private struct WycheproofJWKFile {
    struct Test {
        let tcId: Int
        let comment: String
        let jws: String
        let result: String
    }

    struct Group {
        let comment: String
        let publicSet: Data?
        let privateSet: Data?
        let publicKeys: [[String: Any]]
        let privateKeys: [[String: Any]]
        let tests: [Test]

        func ktys(source: String) -> Set<String> {
            Set((source == "public" ? publicKeys : privateKeys).compactMap { $0["kty"] as? String })
        }
    }

    let numberOfTests: Int
    let groups: [Group]

    static func load() throws -> WycheproofJWKFile {
        let data = try PackageFiles.wycheproof("json_web_key_test.json")
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let numberOfTests = root["numberOfTests"] as? Int,
              let groups = root["testGroups"] as? [[String: Any]]
        else { throw JWKVectorsMalformed(detail: "top level") }
        return WycheproofJWKFile(numberOfTests: numberOfTests, groups: try groups.map(parseGroup))
    }

    private static func parseGroup(_ group: [String: Any]) throws -> Group {
        func keys(_ name: String) -> [[String: Any]] {
            guard let value = group[name] as? [String: Any] else { return [] }
            if let keys = value["keys"] as? [[String: Any]] { return keys }
            return [value]
        }
        func document(_ name: String) throws -> Data? {
            guard let value = group[name] as? [String: Any] else { return nil }
            let set: [String: Any] = value["keys"] != nil ? value : ["keys": [value]]
            return try JSONSerialization.data(withJSONObject: set, options: [.sortedKeys])
        }
        guard let tests = group["tests"] as? [[String: Any]] else { throw JWKVectorsMalformed(detail: "tests") }
        return Group(
            comment: group["comment"] as? String ?? "",
            publicSet: try document("public"),
            privateSet: try document("private"),
            publicKeys: keys("public"),
            privateKeys: keys("private"),
            tests: try tests.map { test in
                guard let tcId = test["tcId"] as? Int, let jws = test["jws"] as? String, let result = test["result"] as? String else {
                    throw JWKVectorsMalformed(detail: "test \(test["tcId"] ?? "?")")
                }
                return Test(tcId: tcId, comment: test["comment"] as? String ?? "", jws: jws, result: result)
            }
        )
    }
}

private struct JWKVectorsMalformed: Error, CustomStringConvertible {
    let detail: String
    var description: String { "json_web_key_test.json has an unexpected shape: \(detail)" }
}

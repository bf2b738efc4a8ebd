import Foundation
import StytchJWTCore
import StytchJWTTestSupport
import Testing

// Project Wycheproof's RSASSA-PKCS1-v1_5 with SHA-256 verification vectors (Apache-2.0; see
// Tests/Vectors/wycheproof/LICENSE and SOURCE_COMMIT), run through `RSAPublicKey`, which is
// what every RS256 token signature goes through.
//
// Deviations from Wycheproof's labels, all deliberate:
// - tcIds 258 and 259 of the 2048-bit file and tcId 259 of the 3072-bit file sit in groups whose
//   key has e = 3 (flag SmallPublicKey) and are labelled `valid`. Our key policy (SPEC §3: "exponent
//   odd and at least 65537"; SPEC §8: "treat our stricter outcome as the expected one") refuses such
//   keys, so the expected outcome there is that `RSAPublicKey.init` throws `malformed` and no
//   signature is ever checked.
// - tcId 8 of every file (flag MissingNull, labelled `acceptable`: a DigestInfo without the NULL
//   parameters) is rejected: OpenSSL 3's EVP digest-verify compares the whole encoded DigestInfo,
//   and the only DigestInfo we accept is the canonical one. A change here would be visible.

@Suite("Wycheproof RSA PKCS#1 v1.5 SHA-256")
struct WycheproofRSATests {
    struct VectorFile: Decodable {
        let algorithm: String
        let numberOfTests: Int
        let testGroups: [Group]
    }

    struct Group: Decodable {
        let keySize: Int
        let sha: String
        let type: String
        let publicKey: PublicKey
        let tests: [Vector]
    }

    struct PublicKey: Decodable {
        let modulus: String
        let publicExponent: String
    }

    struct Vector: Decodable {
        let tcId: Int
        let comment: String
        let flags: [String]
        let msg: String
        let sig: String
        let result: String
    }

    /// The tcIds whose group key has e = 3, per file: refused by the key policy (SPEC §3, §8).
    static let smallExponentTcIds: [String: Set<Int>] = [
        "rsa_signature_2048_sha256_test.json": [258, 259],
        "rsa_signature_3072_sha256_test.json": [259],
        "rsa_signature_4096_sha256_test.json": [],
    ]

    /// Wycheproof's `acceptable` vectors and the outcome we have (always rejection: MissingNull).
    static let acceptableOutcome: [Int: Bool] = [8: false]

    @Test("every vector of the file", arguments: [
        "rsa_signature_2048_sha256_test.json",
        "rsa_signature_3072_sha256_test.json",
        "rsa_signature_4096_sha256_test.json",
    ])
    func vectors(fileName: String) throws {
        let file = try JSONDecoder().decode(VectorFile.self, from: try wycheproofVectorData(fileName))
        #expect(file.algorithm == "RSASSA-PKCS1-v1_5")

        var run = 0
        var refusedKeyTcIds: Set<Int> = []
        var outcomeCounts: [String: Int] = [:]
        for group in file.testGroups {
            #expect(group.sha == "SHA-256")
            #expect(group.type == "RsassaPkcs1Verify")
            let modulus = try #require(hexBytes(group.publicKey.modulus), "modulus hex of a \(group.keySize)-bit group")
            let exponent = try #require(hexBytes(group.publicKey.publicExponent), "exponent hex of a \(group.keySize)-bit group")
            let exponentValue = exponent.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }

            let key: RSAPublicKey
            do {
                key = try RSAPublicKey(modulus: modulus, exponent: exponent)
                #expect(exponentValue >= 65537, "a key with e = \(exponentValue) was admitted")
                #expect(key.modulusBits == group.keySize)
            } catch {
                // SPEC §3 and §8: a key with e = 3 is refused; that refusal is the expected outcome of
                // each of its vectors even though Wycheproof labels them valid (flag SmallPublicKey).
                #expect(error.code == .malformed)
                #expect(error.message.contains("exponent"), "unexpected reason: \(error.message)")
                #expect(exponentValue == 3, "a key with e = \(exponentValue) was refused: \(error.message)")
                for vector in group.tests {
                    #expect(vector.flags.contains("SmallPublicKey"), "tcId \(vector.tcId)")
                    refusedKeyTcIds.insert(vector.tcId)
                    outcomeCounts["key refused", default: 0] += 1
                    run += 1
                }
                continue
            }

            for vector in group.tests {
                run += 1
                let message = try #require(hexBytes(vector.msg), "tcId \(vector.tcId): msg hex")
                let signature = try #require(hexBytes(vector.sig), "tcId \(vector.tcId): sig hex")
                let verified = key.isValidRS256Signature(signature, for: message)
                outcomeCounts["\(vector.result) → \(verified ? "accepted" : "rejected")", default: 0] += 1
                switch vector.result {
                case "valid":
                    #expect(verified, "tcId \(vector.tcId) (\(vector.comment)) is valid but was rejected")
                case "invalid":
                    #expect(!verified, "tcId \(vector.tcId) (\(vector.comment), \(vector.flags)) is invalid but was accepted")
                case "acceptable":
                    let expected: Bool? = Self.acceptableOutcome[vector.tcId]
                    #expect(expected != nil, "undocumented acceptable tcId \(vector.tcId) \(vector.flags)")
                    #expect(verified == expected, "tcId \(vector.tcId) (\(vector.flags)): documented outcome changed")
                default:
                    Issue.record("tcId \(vector.tcId): unknown result \(vector.result)")
                }
            }
        }
        // Nothing may be skipped silently: every vector of the file was run.
        #expect(run == file.numberOfTests, "ran \(run) of \(file.numberOfTests) vectors")
        #expect(refusedKeyTcIds == Self.smallExponentTcIds[fileName])
        print("Wycheproof \(fileName): \(run) vectors; \(outcomeCounts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))")
    }

    @Test("the e = 3 keys are refused by RSAPublicKey with malformed (SPEC §8)")
    func smallExponentKeysRefused() throws {
        let file = try JSONDecoder().decode(VectorFile.self, from: try wycheproofVectorData("rsa_signature_2048_sha256_test.json"))
        let groups = file.testGroups.filter { $0.publicKey.publicExponent == "03" }
        #expect(groups.map { $0.tests.map(\.tcId) } == [[258], [259]])
        for group in groups {
            #expect(group.tests.allSatisfy { $0.result == "valid" && $0.flags.contains("SmallPublicKey") })
            #expect(throws: StytchJWTError(.malformed, "")) {
                try RSAPublicKey(modulus: hexBytes(group.publicKey.modulus)!, exponent: hexBytes(group.publicKey.publicExponent)!)
            }
        }
    }
}

/// A Wycheproof vector file, copied into `Tests/Vectors` (its absence is a failure, never a skip).
private func wycheproofVectorData(_ fileName: String) throws -> Data {
    try PackageFiles.wycheproof(fileName)
}

/// Lower-case or upper-case hex to bytes; nil for odd length or a non-hex character.
private func hexBytes(_ hex: String) -> [UInt8]? {
    let digits = Array(hex.utf8)
    guard digits.count % 2 == 0 else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    var index = 0
    while index < digits.count {
        guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
        bytes.append(high << 4 | low)
        index += 2
    }
    return bytes
}

private func hexValue(_ digit: UInt8) -> UInt8? {
    switch digit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
    default: nil
    }
}

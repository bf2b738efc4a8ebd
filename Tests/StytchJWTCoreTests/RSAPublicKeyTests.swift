import Foundation
import StytchJWTCore
import StytchJWTTesting
import Testing

@Suite("RSAPublicKey")
struct RSAPublicKeyTests {
    static let signingKey = TestingSigningKey()
    static let message = Array(#"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtZW1iZXItdGVzdCJ9"#.utf8)

    // MARK: Sign and verify

    @Test("a signature made by TestingSigningKey verifies with its public key")
    func roundTrip() throws {
        let key = try Self.signingKey.publicKey()
        #expect(key.modulusBits == 2048)
        #expect(key.modulusBytes == Self.signingKey.modulus)
        #expect(key.exponentBytes == [0x01, 0x00, 0x01])
        for length in [0, 1, 31, 32, 33, 1000, 100_000] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let signature = Self.signingKey.sign(message)
            #expect(signature.count == 256)
            #expect(key.isValidRS256Signature(signature, for: message), "length \(length)")
            // The raw-buffer entry point agrees.
            let viaBuffers = signature.withUnsafeBytes { s in message.withUnsafeBytes { m in key.isValidRS256Signature(s, for: m) } }
            #expect(viaBuffers, "length \(length)")
        }
    }

    @Test("larger keys sign and verify", arguments: [3072, 4096])
    func largerKeys(bits: Int) throws {
        let signer = TestingSigningKey(bits: bits)
        let key = try signer.publicKey()
        #expect(key.modulusBits == bits)
        let signature = signer.sign(Self.message)
        #expect(signature.count == bits / 8)
        #expect(key.isValidRS256Signature(signature, for: Self.message))
        #expect(!key.isValidRS256Signature(signature, for: Self.message + [0]))
    }

    @Test("a signature is deterministic (PKCS#1 v1.5) and bound to its key")
    func boundToKey() throws {
        let other = TestingSigningKey()
        let signature = Self.signingKey.sign(Self.message)
        #expect(signature == Self.signingKey.sign(Self.message))
        #expect(!(try other.publicKey()).isValidRS256Signature(signature, for: Self.message))
        #expect(try other.publicKey() != Self.signingKey.publicKey())
    }

    @Test("flipping any one bit of the message makes verification fail")
    func messageBitFlips() throws {
        let key = try Self.signingKey.publicKey()
        let message = Array("header.payload-0123456789abcdef".utf8)
        let signature = Self.signingKey.sign(message)
        #expect(key.isValidRS256Signature(signature, for: message))
        var failures = 0
        for bit in 0..<(message.count * 8) {
            var tampered = message
            tampered[bit / 8] ^= 1 << UInt8(bit % 8)
            if !key.isValidRS256Signature(signature, for: tampered) { failures += 1 }
        }
        #expect(failures == message.count * 8)
        // Truncation and extension too.
        #expect(!key.isValidRS256Signature(signature, for: Array(message.dropLast())))
        #expect(!key.isValidRS256Signature(signature, for: message + [0x00]))
        #expect(!key.isValidRS256Signature(signature, for: []))
    }

    @Test("flipping any one bit of the signature makes verification fail")
    func signatureBitFlips() throws {
        let key = try Self.signingKey.publicKey()
        let signature = Self.signingKey.sign(Self.message)
        var failures = 0
        for bit in 0..<(signature.count * 8) {
            var tampered = signature
            tampered[bit / 8] ^= 1 << UInt8(bit % 8)
            if !key.isValidRS256Signature(tampered, for: Self.message) { failures += 1 }
        }
        #expect(failures == signature.count * 8)
    }

    @Test("a signature of the wrong length fails", arguments: [0, 1, 128, 255, 257, 512])
    func wrongLength(length: Int) throws {
        let key = try Self.signingKey.publicKey()
        let signature = Self.signingKey.sign(Self.message)
        var resized = signature
        if length < signature.count {
            resized = Array(signature.prefix(length))
        } else {
            resized += [UInt8](repeating: 0, count: length - signature.count)
        }
        #expect(!key.isValidRS256Signature(resized, for: Self.message))
        // Leading zeros do not make a longer signature acceptable either.
        if length > signature.count {
            let padded = [UInt8](repeating: 0, count: length - signature.count) + signature
            #expect(!key.isValidRS256Signature(padded, for: Self.message))
        }
        // The key still verifies afterwards: failures leave no OpenSSL state behind.
        #expect(key.isValidRS256Signature(signature, for: Self.message))
    }

    @Test("a signature equal to the modulus or all-ones fails")
    func edgeSignatures() throws {
        let key = try Self.signingKey.publicKey()
        #expect(!key.isValidRS256Signature(Self.signingKey.modulus, for: Self.message))
        #expect(!key.isValidRS256Signature([UInt8](repeating: 0xFF, count: 256), for: Self.message))
        #expect(!key.isValidRS256Signature([UInt8](repeating: 0x00, count: 256), for: Self.message))
        #expect(!key.isValidRS256Signature([UInt8](repeating: 0x00, count: 255) + [1], for: Self.message))
    }

    // MARK: Key construction

    struct BadKey: Sendable, CustomTestStringConvertible {
        let name: String
        let modulus: @Sendable () -> [UInt8]
        let exponent: [UInt8]
        let reason: String
        var testDescription: String { name }
    }

    static let badKeys: [BadKey] = [
        BadKey(name: "empty modulus", modulus: { [] }, exponent: [1, 0, 1], reason: "modulus is zero"),
        BadKey(name: "zero modulus", modulus: { [0, 0, 0, 0] }, exponent: [1, 0, 1], reason: "modulus is zero"),
        BadKey(name: "empty exponent", modulus: { signingKey.modulus }, exponent: [], reason: "exponent is zero"),
        BadKey(name: "zero exponent", modulus: { signingKey.modulus }, exponent: [0, 0], reason: "exponent is zero"),
        BadKey(name: "e = 1", modulus: { signingKey.modulus }, exponent: [1], reason: "odd and at least 65537"),
        BadKey(name: "e = 3", modulus: { signingKey.modulus }, exponent: [3], reason: "odd and at least 65537"),
        BadKey(name: "e = 65535", modulus: { signingKey.modulus }, exponent: [0xFF, 0xFF], reason: "odd and at least 65537"),
        BadKey(name: "e = 65538", modulus: { signingKey.modulus }, exponent: [1, 0, 2], reason: "odd and at least 65537"),
        BadKey(name: "e wider than 64 bits", modulus: { signingKey.modulus }, exponent: [1, 0, 0, 0, 0, 0, 0, 0, 1], reason: "larger than 64 bits"),
        BadKey(name: "2047-bit modulus", modulus: { [0x7F] + signingKey.modulus.dropFirst() }, exponent: [1, 0, 1], reason: "2047 bits"),
        BadKey(name: "1024-bit modulus", modulus: { Array(signingKey.modulus.suffix(128)) }, exponent: [1, 0, 1], reason: "at least 2048"),
        BadKey(name: "16385-bit modulus", modulus: { [0x01] + [UInt8](repeating: 0xA5, count: 2048) }, exponent: [1, 0, 1], reason: "at most 16384"),
        BadKey(name: "even modulus", modulus: { Array(signingKey.modulus.dropLast()) + [0xFE] }, exponent: [1, 0, 1], reason: "modulus is even"),
    ]

    @Test("weak or unusable keys are refused with malformed", arguments: badKeys)
    func refused(_ bad: BadKey) {
        do {
            _ = try RSAPublicKey(modulus: bad.modulus(), exponent: bad.exponent)
            Issue.record("\(bad.name) was admitted")
        } catch {
            #expect(error.code == .malformed)
            #expect(error.message.contains(bad.reason), "message was: \(error.message)")
        }
    }

    @Test("boundary keys are admitted: exactly 2048 and 16384 bits, e = 65537 and a large odd e")
    func boundaryKeys() throws {
        let largest = [0x80] + [UInt8](repeating: 0xA5, count: 2046) + [0x01]
        #expect(try RSAPublicKey(modulus: largest, exponent: [1, 0, 1]).modulusBits == 16384)
        #expect(try RSAPublicKey(modulus: Self.signingKey.modulus, exponent: [1, 0, 1]).modulusBits == 2048)
        #expect(try RSAPublicKey(modulus: Self.signingKey.modulus, exponent: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).exponentBytes.count == 8)
    }

    @Test("leading zero bytes are ignored: same key, same hash, still verifies")
    func leadingZeros() throws {
        let plain = try RSAPublicKey(modulus: Self.signingKey.modulus, exponent: [1, 0, 1])
        let padded = try RSAPublicKey(modulus: [0, 0] + Self.signingKey.modulus, exponent: [0, 0, 1, 0, 1])
        #expect(plain == padded)
        #expect(plain.hashValue == padded.hashValue)
        #expect(Set([plain, padded]).count == 1)
        #expect(padded.modulusBytes == Self.signingKey.modulus)
        #expect(padded.exponentBytes == [1, 0, 1])
        #expect(padded.isValidRS256Signature(Self.signingKey.sign(Self.message), for: Self.message))
    }

    // MARK: Memory and concurrency

    @Test("building and dropping a key 10,000 times does not crash or leak state")
    func buildAndDrop() throws {
        let modulus = Self.signingKey.modulus
        let exponent = Self.signingKey.exponent
        let signature = Self.signingKey.sign(Self.message)
        var verified = 0
        for iteration in 0..<10_000 {
            let key = try RSAPublicKey(modulus: modulus, exponent: exponent)
            if iteration % 500 == 0, key.isValidRS256Signature(signature, for: Self.message) { verified += 1 }
            // Refusals on the way do not disturb the next build.
            if iteration % 1000 == 0 {
                #expect(throws: StytchJWTError(.malformed, "")) { try RSAPublicKey(modulus: modulus, exponent: [3]) }
            }
        }
        #expect(verified == 20)
    }

    @Test("1,000 concurrent verifications with one shared key all succeed; tampered ones fail")
    func concurrentVerification() async throws {
        let key = try Self.signingKey.publicKey()
        let messages = (0..<10).map { Array("message-\($0)".utf8) }
        let signatures = messages.map { Self.signingKey.sign($0) }
        let (valid, rejectedTampered) = await withTaskGroup(of: (Bool, Bool).self) { group in
            for index in 0..<1000 {
                group.addTask {
                    let message = messages[index % messages.count]
                    let signature = signatures[index % signatures.count]
                    let good = key.isValidRS256Signature(signature, for: message)
                    var tampered = signature
                    tampered[index % tampered.count] ^= 0x01
                    let bad = key.isValidRS256Signature(tampered, for: message)
                    return (good, !bad)
                }
            }
            var valid = 0
            var rejectedTampered = 0
            for await (good, refused) in group {
                if good { valid += 1 }
                if refused { rejectedTampered += 1 }
            }
            return (valid, rejectedTampered)
        }
        #expect(valid == 1000)
        #expect(rejectedTampered == 1000)
    }

    @Test("keys built concurrently each verify")
    func concurrentConstruction() async throws {
        let modulus = Self.signingKey.modulus
        let signature = Self.signingKey.sign(Self.message)
        let message = Self.message
        let count = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    guard let key = try? RSAPublicKey(modulus: modulus, exponent: [1, 0, 1]) else { return false }
                    return key.isValidRS256Signature(signature, for: message)
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(count == 200)
    }
}

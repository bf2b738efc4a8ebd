import CStytchShims
import Foundation
import StytchJWTCore
import Testing

@Suite("Base64URL")
struct Base64URLTests {
    @Test("RFC 4648 test vectors, unpadded", arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test("the URL-safe alphabet is used: - and _ for 62 and 63")
    func urlAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64URL.encode([0xFF, 0xFF, 0xFF]) == "____")
        #expect(Base64URL.decode("____") == [0xFF, 0xFF, 0xFF])
    }

    @Test("padding is refused", arguments: ["Zg==", "Zg=", "Zm8=", "Zm9v====", "=", "==", "Zm9v=", "Z=g"])
    func padding(input: String) {
        #expect(Base64URL.decode(input) == nil)
    }

    @Test("the standard alphabet's + and / are refused", arguments: ["+_8", "-/8", "++++", "////", "Zm9+", "a/"])
    func standardAlphabet(input: String) {
        #expect(Base64URL.decode(input) == nil)
    }

    @Test("whitespace is refused anywhere", arguments: [" Zm9v", "Zm9v ", "Zm 9v", "Zm9v\n", "\tZm9v", "Zm9v\r\n", "Zm\u{0B}9v"])
    func whitespace(input: String) {
        #expect(Base64URL.decode(input) == nil)
    }

    @Test("other characters are refused", arguments: ["Zm9v.", "Zm9v#", "Zm9v?", "é", "Zm9v\u{0}", "Zg%3D", "Zm9\u{FF21}"])
    func otherCharacters(input: String) {
        #expect(Base64URL.decode(input) == nil)
    }

    @Test("a length of 1 mod 4 is refused", arguments: ["A", "Z", "AAAAA", "Zm9vY", "Zm9vYmFyY"])
    func impossibleLength(input: String) {
        #expect(input.utf8.count % 4 == 1)
        #expect(Base64URL.decode(input) == nil)
    }

    @Test("non-zero unused trailing bits are refused")
    func trailingBits() {
        // "QQ" is the canonical encoding of "A" (0x41); "QR".."QZ" differ only in the 4 unused bits.
        #expect(Base64URL.decode("QQ") == [0x41])
        for last in ["R", "S", "T", "U", "V", "W", "X", "Y", "Z", "a", "f", "_"] {
            #expect(Base64URL.decode("Q" + last) == nil, "Q\(last)")
        }
        // Two bytes leave 2 unused bits: "QUE" is canonical for "AA"; "QUF", "QUG", "QUH" are not.
        #expect(Base64URL.decode("QUE") == [0x41, 0x41])
        for last in ["F", "G", "H"] {
            #expect(Base64URL.decode("QU" + last) == nil, "QU\(last)")
        }
        // Every byte string has exactly one accepted encoding.
        for value in UInt8.min...UInt8.max {
            let canonical = Base64URL.encode([value])
            var accepted = 0
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
            for character in alphabet where Base64URL.decode(String(canonical.first!) + String(character)) == [value] {
                accepted += 1
            }
            #expect(accepted == 1, "byte \(value)")
        }
    }

    @Test("empty input decodes to no bytes")
    func empty() {
        #expect(Base64URL.decode("") == [])
        #expect(Base64URL.decode([UInt8]()) == [])
        #expect(Base64URL.encode([UInt8]()) == "")
    }

    @Test("decode(encode(bytes)) == bytes for random bytes of every length 0...64")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...64 {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
                let encoded = Base64URL.encode(bytes)
                #expect(encoded.utf8.count == (length * 4 + 2) / 3, "length \(length)")
                #expect(!encoded.contains("="))
                #expect(encoded.utf8.allSatisfy { $0.isBase64URLCharacter })
                #expect(Base64URL.decode(encoded) == bytes, "length \(length)")
                #expect(Base64URL.decode(Array(encoded.utf8)) == bytes, "length \(length)")
                // Foundation agrees after translating the alphabet and restoring padding.
                var standard = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
                #expect(Data(base64Encoded: standard).map { [UInt8]($0) } == bytes, "length \(length)")
            }
        }
    }

    /// The decoder reads eight characters per step while three or more groups remain, then four,
    /// then the last two or three, and tests the groups' invalid marks once at the end: a bad
    /// character at any position, in any of those steps, is refused.
    @Test("one bad character anywhere in a long input is refused")
    func badCharacterAtEveryPosition() {
        let valid = Array(Base64URL.encode((0..<50).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }).utf8)  // 67 characters
        #expect(Base64URL.decode(valid) != nil)
        var refused = 0
        for position in valid.indices {
            for bad: UInt8 in [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "."), 0x20, 0x00, 0x80, 0xFF] {
                var input = valid
                input[position] = bad
                #expect(Base64URL.decode(input) == nil, "byte \(bad) at \(position)")
                refused += Base64URL.decode(input) == nil ? 1 : 0
            }
        }
        #expect(refused == valid.count * 8)
    }

    /// `decode(_:into:)` may write one scratch byte past the decoded bytes, and never more; a
    /// buffer without that room is refused before anything is written.
    @Test("decoding into a buffer writes at most one byte past the output, and refuses a buffer too small")
    func decodeIntoStaysInBounds() {
        for length in 0...160 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 101 &+ 7) }
            let encoded = Array(Base64URL.encode(bytes).utf8)
            let count = Base64URL.decodedCount(encoded.count)!
            var buffer = [UInt8](repeating: 0xA5, count: count + 1 + 16)
            let valid = encoded.withUnsafeBufferPointer { input in
                buffer.withUnsafeMutableBufferPointer { Base64URL.decode(input, into: UnsafeMutableBufferPointer(rebasing: $0[..<(count + 1)])) }
            }
            #expect(valid)
            #expect(Array(buffer[..<count]) == bytes, "length \(length)")
            #expect(buffer[(count + 1)...].allSatisfy { $0 == 0xA5 }, "length \(length) wrote past its scratch byte")
            for level in Self.levels {
                var small = [UInt8](repeating: 0xA5, count: count + 16)
                let refused = encoded.withUnsafeBufferPointer { input in
                    small.withUnsafeMutableBufferPointer { output in
                        !Base64URL.decode(input, into: UnsafeMutableBufferPointer(rebasing: output[..<count]), vectorLevel: level == 0 ? nil : level)
                            && !Base64URL.decodeWithTables(input, into: UnsafeMutableBufferPointer(rebasing: output[..<count]))
                    }
                }
                #expect(refused, "length \(length), level \(level): a buffer without the scratch byte was accepted")
                #expect(small.allSatisfy { $0 == 0xA5 }, "length \(length), level \(level): wrote into a buffer it refused")
            }
        }
    }

    /// The C block decoders check the capacity they are given themselves, whatever their caller
    /// did: one byte short of the blocks' output is refused before anything is read or written.
    @Test("the C block decoders refuse a destination smaller than their output, at every level")
    func cDecodersCheckTheirCapacity() {
        let input = Array(Base64URL.encode((0..<96).map { UInt8(truncatingIfNeeded: $0 &* 7) }).utf8)  // 128 characters: 8 blocks
        for level in 0...2 {
            var output = [UInt8](repeating: 0xA5, count: 96)
            let result = input.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { destination in
                    level == 0
                        ? stytch_base64url_decode_blocks(source.baseAddress, source.count, destination.baseAddress, 95)
                        : stytch_base64url_decode_blocks_at_level(Int32(level), source.baseAddress, source.count, destination.baseAddress, 95)
                }
            }
            #expect(result == -2, "level \(level)")
            #expect(output.allSatisfy { $0 == 0xA5 }, "level \(level): wrote with too small a capacity")
            let nullDestination = input.withUnsafeBufferPointer { stytch_base64url_decode_blocks($0.baseAddress, $0.count, nil, 96) }
            #expect(nullDestination == -2)
            // With exactly the room it needs, it decodes every block (on a machine that has the level).
            let decoded = input.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { stytch_base64url_decode_blocks(source.baseAddress, source.count, $0.baseAddress, 96) }
            }
            #expect(decoded == (Base64URL.vectorLevel > 0 ? 128 : 0))
        }
        // The plain-run scan refuses a start at or past the end instead of reading there.
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 40)
        bytes.withUnsafeBufferPointer { buffer in
            #expect(stytch_plain_run_end(buffer.baseAddress, 40, 40) == 40)
            #expect(stytch_plain_run_end(buffer.baseAddress, 40, 1_000) == 1_000)
            #expect(stytch_plain_run_end(nil, 40, 0) == 0)
        }
    }

    /// The vectorised decoder takes whole 16-character blocks (32 at a time with AVX2); the table
    /// decoder the rest. At every vector level this machine has, every byte value at every
    /// position of a block (so every pair of nibbles the shuffle tables classify) is accepted
    /// exactly when it is in the alphabet, and decodes to the same bytes as the tables.
    @Test("vectorised blocks: every byte value at every block position agrees with the tables, at every level")
    func vectorisedBlocksAgreeWithTables() {
        #if arch(x86_64)
        // Every x86-64 machine this runs on has SSSE3; without it this suite would test nothing new.
        #expect(Base64URL.vectorLevel >= 1)
        #endif
        // 72 characters: two 32-character AVX2 steps and a tail, or four SSSE3 blocks and a tail.
        let valid = Array(Base64URL.encode((0..<54).map { UInt8(truncatingIfNeeded: $0 &* 53 &+ 3) }).utf8)
        for level in Self.levels {
            var mismatches = 0, accepted = 0
            for position in [0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 71] {
                for byte in UInt8.min...UInt8.max {
                    var input = valid
                    input[position] = byte
                    let (vectorised, tables) = Self.decodeBothWays(input, level: level)
                    if vectorised != tables { mismatches += 1 }
                    if byte.isBase64URLCharacter != (vectorised != nil) { mismatches += 1 }
                    if vectorised != nil { accepted += 1 }
                }
            }
            #expect(mismatches == 0, "level \(level)")
            #expect(accepted == 15 * 64, "level \(level)")
        }
    }

    @Test("vectorised blocks: random inputs of 0...300 characters, valid and corrupted, decode as the tables do, at every level")
    func vectorisedRandomAgreesWithTables() {
        var generator = SystemRandomNumberGenerator()
        for level in Self.levels {
            var mismatches = 0, valid = 0, invalid = 0
            for length in 0...300 {
                for round in 0..<6 {
                    let bytes = (0..<(length * 3 / 4)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
                    var input = Array(Base64URL.encode(bytes).utf8)
                    if round >= 3, !input.isEmpty {
                        input[Int.random(in: 0..<input.count, using: &generator)] = UInt8.random(in: .min ... .max, using: &generator)
                    }
                    let (vectorised, tables) = Self.decodeBothWays(input, level: level)
                    if vectorised != tables { mismatches += 1 }
                    if round < 3, vectorised != bytes { mismatches += 1 }
                    if vectorised == nil { invalid += 1 } else { valid += 1 }
                }
            }
            #expect(mismatches == 0, "level \(level)")
            #expect(valid > 301 * 3 && invalid > 0, "level \(level)")
        }
    }

    /// A length no encoding has (one more than a multiple of four) is refused before anything is
    /// written: the caller sized the output by `decodedCount`, which has no room for it.
    @Test("an impossible length writes nothing, however long, at every level")
    func impossibleLengthWritesNothing() {
        for level in Self.levels {
            for length in stride(from: 17, through: 101, by: 4) {
                let input = [UInt8](repeating: UInt8(ascii: "A"), count: length)
                var output = [UInt8](repeating: 0xA5, count: 64)
                let valid = input.withUnsafeBufferPointer { source in
                    output.withUnsafeMutableBufferPointer { buffer in
                        Base64URL.decode(source, into: buffer, vectorLevel: level == 0 ? nil : level)
                    }
                }
                #expect(!valid, "length \(length), level \(level)")
                #expect(output.allSatisfy { $0 == 0xA5 }, "length \(length), level \(level): wrote into the output")
            }
        }
    }

    /// The vector levels to test: 0 (the default choice) and each level this machine has.
    private static var levels: [Int] { [0] + Array(stride(from: 1, through: Base64URL.vectorLevel, by: 1)) }

    /// The input decoded by `decode(_:into:)` (at `level`; 0 for the default) and by the table
    /// decoder alone, nil when refused. Writing past the scratch byte counts as a wrong result.
    private static func decodeBothWays(_ input: [UInt8], level: Int) -> (vectorised: [UInt8]?, tables: [UInt8]?) {
        guard let count = Base64URL.decodedCount(input.count) else { return (Base64URL.decode(input), nil) }
        func run(_ decode: (UnsafeBufferPointer<UInt8>, UnsafeMutableBufferPointer<UInt8>) -> Bool) -> [UInt8]? {
            var output = [UInt8](repeating: 0xA5, count: count + 1 + 32)
            let ok = input.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { decode(source, UnsafeMutableBufferPointer(rebasing: $0[..<(count + 1)])) }
            }
            guard output[(count + 1)...].allSatisfy({ $0 == 0xA5 }) else { return [0xBA, 0xD0] }
            return ok ? Array(output[..<count]) : nil
        }
        let vectorised = level == 0
            ? run(Base64URL.decode(_:into:))
            : run { Base64URL.decode($0, into: $1, vectorLevel: level) }
        return (vectorised, run(Base64URL.decodeWithTables(_:into:)))
    }

    @Test("encoding reads any collection of bytes alike: contiguous or not")
    func encodeCollections() {
        let bytes = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 29 &+ 5) }
        let expected = Base64URL.encode(bytes)
        #expect(Base64URL.decode(expected) == bytes)
        #expect(Base64URL.encode(bytes[...]) == expected)
        #expect(Base64URL.encode(bytes.lazy.map { $0 }) == expected)  // not contiguous: copied once
        #expect(Base64URL.encode(UInt8(0)...UInt8(255)) == Base64URL.encode(Array(UInt8(0)...UInt8(255))))
        #expect(Base64URL.encode(Data([0xFB, 0xFF])) == "-_8")
    }

    @Test("decoding works on slices, as the token parser uses it")
    func slices() {
        let token = Array("Zm9v.YmFy.".utf8)
        #expect(Base64URL.decode(token[0..<4]) == Array("foo".utf8))
        #expect(Base64URL.decode(token[5..<9]) == Array("bar".utf8))
        #expect(Base64URL.decode(token[10...]) == [])
    }
}

extension UInt8 {
    fileprivate var isBase64URLCharacter: Bool {
        switch self {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}

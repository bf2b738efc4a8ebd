import CStytchShims
import Testing

/// `stytch_sha256_digest`, the token cache's key, checks its own bounds like every C entry point.
@Suite("SHA-256 shim")
struct SHA256ShimTests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    @Test("FIPS 180-2 vectors, and the empty message with no buffer at all")
    func vectors() {
        let cases: [([UInt8]?, String)] = [
            (Array("abc".utf8), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8),
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            (nil, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ]
        for (message, expected) in cases {
            var digest = [UInt8](repeating: 0, count: Int(STYTCH_SHA256_DIGEST_LENGTH))
            let status = digest.withUnsafeMutableBufferPointer { out in
                if let message {
                    message.withUnsafeBufferPointer { stytch_sha256_digest($0.baseAddress, $0.count, out.baseAddress, out.count) }
                } else {
                    stytch_sha256_digest(nil, 0, out.baseAddress, out.count)
                }
            }
            #expect(status == 0)
            #expect(Self.hex(digest) == expected)
        }
    }

    @Test("too small a digest buffer, no buffer, or a length without a message: -1, nothing written")
    func refusals() {
        let message = Array("abc".utf8)
        var small = [UInt8](repeating: 0xA5, count: Int(STYTCH_SHA256_DIGEST_LENGTH) - 1)
        let tooSmall = small.withUnsafeMutableBufferPointer { out in
            message.withUnsafeBufferPointer { stytch_sha256_digest($0.baseAddress, $0.count, out.baseAddress, out.count) }
        }
        #expect(tooSmall == -1)
        #expect(small.allSatisfy { $0 == 0xA5 })
        let noBuffer = message.withUnsafeBufferPointer { stytch_sha256_digest($0.baseAddress, $0.count, nil, 32) }
        #expect(noBuffer == -1)
        var digest = [UInt8](repeating: 0xA5, count: Int(STYTCH_SHA256_DIGEST_LENGTH))
        let noMessage = digest.withUnsafeMutableBufferPointer { stytch_sha256_digest(nil, 3, $0.baseAddress, $0.count) }
        #expect(noMessage == -1)
        #expect(digest.allSatisfy { $0 == 0xA5 })
    }
}

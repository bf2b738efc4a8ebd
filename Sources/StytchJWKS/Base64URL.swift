/// Strict base64url (RFC 4648 §5) as JOSE uses it: alphabet `A-Z a-z 0-9 - _`, no padding, no
/// whitespace, and the unused bits of the last character must be zero, so every byte string has
/// exactly one accepted encoding.
package enum Base64URL {
    private static let invalid: UInt8 = 0xFF

    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Decodes `input`, or returns nil if it is not canonical unpadded base64url.
    ///
    /// Concrete (not generic) so that callers in other modules get the specialised loop.
    package static func decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = input.count
        if count % 4 == 1 { return nil }
        return decodeTable.withUnsafeBufferPointer { table -> [UInt8]? in
            var output = [UInt8](repeating: 0, count: count * 3 / 4)
            var written = 0
            var accumulator: UInt32 = 0
            var bits: UInt32 = 0
            let valid = output.withUnsafeMutableBufferPointer { out -> Bool in
                for byte in input {
                    let value = table[Int(byte)]
                    if value == invalid { return false }
                    accumulator = (accumulator << 6) | UInt32(value)
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        out[written] = UInt8(truncatingIfNeeded: accumulator >> bits)
                        written += 1
                        accumulator &= (1 << bits) - 1
                    }
                }
                // Whatever is left over must be zero bits: otherwise two encodings would decode alike.
                return accumulator == 0
            }
            guard valid else { return nil }
            output.removeLast(output.count - written)
            return output
        }
    }

    /// Decodes a slice of bytes, or returns nil if it is not canonical unpadded base64url.
    package static func decode(_ input: ArraySlice<UInt8>) -> [UInt8]? {
        input.withUnsafeBufferPointer { decode($0) }
    }

    /// Decodes bytes, or returns nil if they are not canonical unpadded base64url.
    package static func decode(_ input: [UInt8]) -> [UInt8]? {
        input.withUnsafeBufferPointer { decode($0) }
    }

    /// Decodes a string, or returns nil if it is not canonical unpadded base64url.
    package static func decode(_ string: some StringProtocol) -> [UInt8]? {
        decode(Array(string.utf8))
    }

    /// Encodes `bytes` without padding.
    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output = [UInt8]()
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in bytes {
            accumulator = (accumulator << 8) | UInt32(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                output.append(alphabet[Int((accumulator >> UInt32(bits)) & 0x3F)])
            }
            accumulator &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 { output.append(alphabet[Int((accumulator << UInt32(6 - bits)) & 0x3F)]) }
        return String(decoding: output, as: UTF8.self)
    }
}

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
    /// Concrete (not generic) so that callers in other modules get the specialised loop. Four
    /// characters (three bytes) per step through a 256-entry table; an invalid character has the
    /// table's high bit set, so one test per group finds it.
    package static func decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = input.count
        let remainder = count & 3
        if remainder == 1 { return nil }
        let groups = count >> 2
        let outputCount = groups * 3 + (remainder == 0 ? 0 : remainder - 1)
        return decodeTable.withUnsafeBufferPointer { table -> [UInt8]? in
            guard let table = table.baseAddress, let source = input.baseAddress else { return count == 0 ? [] : nil }
            var valid = true
            let output = [UInt8](unsafeUninitializedCapacity: outputCount) { out, initialized in
                guard let out = out.baseAddress else { initialized = 0; return }
                var inputIndex = 0
                var outputIndex = 0
                for _ in 0..<groups {
                    let a = table[Int(source[inputIndex])]
                    let b = table[Int(source[inputIndex &+ 1])]
                    let c = table[Int(source[inputIndex &+ 2])]
                    let d = table[Int(source[inputIndex &+ 3])]
                    if (a | b | c | d) & 0x80 != 0 { valid = false; break }
                    let word = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    out[outputIndex] = UInt8(truncatingIfNeeded: word >> 16)
                    out[outputIndex &+ 1] = UInt8(truncatingIfNeeded: word >> 8)
                    out[outputIndex &+ 2] = UInt8(truncatingIfNeeded: word)
                    inputIndex &+= 4
                    outputIndex &+= 3
                }
                if valid, remainder != 0 {
                    let a = table[Int(source[inputIndex])]
                    let b = table[Int(source[inputIndex &+ 1])]
                    let c = remainder == 3 ? table[Int(source[inputIndex &+ 2])] : 0
                    if (a | b | c) & 0x80 != 0 {
                        valid = false
                    } else if remainder == 2 {
                        // 12 bits for one byte: the low 4 bits of the last character must be zero,
                        // otherwise two encodings would decode alike.
                        if b & 0x0F != 0 { valid = false } else {
                            out[outputIndex] = a << 2 | b >> 4
                            outputIndex &+= 1
                        }
                    } else {
                        // 18 bits for two bytes: the low 2 bits of the last character must be zero.
                        if c & 0x03 != 0 { valid = false } else {
                            out[outputIndex] = a << 2 | b >> 4
                            out[outputIndex &+ 1] = (b & 0x0F) << 4 | c >> 2
                            outputIndex &+= 2
                        }
                    }
                }
                // Only fully written bytes count as initialized (UInt8 needs no deinitialization).
                initialized = valid ? outputCount : 0
            }
            return valid ? output : nil
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

internal import CStytchShims

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

    /// The decoding table four times over, pre-shifted for each position of a four-character
    /// group: entry `256 * k + c` holds character `c`'s six bits at bits `18 - 6k` of the group's
    /// 24, or an invalid mark in the top byte. A group then decodes with four loads and three ORs.
    private static let shiftedTables: [UInt32] = {
        var tables = [UInt32](repeating: 0xFF00_0000, count: 4 * 256)
        for position in 0..<4 {
            for (character, value) in decodeTable.enumerated() where value != invalid {
                tables[256 * position + character] = UInt32(value) << UInt32(18 - 6 * position)
            }
        }
        return tables
    }()

    /// The number of bytes `count` characters of unpadded base64url decode to, or nil when no
    /// encoding has that length (a remainder of one character).
    package static func decodedCount(_ count: Int) -> Int? {
        let remainder = count & 3
        if remainder == 1 { return nil }
        return (count >> 2) * 3 + (remainder == 0 ? 0 : remainder - 1)
    }

    /// Decodes `input`, or returns nil if it is not canonical unpadded base64url.
    package static func decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let outputCount = decodedCount(input.count) else { return nil }
        var valid = false
        let output = [UInt8](unsafeUninitializedCapacity: outputCount + 1) { out, initialized in
            valid = decode(input, into: out)
            // Only fully written bytes count as initialized (UInt8 needs no deinitialization).
            initialized = valid ? outputCount : 0
        }
        return valid ? output : nil
    }

    /// Decodes `input` into the start of `output` and says whether `input` was canonical unpadded
    /// base64url. `output` needs room for `decodedCount(input.count)` bytes plus one, written as
    /// scratch; a smaller one is refused (false) before anything is written.
    ///
    /// Whole 16-character blocks go to the vectorised decoder where the processor has one (AVX2
    /// or SSSE3: several times faster than the table loop on a token's payload); the rest, and
    /// everything on other machines, to ``decodeWithTables(_:into:)``. Both apply the same rules.
    package static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        decode(input, into: output, vectorLevel: nil)
    }

    /// The vector level ``decode(_:into:)`` uses on this machine: 0 none, 1 SSSE3, 2 AVX2.
    package static var vectorLevel: Int { Int(stytch_base64url_vector_level()) }

    /// ``decode(_:into:)`` with the vectorised blocks at `level` (1 SSSE3, 2 AVX2; at most
    /// ``vectorLevel``; nil for the best), so that tests cover every level this machine has.
    package static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>, vectorLevel level: Int?) -> Bool {
        guard let count = decodedCount(input.count), output.count > count, let destination = output.baseAddress else { return false }
        guard input.count >= 16, let source = input.baseAddress else { return decodeWithTables(input, into: output) }
        let decoded = if let level {
            stytch_base64url_decode_blocks_at_level(Int32(level), source, input.count, destination, output.count)
        } else {
            stytch_base64url_decode_blocks(source, input.count, destination, output.count)
        }
        guard decoded >= 0 else { return false }
        let rest = decoded / 4 * 3
        return decodeWithTables(UnsafeBufferPointer(rebasing: input[decoded...]), into: UnsafeMutableBufferPointer(rebasing: output[rest...]))
    }

    /// ``decode(_:into:)`` without the vectorised blocks: the table decoder alone (also what tests
    /// compare the vectorised path with), with the same room needed in `buffer`.
    ///
    /// Concrete (not generic) so that callers in other modules get the specialised loop. Each
    /// four-character group decodes through the pre-shifted tables with four lookups and three
    /// ORs, eight characters per step, and is written with one store whose spare bytes the next
    /// store overwrites; an invalid character sets the group's top byte, tested once at the end.
    package static func decodeWithTables(_ input: UnsafeBufferPointer<UInt8>, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        let count = input.count
        // Room for every byte plus the one the last store spills into.
        guard let outputCount = decodedCount(count), buffer.count > outputCount, let output = buffer.baseAddress else { return false }
        guard let source = input.baseAddress else { return true }
        let remainder = count & 3
        let groups = count >> 2
        return shiftedTables.withUnsafeBufferPointer { shifted in decodeTable.withUnsafeBufferPointer { table -> Bool in
            let shifted = shifted.baseAddress!, table = table.baseAddress!
            let raw = UnsafeMutableRawPointer(output)
            var inputIndex = 0
            var outputIndex = 0
            var remainingGroups = groups
            // Invalid characters set the top byte of their group; the marks are gathered and
            // tested once at the end (bytes written before then are discarded with the result).
            var marks: UInt32 = 0
            @inline(__always) func group(at index: Int) -> UInt32 {
                shifted[Int(source[index])] | shifted[256 &+ Int(source[index &+ 1])]
                    | shifted[512 &+ Int(source[index &+ 2])] | shifted[768 &+ Int(source[index &+ 3])]
            }
            // Two groups per step while at least three remain: six bytes written with one
            // eight-byte store whose last two bytes the next group's store overwrites.
            while remainingGroups >= 3 {
                let first = group(at: inputIndex), second = group(at: inputIndex &+ 4)
                marks |= first | second
                raw.storeBytes(of: (UInt64(first) &<< 40 | UInt64(second) &<< 16).bigEndian, toByteOffset: outputIndex, as: UInt64.self)
                inputIndex &+= 8
                outputIndex &+= 6
                remainingGroups &-= 2
            }
            for _ in 0..<remainingGroups {
                let word = group(at: inputIndex)
                marks |= word
                // Big-endian bytes of the 24 bits, then a byte the next group's store overwrites.
                raw.storeBytes(of: (word &<< 8).bigEndian, toByteOffset: outputIndex, as: UInt32.self)
                inputIndex &+= 4
                outputIndex &+= 3
            }
            if marks & 0xFF00_0000 != 0 { return false }
            guard remainder != 0 else { return true }
            let a = table[Int(source[inputIndex])]
            let b = table[Int(source[inputIndex &+ 1])]
            let c = remainder == 3 ? table[Int(source[inputIndex &+ 2])] : 0
            if (a | b | c) & 0x80 != 0 { return false }
            if remainder == 2 {
                // 12 bits for one byte: the low 4 bits of the last character must be zero,
                // otherwise two encodings would decode alike.
                guard b & 0x0F == 0 else { return false }
                output[outputIndex] = a << 2 | b >> 4
            } else {
                // 18 bits for two bytes: the low 2 bits of the last character must be zero.
                guard c & 0x03 == 0 else { return false }
                output[outputIndex] = a << 2 | b >> 4
                output[outputIndex &+ 1] = (b & 0x0F) << 4 | c >> 2
            }
            return true
        } }
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
        // One call through the generic collection, then a concrete loop (an unspecialised loop over
        // a generic collection would pay a witness call, and allocate, for every byte).
        if let encoded = bytes.withContiguousStorageIfAvailable({ encode(buffer: $0) }) { return encoded }
        return Array(bytes).withUnsafeBufferPointer { encode(buffer: $0) }
    }

    private static func encode(buffer bytes: UnsafeBufferPointer<UInt8>) -> String {
        let count = (bytes.count * 4 + 2) / 3
        return alphabet.withUnsafeBufferPointer { alphabet in
            String(unsafeUninitializedCapacity: count) { output in
                var written = 0
                var accumulator: UInt32 = 0
                var bits = 0
                for byte in bytes {
                    accumulator = (accumulator << 8) | UInt32(byte)
                    bits += 8
                    while bits >= 6 {
                        bits -= 6
                        output[written] = alphabet[Int((accumulator >> UInt32(bits)) & 0x3F)]
                        written += 1
                    }
                    accumulator &= (1 << UInt32(bits)) - 1
                }
                if bits > 0 {
                    output[written] = alphabet[Int((accumulator << UInt32(6 - bits)) & 0x3F)]
                    written += 1
                }
                return written
            }
        }
    }
}

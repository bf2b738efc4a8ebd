internal import CStytchShims
/// A strict RFC 8259 parser for untrusted JSON: UTF-8 only, no byte-order mark, no duplicate member
/// names at any depth (compared after unescaping), bounded nesting, nothing after the value.
///
/// Foundation's decoders silently keep one of two duplicate members; an attacker who can make a
/// verifier and another component disagree on which one wins has a bypass. So this parser refuses.
package struct StrictJSON {
    /// Why a document was refused. Never carries document content, so it is safe to log.
    package enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case byteOrderMark
        case invalidUTF8
        case unexpectedByte(offset: Int)
        case unexpectedEnd
        case invalidEscape(offset: Int)
        case invalidNumber(offset: Int)
        case duplicateMember(depth: Int)
        case tooDeep(limit: Int)
        case trailingContent(offset: Int)
        case notAnObject

        package var description: String {
            switch self {
            case .empty: "empty document"
            case .byteOrderMark: "byte-order mark before the JSON text"
            case .invalidUTF8: "text is not valid UTF-8"
            case .unexpectedByte(let offset): "unexpected character at byte \(offset)"
            case .unexpectedEnd: "unexpected end of the JSON text"
            case .invalidEscape(let offset): "invalid string escape at byte \(offset)"
            case .invalidNumber(let offset): "invalid number at byte \(offset)"
            case .duplicateMember(let depth): "duplicate member name at depth \(depth)"
            case .tooDeep(let limit): "nesting deeper than \(limit) levels"
            case .trailingContent(let offset): "content after the JSON value at byte \(offset)"
            case .notAnObject: "not a JSON object"
            }
        }
    }

    /// Parses `bytes` as one JSON value nested at most `maximumDepth` levels.
    package static func parse(_ bytes: [UInt8], maximumDepth: Int) throws(Failure) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> JSONValue in
            var parser = StrictJSON(bytes: buffer, maximumDepth: maximumDepth)
            return try parser.parseDocument()
        }
    }

    /// Parses `bytes`, which must hold a JSON object.
    package static func parseObject(_ bytes: [UInt8], maximumDepth: Int) throws(Failure) -> [String: JSONValue] {
        guard case .object(let members) = try parse(bytes, maximumDepth: maximumDepth) else {
            throw .notAnObject
        }
        return members
    }

    /// Parses the one JSON value that starts at `index` in `bytes` (after any whitespace), inside
    /// containers already `depth` levels deep, under exactly the rules of ``parse(_:maximumDepth:)``,
    /// and moves `index` past it. For readers that walk a known document shape themselves and hand
    /// the parts they do not interpret to this parser (the token reader of verification).
    package static func parseValue(
        in bytes: UnsafeBufferPointer<UInt8>, at index: inout Int, depth: Int, maximumDepth: Int
    ) throws(Failure) -> JSONValue {
        var parser = StrictJSON(bytes: bytes, maximumDepth: maximumDepth)
        parser.index = index
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: depth)
        index = parser.index
        return value
    }

    /// Parses the string whose opening quote is at `index` in `bytes` (escapes decoded, UTF-8
    /// validated) and moves `index` past its closing quote.
    package static func parseString(in bytes: UnsafeBufferPointer<UInt8>, at index: inout Int) throws(Failure) -> String {
        var parser = StrictJSON(bytes: bytes, maximumDepth: 0)
        parser.index = index
        let string = try parser.parseString()
        index = parser.index
        return string
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let maximumDepth: Int
    private var index = 0

    private init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    private mutating func parseDocument() throws(Failure) -> JSONValue {
        if bytes.isEmpty { throw .empty }
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { throw .byteOrderMark }
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if index != bytes.count { throw .trailingContent(offset: index) }
        return value
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func peek() throws(Failure) -> UInt8 {
        guard index < bytes.count else { throw .unexpectedEnd }
        return bytes[index]
    }

    private mutating func parseValue(depth: Int) throws(Failure) -> JSONValue {
        switch try peek() {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw .unexpectedByte(offset: index)
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw .unexpectedEnd }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw .unexpectedByte(offset: index + offset)
        }
        index += count
    }

    /// Members of the objects being parsed, innermost last: each open object owns the entries from
    /// the count it started at. Collecting them first lets each object's dictionary be allocated
    /// once at its final size (no rehashing of every name on growth), and one buffer serves every
    /// object of the document.
    private var pending: [JSONMember] = []

    /// Up to this many members, duplicates are found by comparing with the object's earlier names;
    /// beyond it, the object switches to a dictionary that finds them by hashing.
    private static let linearMemberLimit = 16

    private mutating func parseObject(depth: Int) throws(Failure) -> JSONValue {
        let base = pending.count
        defer { pending.removeSubrange(base...) }
        if let large = try parseMembers(depth: depth) { return .object(large) }
        var members: [String: JSONValue] = [:]
        members.reserveCapacity(pending.count - base)
        for member in pending[base...] { members[member.name] = member.value }
        return .object(members)
    }

    /// Parses an object's members (at `{`). A small object's members are left in `pending` from
    /// the count on entry, for the caller to take; a large one's come back as a dictionary.
    private mutating func parseMembers(depth: Int) throws(Failure) -> [String: JSONValue]? {
        if depth > maximumDepth { throw .tooDeep(limit: maximumDepth) }
        index += 1  // {
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            index += 1
            return nil
        }
        let base = pending.count
        // One allocation for the usual JWT object, instead of growing 1, 2, 4, 8; small enough
        // (8 members, under 0.5 KiB) for the allocator's per-thread cache of small blocks.
        if pending.capacity == 0 { pending.reserveCapacity(8) }
        // Large objects only: every member so far, by name (duplicates found by hashing).
        var members: [String: JSONValue] = [:]
        var isLarge = false
        while true {
            skipWhitespace()
            guard try peek() == UInt8(ascii: "\"") else { throw .unexpectedByte(offset: index) }
            let name = try parseString()
            let nameIsASCII = lastStringIsASCII
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw .unexpectedByte(offset: index) }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            // The duplicate check comes after the value, as it always has: a malformed value is
            // reported before a repeated name. Names compare as Swift strings (as dictionary keys
            // do); two ASCII names of different lengths cannot be equal, so only equal lengths
            // are compared in full.
            if isLarge {
                if members.updateValue(value, forKey: name) != nil { throw .duplicateMember(depth: depth) }
            } else {
                let length = name.utf8.count
                for existing in base..<pending.count {
                    let other = pending[existing]
                    if nameIsASCII, other.isASCII, other.name.utf8.count != length { continue }
                    if other.name == name { throw .duplicateMember(depth: depth) }
                }
                pending.append(JSONMember(name: name, value: value, isASCII: nameIsASCII))
                if pending.count - base > Self.linearMemberLimit {
                    members.reserveCapacity(2 * Self.linearMemberLimit)
                    for member in pending[base...] { members[member.name] = member.value }
                    pending.removeSubrange(base...)
                    isLarge = true
                }
            }
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return isLarge ? members : nil
            default: throw .unexpectedByte(offset: index)
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(Failure) -> JSONValue {
        if depth > maximumDepth { throw .tooDeep(limit: maximumDepth) }
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(elements)
            default: throw .unexpectedByte(offset: index)
            }
        }
    }

    private mutating func parseNumber() throws(Failure) -> JSONNumber {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw .invalidNumber(offset: start) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if isDigit(bytes[index]) {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        } else {
            throw .invalidNumber(offset: start)
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw .invalidNumber(offset: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw .invalidNumber(offset: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return JSONNumber(uncheckedLiteral: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Whether the string `parseString` returned last is known to be ASCII (false after escapes).
    private var lastStringIsASCII = true

    /// The index of the first byte at or after `start` in `bytes` that a string scan must look
    /// at (a quote, a backslash, a control character or a byte outside ASCII), or `bytes.count`.
    ///
    /// Sixteen bytes per step with SSE2 on x86-64 (``CStytchVector``), then eight per step while
    /// none of them needs a look. One call covers a whole run, so a caller in another module (the
    /// token reader) pays one call per string, not per word.
    package static func plainRunEnd(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = bytes.baseAddress, start < bytes.count else { return start }
        let index = stytch_plain_run_end(base, bytes.count, start)
        // The vector steps stop at a byte to look at, or where fewer than 16 bytes remain.
        if stytch_plain_run_end_is_vectorised() != 0, index &+ 16 <= bytes.count { return index }
        return plainRunEndWithWords(in: bytes, from: index)
    }

    /// ``plainRunEnd(in:from:)`` without the vector steps: eight bytes per step, then one (on
    /// every machine for the last bytes; also what tests compare the vector steps with).
    package static func plainRunEndWithWords(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var index = start
        while index &+ 8 <= bytes.count {
            let mask = attentionMask(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self).littleEndian)
            if mask != 0 { return index &+ mask.trailingZeroBitCount &>> 3 }
            index &+= 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return index }
            index &+= 1
        }
        return index
    }

    /// The bytes of `word` (its first byte in the low bits) that are a quote, a backslash, a
    /// control character or not ASCII, each marked by its top bit. Each test can also mark a byte
    /// above one it marks truly (a borrow), never one below, so the lowest mark is exact: the
    /// first such byte is `trailingZeroBitCount / 8` bytes in.
    @inline(__always)
    private static func attentionMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let flags = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word) | word
        return flags & (ones &* 0x80)
    }

    private mutating func parseString() throws(Failure) -> String {
        index += 1  // opening quote
        let start = index
        var isASCII = true
        lastStringIsASCII = false
        // Fast path: no escapes. Control characters are refused; UTF-8 is validated at the end,
        // unless every byte was ASCII (always valid, and by far the common case in a JWT).
        while index < bytes.count {
            index = Self.plainRunEnd(in: bytes, from: index)  // past the bytes that need no look
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if isASCII {
                    lastStringIsASCII = true
                    return String(decoding: slice, as: UTF8.self)
                }
                guard let string = String(validating: slice, as: UTF8.self) else { throw .invalidUTF8 }
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw .unexpectedByte(offset: index) }
            if byte >= 0x80 { isASCII = false }
            index += 1
        }
        guard index < bytes.count else { throw .unexpectedEnd }
        // Slow path: unescape into a scratch buffer of UTF-8.
        var scratch = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while true {
            guard index < bytes.count else { throw .unexpectedEnd }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let string = String(validating: scratch, as: UTF8.self) else { throw .invalidUTF8 }
                return string
            case UInt8(ascii: "\\"):
                let escapeStart = index
                index += 1
                guard index < bytes.count else { throw .unexpectedEnd }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""): scratch.append(0x22)
                case UInt8(ascii: "\\"): scratch.append(0x5C)
                case UInt8(ascii: "/"): scratch.append(0x2F)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4(escapeStart: escapeStart)
                    if (0xD800...0xDBFF).contains(scalar) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw .invalidEscape(offset: escapeStart)
                        }
                        index += 2
                        let low = try parseHex4(escapeStart: escapeStart)
                        guard (0xDC00...0xDFFF).contains(low) else { throw .invalidEscape(offset: escapeStart) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw .invalidEscape(offset: escapeStart)
                    }
                    guard let unicodeScalar = Unicode.Scalar(scalar) else { throw .invalidEscape(offset: escapeStart) }
                    scratch.append(contentsOf: UTF8.encode(unicodeScalar)!)
                default:
                    throw .invalidEscape(offset: escapeStart)
                }
            default:
                if byte < 0x20 { throw .unexpectedByte(offset: index) }
                scratch.append(byte)
                index += 1
            }
        }
    }

    private mutating func parseHex4(escapeStart: Int) throws(Failure) -> UInt32 {
        guard bytes.count - index >= 4 else { throw .unexpectedEnd }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw .invalidEscape(offset: escapeStart)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}

/// One member of an object being parsed.
private struct JSONMember {
    let name: String
    let value: JSONValue
    /// Whether `name` is known to be ASCII (then its UTF-8 length decides inequality with another ASCII name).
    let isASCII: Bool
}

import Foundation
import StytchJWTCore
import Testing

@Suite("StrictJSON")
struct StrictJSONTests {
    private static func parse(_ text: String, maximumDepth: Int = 16) throws(StrictJSON.Failure) -> JSONValue {
        try StrictJSON.parse(Array(text.utf8), maximumDepth: maximumDepth)
    }

    private static func failure(_ bytes: [UInt8], maximumDepth: Int = 16) -> StrictJSON.Failure? {
        do {
            _ = try StrictJSON.parse(bytes, maximumDepth: maximumDepth)
            return nil
        } catch {
            return error
        }
    }

    private static func failure(_ text: String, maximumDepth: Int = 16) -> StrictJSON.Failure? {
        failure(Array(text.utf8), maximumDepth: maximumDepth)
    }

    // MARK: Duplicate member names

    /// The scan (16 bytes per step with SSE2 on x86-64, then eight per step, then one) stops
    /// exactly where a byte-by-byte scan stops (the first quote, backslash, control character or
    /// non-ASCII byte), wherever it lies in a step and whatever follows it (a borrow in the word
    /// test may mark bytes above the first one); so does the word scan alone.
    @Test("plainRunEnd stops at the first byte a string scan must look at")
    func plainRunEndAgreesWithAByteScan() {
        let special: [UInt8] = [0x22, 0x5C, 0x00, 0x01, 0x1F, 0x80, 0xC3, 0xFF]
        let plain: [UInt8] = [0x20, 0x21, 0x23, 0x2F, 0x5B, 0x5D, 0x7F, 0x61]
        var checked = 0, mismatches = 0
        for count in 0...40 {
            for start in 0...min(count, 17) {
                for position in start...count {  // `count`: no special byte at all
                    for (index, first) in special.enumerated() {
                        var bytes = (0..<count).map { plain[($0 &* 7 &+ index) % plain.count] }
                        if position < count { bytes[position] = first }
                        // Another special byte after the first, and one before the start.
                        if position + 1 < count { bytes[position + 1] = special[(index + 3) % special.count] }
                        if start > 0 { bytes[start - 1] = 0x22 }
                        let expected = bytes[start...].firstIndex(where: Self.needsLook) ?? count
                        let found = bytes.withUnsafeBufferPointer { StrictJSON.plainRunEnd(in: $0, from: start) }
                        let words = bytes.withUnsafeBufferPointer { StrictJSON.plainRunEndWithWords(in: $0, from: start) }
                        if found != expected || words != expected { mismatches += 1 }
                        checked += 1
                    }
                }
            }
        }
        #expect(mismatches == 0)
        #expect(checked > 80_000)
    }

    /// Every byte value, at positions in the first and second 16-byte steps and in the tail.
    @Test("plainRunEnd classifies every byte value as a byte scan does")
    func plainRunEndEveryByteValue() {
        var mismatches = 0
        for position in [0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 39] {
            for byte in UInt8.min...UInt8.max {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 40)
                bytes[position] = byte
                let expected = Self.needsLook(byte) ? position : 40
                let found = bytes.withUnsafeBufferPointer { StrictJSON.plainRunEnd(in: $0, from: 0) }
                let words = bytes.withUnsafeBufferPointer { StrictJSON.plainRunEndWithWords(in: $0, from: 0) }
                if found != expected || words != expected { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    private static func needsLook(_ byte: UInt8) -> Bool { byte == 0x22 || byte == 0x5C || byte < 0x20 || byte >= 0x80 }

    @Test("duplicate member names are refused at every depth", arguments: [
        (#"{"a":1,"a":2}"#, 1),
        (#"{"a":{"b":1,"b":2}}"#, 2),
        (#"{"a":[{"b":{"c":true,"c":false}}]}"#, 4),  // object → array → object → object
        (#"{"x":{"y":{"z":null,"z":null}}}"#, 3),
        (#"{"a":1,"\u0061":2}"#, 1),  // the same name once escaped
        (#"{"\u00e9":1,"é":2}"#, 1),  // escaped vs literal UTF-8
        (#"{"\ud83d\ude00":1,"😀":2}"#, 1),  // surrogate pair vs literal
        (#"{"a\/b":1,"a/b":2}"#, 1),
        (#"[{"k":1,"k":1}]"#, 2),  // identical values are still duplicates
    ])
    func duplicateMembers(text: String, depth: Int) {
        #expect(Self.failure(text) == .duplicateMember(depth: depth))
    }

    @Test("canonically equivalent member names count as duplicates (Swift String equality): the safe direction")
    func canonicallyEquivalentNames() {
        // "é" precomposed (U+00E9) and decomposed (e + U+0301) are different JSON member names, but
        // equal Swift Strings. The parser refuses the document rather than silently keep one.
        #expect(Self.failure(#"{"\u00e9":1,"e\u0301":2}"#) == .duplicateMember(depth: 1))
    }

    @Test("the same name in sibling objects is not a duplicate")
    func siblingNames() throws {
        let value = try Self.parse(#"{"a":{"k":1},"b":{"k":2},"c":[{"k":3},{"k":4}]}"#)
        #expect(value["a"]?["k"] == .number(JSONNumber(1)))
        #expect(value["c"]?.arrayValue?.count == 2)
    }

    @Test("parseObject refuses duplicates and non-objects")
    func parseObjectRules() throws {
        #expect(throws: StrictJSON.Failure.duplicateMember(depth: 1)) {
            try StrictJSON.parseObject(Array(#"{"kid":"a","kid":"b"}"#.utf8), maximumDepth: 16)
        }
        for text in ["[]", "1", "\"s\"", "null", "true"] {
            #expect(throws: StrictJSON.Failure.notAnObject) {
                try StrictJSON.parseObject(Array(text.utf8), maximumDepth: 16)
            }
        }
        let object = try StrictJSON.parseObject(Array(#" { "a" : "b" } "#.utf8), maximumDepth: 16)
        #expect(object == ["a": .string("b")])
    }

    // MARK: Encoding

    @Test("a byte-order mark is refused")
    func byteOrderMark() {
        #expect(Self.failure([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == .byteOrderMark)
        // A BOM inside a string is just a character.
        #expect(Self.failure(Array("\"\u{FEFF}\"".utf8)) == nil)
    }

    @Test("invalid UTF-8 in a string is refused", arguments: [
        [0xC3, 0x28],  // bad continuation
        [0x80],  // lone continuation byte
        [0xC0, 0xAF],  // overlong '/'
        [0xED, 0xA0, 0x80],  // UTF-8-encoded surrogate
        [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
        [0xFF],
        [0xE2, 0x82],  // truncated
    ] as [[UInt8]])
    func invalidUTF8(bad: [UInt8]) {
        let plain = Array("\"".utf8) + bad + Array("\"".utf8)
        #expect(Self.failure(plain) == .invalidUTF8)
        // Also on the slow path, after an escape.
        let escaped = Array(#""\n"#.utf8) + bad + Array("\"".utf8)
        #expect(Self.failure(escaped) == .invalidUTF8)
        // And as a member name.
        let name = Array("{\"".utf8) + bad + Array("\":1}".utf8)
        #expect(Self.failure(name) == .invalidUTF8)
    }

    @Test("invalid UTF-8 outside strings is refused")
    func invalidBytesOutsideStrings() {
        #expect(Self.failure([UInt8(ascii: "["), 0xC3, 0xA9, UInt8(ascii: "]")]) == .unexpectedByte(offset: 1))
    }

    @Test("lone or mismatched surrogate escapes are refused", arguments: [
        #""\ud800""#,
        #""\udc00""#,
        #""\ud800x""#,
        #""\ud800\n""#,
        #""\ud800\u0041""#,
        #""\udc00\ud800""#,
        #""\uD83D""#,
        #""a\uDE00b""#,
    ])
    func loneSurrogates(text: String) {
        guard case .invalidEscape? = Self.failure(text) else {
            Issue.record("\(text) was not refused as an invalid escape: \(String(describing: Self.failure(text)))")
            return
        }
    }

    @Test("valid escapes decode")
    func validEscapes() throws {
        let value = try Self.parse(#""\"\\\/\b\f\n\r\t\u0041\u00e9\ud83d\ude00\uFFFF""#)
        #expect(value == .string("\"\\/\u{08}\u{0C}\n\r\tAé😀\u{FFFF}"))
    }

    @Test("invalid escapes are refused", arguments: [#""\x""#, #""\u12""#, #""\u12G4""#, #""\'""#, #""\U0041""#, #""\0""#])
    func invalidEscapes(text: String) {
        let failure = Self.failure(text)
        switch failure {
        case .invalidEscape?, .unexpectedEnd?: break
        default: Issue.record("\(text): \(String(describing: failure))")
        }
    }

    @Test("raw control characters in strings are refused", arguments: Array(UInt8(0)..<0x20))
    func controlCharacters(byte: UInt8) {
        #expect(Self.failure([UInt8(ascii: "\""), byte, UInt8(ascii: "\"")]) == .unexpectedByte(offset: 1))
        // After an escape too (slow path).
        #expect(Self.failure(Array(#""\t"#.utf8) + [byte, UInt8(ascii: "\"")]) == .unexpectedByte(offset: 3))
    }

    @Test("DEL and non-ASCII characters are allowed in strings")
    func nonControlCharacters() throws {
        #expect(try Self.parse("\"\u{7F}é\u{2028}\"") == .string("\u{7F}é\u{2028}"))
    }

    // MARK: Numbers

    @Test("numbers outside the JSON grammar are refused", arguments: [
        "01", "-01", "00", "+1", ".5", "1.", "-", "1e", "1e+", "1.e5", "-.5", "NaN", "Infinity", "-Infinity", "0x10", "1_000", "--1", "1E-",
    ])
    func invalidNumbers(text: String) {
        let failure = Self.failure(text)
        #expect(failure != nil, "\(text) was accepted")
        let wrapped = Self.failure("[\(text)]")
        #expect(wrapped != nil, "[\(text)] was accepted")
    }

    @Test("valid numbers keep their literal", arguments: [
        "0", "-0", "1", "-1", "0.5", "-0.5", "1e5", "1E5", "1e+5", "1e-5", "1.5e3", "123456789",
        "12345678901234567890123456789012345678901234567890",
        "-98765432109876543210987654321",
        "1.00000000000000000000000000001",
        "1767225600",
    ])
    func validNumbers(text: String) throws {
        #expect(try Self.parse(text) == .number(JSONNumber(uncheckedLiteral: text)))
        let object = try Self.parse(#"{"n":\#(text)}"#)
        #expect(object["n"]?.numberValue?.literal == text)
    }

    @Test("big integers survive with their literal, not rounded through Double")
    func bigIntegers() throws {
        let big = "9007199254740993"  // 2^53 + 1: a Double would round it
        let value = try Self.parse(#"{"a":\#(big)}"#)
        #expect(value["a"]?.numberValue?.literal == big)
        #expect(value["a"]?.numberValue?.int64Value == 9_007_199_254_740_993)
        #expect(value.jsonText == #"{"a":9007199254740993}"#)
        let huge = "123456789012345678901234567890"
        #expect(try Self.parse(huge).numberValue?.literal == huge)
        #expect(try Self.parse(huge).numberValue?.int64Value == nil)
    }

    // MARK: Structure

    @Test("nesting exactly at the depth limit is accepted, one more is refused")
    func depthBoundary() throws {
        for limit in [1, 2, 5, 16, 64] {
            let arrays = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
            #expect(throws: Never.self) { try Self.parse(arrays, maximumDepth: limit) }
            let deeper = "[" + arrays + "]"
            #expect(Self.failure(deeper, maximumDepth: limit) == .tooDeep(limit: limit))

            var objects = "1"
            for _ in 0..<limit { objects = #"{"a":\#(objects)}"# }
            #expect(throws: Never.self) { try Self.parse(objects, maximumDepth: limit) }
            #expect(Self.failure(#"{"a":\#(objects)}"#, maximumDepth: limit) == .tooDeep(limit: limit))

            // Mixed arrays and objects count alike.
            var mixed = "true"
            for level in 0..<limit { mixed = level % 2 == 0 ? "[\(mixed)]" : #"{"m":\#(mixed)}"# }
            #expect(throws: Never.self) { try Self.parse(mixed, maximumDepth: limit) }
            #expect(Self.failure("[\(mixed)]", maximumDepth: limit) == .tooDeep(limit: limit))
        }
        // Scalars have no depth.
        #expect(throws: Never.self) { try Self.parse("1", maximumDepth: 0) }
        #expect(Self.failure("[]", maximumDepth: 0) == .tooDeep(limit: 0))
    }

    @Test("a very deep document is refused without exhausting the stack")
    func veryDeep() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(Self.failure(text, maximumDepth: 16) == .tooDeep(limit: 16))
    }

    @Test("content after the value is refused", arguments: [
        "{} {}", "{}x", "1 2", "[] ]", "{}\u{0}", "\"a\"\"b\"", "null,", "{},",
    ])
    func trailingContent(text: String) {
        guard case .trailingContent? = Self.failure(text) else {
            Issue.record("\(text.debugDescription): \(String(describing: Self.failure(text)))")
            return
        }
    }

    @Test("surrounding JSON whitespace is allowed; other whitespace is not")
    func whitespace() throws {
        #expect(try Self.parse(" \t\r\n{ \"a\" :\n[ 1 , 2 ]\t} \r\n") == .object(["a": .array([.number(JSONNumber(1)), .number(JSONNumber(2))])]))
        #expect(Self.failure("\u{0B}{}") == .unexpectedByte(offset: 0))  // vertical tab
        #expect(Self.failure("\u{0C}{}") == .unexpectedByte(offset: 0))  // form feed
        #expect(Self.failure(Array("\u{A0}{}".utf8)) == .unexpectedByte(offset: 0))  // no-break space
    }

    @Test("empty input and whitespace-only input are refused")
    func emptyInput() {
        #expect(Self.failure([UInt8]()) == .empty)
        #expect(Self.failure(" ") == .unexpectedEnd)
        #expect(Self.failure("\n\t") == .unexpectedEnd)
    }

    @Test("malformed structure is refused", arguments: [
        "{", "}", "[", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}", "{a:1}", "{'a':1}",
        "\"abc", "tru", "nul", "True", "[1 2]", "{\"a\":1 \"b\":2}", "{1:2}", "[\"a\":1]",
    ])
    func malformed(text: String) {
        #expect(Self.failure(text) != nil, "\(text) was accepted")
    }

    @Test("literals and containers decode to the right values")
    func values() throws {
        let value = try Self.parse(#"{"t":true,"f":false,"n":null,"s":"x","a":[],"o":{}}"#)
        #expect(value == .object([
            "t": .bool(true), "f": .bool(false), "n": .null, "s": .string("x"), "a": .array([]), "o": .object([:]),
        ]))
    }

    @Test("failure descriptions never echo document content")
    func failureDescriptions() {
        let secret = "sk_live_SECRETSECRET"
        for text in [#"{"\#(secret)":1,"\#(secret)":2}"#, "\"\(secret)", "[\(secret)]", "{} \(secret)"] {
            let failure = Self.failure(text)
            #expect(failure != nil)
            #expect(!(failure?.description.contains("SECRET") ?? true))
        }
    }
}

import Foundation

/// A `Decoder` over a ``JSONValue`` tree that the strict parser already produced, so a typed model
/// (the authenticate response) is decoded without parsing the document a second time.
///
/// It reproduces what Foundation's `JSONDecoder` (default options) does with the same document,
/// down to the errors' kinds and coding paths, which is what the response's error messages name:
/// a missing key is `keyNotFound` with the container's path; a wrong type or a `null` where a value
/// is required is `typeMismatch` or `valueNotFound` with the value's path; numbers follow
/// `JSONDecoder`'s rules (an integer type accepts an integral value such as `1.0` or `1e2`, a
/// `Double` refuses a value out of its range; the rare undecidable literal is handed to
/// `JSONDecoder` itself). Absent and `null` optional members read as nil.
package struct JSONValueDecoder: Decoder {
    let value: JSONValue
    let path: CodingPath

    init(_ value: JSONValue, path: CodingPath = .root) {
        self.value = value
        self.path = path
    }

    package var codingPath: [any CodingKey] { path.keys }
    package var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// Decodes `type` from the value at the root of the tree.
    package static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONValueDecoder(value).decodeValue(type)
    }

    package func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch value {
        case .object(let members): return KeyedDecodingContainer(KeyedContainer<Key>(members: members, path: path))
        case .null:
            throw DecodingError.valueNotFound([String: Any].self, .init(
                codingPath: codingPath, debugDescription: "Cannot get keyed decoding container -- found null value instead"))
        default:
            throw Self.typeMismatch([String: Any].self, value, path)
        }
    }

    package func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .array(let elements): return UnkeyedContainer(elements: elements, path: path)
        case .null:
            throw DecodingError.valueNotFound([Any].self, .init(
                codingPath: codingPath, debugDescription: "Cannot get unkeyed decoding container -- found null value instead"))
        default:
            throw Self.typeMismatch([Any].self, value, path)
        }
    }

    package func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleValueContainer(decoder: self) }

    // MARK: - Values

    /// Decodes `type` from this decoder's value. ``JSONValue`` itself is built directly, with the
    /// result its own `init(from:)` would give through `JSONDecoder`.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if type == JSONValue.self { return try Self.normalized(value, path: path) as! T }
        return try T(from: self)
    }

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decodeBool() throws -> Bool {
        guard case .bool(let flag) = value else { throw Self.typeMismatch(Bool.self, value, path) }
        return flag
    }

    func decodeString() throws -> String {
        switch value {
        case .string(let string): return string
        case .null: throw Self.valueNotFound(String.self, path)
        default: throw Self.typeMismatch(String.self, value, path)
        }
    }

    func decodeInteger<T: FixedWidthInteger & Decodable>(_ type: T.Type) throws -> T {
        switch value {
        case .number(let number): return try Self.at(path) { try Self.integer(type, number.literal) }
        case .null: throw Self.valueNotFound(type, path)
        default: throw Self.typeMismatch(type, value, path)
        }
    }

    func decodeFloatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible & Decodable>(_ type: T.Type) throws -> T {
        switch value {
        case .number(let number): return try Self.at(path) { try Self.floatingPoint(type, number.literal) }
        case .null: throw Self.valueNotFound(type, path)
        default: throw Self.typeMismatch(type, value, path)
        }
    }

    /// `JSONDecoder`'s integer rule: an integer literal converts directly; otherwise the value read
    /// as a `Double` must be integral and in range. Whatever is not plainly decidable (out of range,
    /// non-integral, zero, or beyond 2^53 where a `Double` is not exact) goes to `JSONDecoder`
    /// itself, for its very result or error (which it reports without a coding path).
    static func integer<T: FixedWidthInteger & Decodable>(_ type: T.Type, _ literal: String) throws -> T {
        if let direct = T(literal) { return direct }
        if let double = Double(literal), double.isFinite, double != 0, double.magnitude < 9_007_199_254_740_992,
           let exact = T(exactly: double) {
            return exact
        }
        return try JSONDecoder().decode(T.self, from: Data(literal.utf8))
    }

    /// `try? integer(type, literal)`, without asking `JSONDecoder` about a finite, non-zero value
    /// that is not an integer in range (which `JSONDecoder` refuses too).
    static func integerIfDecodable<T: FixedWidthInteger & Decodable>(_ type: T.Type, _ literal: String) -> T? {
        if let direct = T(literal) { return direct }
        guard let double = Double(literal) else { return nil }
        if double.isFinite, double != 0, T(exactly: double) == nil { return nil }
        return try? integer(type, literal)
    }

    /// `JSONDecoder`'s floating-point rule: the correctly rounded value of the literal. A literal
    /// that reads as infinite or zero (which may be an underflow JSONDecoder refuses) goes to
    /// `JSONDecoder` itself, for its very result or error.
    static func floatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible & Decodable>(_ type: T.Type, _ literal: String) throws -> T {
        if let value = T(literal), value.isFinite, value != 0 { return value }
        return try JSONDecoder().decode(T.self, from: Data(literal.utf8))
    }

    /// What `JSONValue(from:)` yields through `JSONDecoder`: nulls, Booleans and strings as they
    /// are; objects and arrays member by member; a number as an `Int64` when `JSONDecoder` decodes
    /// one, otherwise as the `Double` it decodes (whose description becomes the literal).
    static func normalized(_ value: JSONValue, path: CodingPath) throws -> JSONValue {
        switch value {
        case .null, .bool, .string:
            return value
        case .object(let members):
            // `JSONValue(from:)` tries the object with `try?`; on failure it ends in decoding a Double.
            var result: [String: JSONValue] = [:]
            result.reserveCapacity(members.count)
            do {
                for (name, member) in members {
                    result[name] = try normalized(member, path: path.appending(JSONValueCodingKey(stringValue: name)))
                }
            } catch {
                throw typeMismatch(Double.self, value, path)
            }
            return .object(result)
        case .array(let elements):
            var result: [JSONValue] = []
            result.reserveCapacity(elements.count)
            do {
                for (index, element) in elements.enumerated() {
                    result.append(try normalized(element, path: path.appending(JSONValueCodingKey(intValue: index))))
                }
            } catch {
                throw typeMismatch(Double.self, value, path)
            }
            return .array(result)
        case .number(let number):
            if let integer = Self.integerIfDecodable(Int64.self, number.literal) {
                // Already canonical when the literal is the integer's own spelling (the usual case).
                return integer.description == number.literal ? value : .number(JSONNumber(integer))
            }
            // As `JSONValue(from:)` does next: a Double, or JSONDecoder's own error.
            let double = try at(path) { try floatingPoint(Double.self, number.literal) }
            return .number(JSONNumber(uncheckedLiteral: "\(double)"))
        }
    }

    /// `body`'s result, with a decoding error it throws placed at `path`: `JSONDecoder`, asked about
    /// a lone literal, reports its errors at the root, which would name no field.
    static func at<T>(_ path: CodingPath, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DecodingError {
            switch error {
            case .dataCorrupted(let context):
                throw DecodingError.dataCorrupted(.init(codingPath: path.keys + context.codingPath, debugDescription: context.debugDescription))
            case .typeMismatch(let type, let context):
                throw DecodingError.typeMismatch(type, .init(codingPath: path.keys + context.codingPath, debugDescription: context.debugDescription))
            case .valueNotFound(let type, let context):
                throw DecodingError.valueNotFound(type, .init(codingPath: path.keys + context.codingPath, debugDescription: context.debugDescription))
            default:
                throw error
            }
        }
    }

    static func typeMismatch(_ type: Any.Type, _ value: JSONValue, _ path: CodingPath) -> DecodingError {
        .typeMismatch(type, .init(codingPath: path.keys, debugDescription: "Expected to decode \(type) but found \(value.typeName) instead."))
    }

    static func valueNotFound(_ type: Any.Type, _ path: CodingPath) -> DecodingError {
        .valueNotFound(type, .init(codingPath: path.keys, debugDescription: "Cannot get value of type \(type) -- found null value instead"))
    }
}

/// A coding path as a linked list from the value up to the root, turned into keys only for errors.
final class CodingPath: Sendable {
    let parent: CodingPath?
    let key: JSONValueCodingKey?

    static let root = CodingPath(parent: nil, key: nil)

    private init(parent: CodingPath?, key: JSONValueCodingKey?) {
        self.parent = parent
        self.key = key
    }

    func appending(_ key: JSONValueCodingKey) -> CodingPath { CodingPath(parent: self, key: key) }

    func appending(_ key: some CodingKey) -> CodingPath {
        appending(key.intValue.map { JSONValueCodingKey(intValue: $0) } ?? JSONValueCodingKey(stringValue: key.stringValue))
    }

    var keys: [any CodingKey] {
        var keys: [any CodingKey] = []
        var node: CodingPath? = self
        while let current = node, let key = current.key {
            keys.append(key)
            node = current.parent
        }
        return keys.reversed()
    }
}

/// A member name or an array index in a coding path (`JSONDecoder` names indexes `Index n`).
struct JSONValueCodingKey: CodingKey, Sendable {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = "Index \(intValue)"
        self.intValue = intValue
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let path: CodingPath

    var codingPath: [any CodingKey] { path.keys }
    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func decoder(for key: Key) throws -> JSONValueDecoder {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(
                codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return JSONValueDecoder(value, path: path.appending(key))
    }

    func decodeNil(forKey key: Key) throws -> Bool { try decoder(for: key).decodeNil() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder(for: key).decodeBool() }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder(for: key).decodeString() }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder(for: key).decodeFloatingPoint(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decoder(for: key).decodeFloatingPoint(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder(for: key).decodeInteger(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder(for: key).decodeInteger(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder(for: key).decodeInteger(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder(for: key).decodeInteger(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder(for: key).decodeInteger(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder(for: key).decodeInteger(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder(for: key).decodeInteger(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder(for: key).decodeInteger(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder(for: key).decodeInteger(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder(for: key).decodeInteger(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder(for: key).decodeValue(type) }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = members[key.stringValue] else { return nil }
        if case .null = value { return nil }
        return try JSONValueDecoder(value, path: path.appending(key)).decodeString()
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let value = members[key.stringValue] else { return nil }
        if case .null = value { return nil }
        return try JSONValueDecoder(value, path: path.appending(key)).decodeBool()
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = members[key.stringValue] else { return nil }
        if case .null = value { return nil }
        return try JSONValueDecoder(value, path: path.appending(key)).decodeValue(type)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder(for: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder(for: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        JSONValueDecoder(members[JSONValueCodingKey.superKey.stringValue] ?? .null, path: path.appending(JSONValueCodingKey.superKey))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONValueDecoder(members[key.stringValue] ?? .null, path: path.appending(key))
    }
}

extension JSONValueCodingKey {
    static let superKey = JSONValueCodingKey(stringValue: "super")
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let path: CodingPath
    private(set) var currentIndex = 0

    init(elements: [JSONValue], path: CodingPath) {
        self.elements = elements
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next<T>(_ type: T.Type) throws -> JSONValueDecoder {
        let key = JSONValueCodingKey(intValue: currentIndex)
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(
                codingPath: path.appending(key).keys, debugDescription: "Unkeyed container is at end."))
        }
        let decoder = JSONValueDecoder(elements[currentIndex], path: path.appending(key))
        currentIndex += 1
        return decoder
    }

    mutating func decodeNil() throws -> Bool {
        let key = JSONValueCodingKey(intValue: currentIndex)
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any?.self, .init(
                codingPath: path.appending(key).keys, debugDescription: "Unkeyed container is at end."))
        }
        if case .null = elements[currentIndex] {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type).decodeBool() }
    mutating func decode(_ type: String.Type) throws -> String { try next(type).decodeString() }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type).decodeFloatingPoint(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type).decodeFloatingPoint(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type).decodeInteger(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type).decodeInteger(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type).decodeInteger(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type).decodeInteger(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type).decodeInteger(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type).decodeInteger(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type).decodeInteger(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type).decodeInteger(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type).decodeInteger(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type).decodeInteger(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type).decodeValue(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next([String: Any].self).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next([Any].self).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { try next(Any.self) }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
    let decoder: JSONValueDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.decodeNil() }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.decodeBool() }
    func decode(_ type: String.Type) throws -> String { try decoder.decodeString() }
    func decode(_ type: Double.Type) throws -> Double { try decoder.decodeFloatingPoint(type) }
    func decode(_ type: Float.Type) throws -> Float { try decoder.decodeFloatingPoint(type) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.decodeInteger(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.decodeInteger(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.decodeInteger(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.decodeInteger(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.decodeInteger(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.decodeInteger(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
}

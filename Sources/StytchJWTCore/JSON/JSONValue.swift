
/// A JSON value exactly as a strict parse produced it, for custom claims and other open data.
///
/// Numbers keep their literal text (see ``JSONNumber``) so large integers survive untouched.
/// Objects are unordered and, when produced by StytchJWT's parser, never hold duplicate names.
public enum JSONValue: Sendable, Hashable {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, with its literal text.
    case number(JSONNumber)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object (member names unique).
    case object([String: JSONValue])

    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The members, if this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The number, if this is a number.
    public var numberValue: JSONNumber? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The Boolean, if this is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The member named `key`, if this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// A short name of the value's JSON type, for error messages.
    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// A JSON number, kept as its literal text (validated against the JSON grammar).
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The literal as it appeared in the document, e.g. `1767225600` or `1.5e3`.
    public let literal: String

    package init(uncheckedLiteral literal: String) { self.literal = literal }

    /// Creates a number from an integer.
    public init(_ value: Int64) { self.literal = String(value) }

    /// The value as a `Double` (may be rounded; infinite if out of range).
    public var doubleValue: Double {
        // Fast path for the common case, a NumericDate: up to 15 digits, no sign, fraction or
        // exponent. Such an integer is below 2^53, so the conversion is exact, exactly the value
        // `Double(literal)` rounds to.
        var literal = literal
        let fast = literal.withUTF8 { bytes -> Double? in
            guard bytes.count <= 15, !bytes.isEmpty else { return nil }
            var value: Int64 = 0
            for byte in bytes {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value &* 10 &+ Int64(byte &- UInt8(ascii: "0"))
            }
            return Double(value)
        }
        return fast ?? Double(literal) ?? .nan
    }

    /// The value as an `Int64`, when the literal is an integer that fits exactly.
    public var int64Value: Int64? { Int64(literal) }

    /// The number's literal text.
    public var description: String { literal }
}

// MARK: - Serialization

extension JSONValue: Codable {
    /// Decodes any JSON value; a non-finite number is a decoding error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .number(JSONNumber(value))
        } else {
            let value = try container.decode(Double.self)
            guard value.isFinite else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "non-finite number")
            }
            self = .number(JSONNumber(uncheckedLiteral: "\(value)"))
        }
    }

    /// Encodes the value; a number keeps its literal where the encoder allows.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .number(let value):
            if let integer = value.int64Value {
                try container.encode(integer)
            } else {
                try container.encode(value.doubleValue)
            }
        }
    }

    /// Compact JSON text with object members sorted by name, numbers written as their literals.
    public var jsonText: String {
        var output = ""
        Self.write(self, to: &output)
        return output
    }

    /// Appends ``jsonText`` to `output`.
    package func write(to output: inout String) {
        Self.write(self, to: &output)
    }

    private static func write(_ value: JSONValue, to output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let number): output += number.literal
        case .string(let string): writeString(string, to: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                write(element, to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                writeString(key, to: &output)
                output += ":"
                write(members[key]!, to: &output)
            }
            output += "}"
        }
    }

    /// Appends `string` to `output` as a JSON string literal.
    package static func writeString(_ string: String, to output: inout String) {
        output += "\""
        // Fast path: nothing to escape (the common case for identifiers and timestamps), checked
        // over the contiguous UTF-8 of a native string.
        let plain = string.utf8.withContiguousStorageIfAvailable { bytes in
            !bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
        } ?? !string.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C })
        if plain {
            output += string
            output += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}

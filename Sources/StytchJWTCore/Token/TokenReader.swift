import Foundation

/// A member of a JSON object as the token reader found it: absent, of the type and form its rule
/// reads (`read`), or any other value, as sent (`other`), which the rule then refuses by name.
/// The reader never decides a rule: it only sorts what it finds, so that every rule about a token
/// stays in ``TokenRules`` and runs in the order of the specification.
enum Field<Value> {
    case absent
    case read(Value)
    case other(JSONValue)

    var isPresent: Bool {
        if case .absent = self { return false }
        return true
    }

    /// The field, moved out (no reference count), leaving it absent.
    mutating func take() -> Field {
        let value = consume self
        self = .absent
        return value
    }
}

/// Strings a verifier expects in every token, so that a member equal to one of them shares that
/// string (a reference count) instead of allocating its own copy. A class: a reader holds it by
/// one reference.
final class SharedStrings: Sendable {
    /// None: every member gets its own string.
    static let none = SharedStrings(issuers: [], projectID: nil, kids: [])

    /// The accepted issuers.
    let issuers: [String]
    /// `[projectID]`: the usual `aud` (empty without a project).
    let audience: [String]
    /// The `kid`s of pinned keys (a few at most), the key set's own strings: a header naming one
    /// shares it, and the key lookup then compares equal strings by identity.
    let kids: [String]

    init(issuers: some Sequence<String>, projectID: String?, kids: [String]) {
        // Native contiguous UTF-8, so comparing them never copies.
        self.issuers = issuers.map { var issuer = $0; issuer.makeContiguousUTF8(); return issuer }
        self.audience = projectID.map { var projectID = $0; projectID.makeContiguousUTF8(); return [projectID] } ?? []
        self.kids = kids.count <= 8 ? kids : []  // not copied: sharing is the point
    }
}

/// The header's members that the header rules read.
struct HeaderFields {
    var alg = Field<String>.absent, typ = Field<String>.absent, kid = Field<String>.absent
    /// Whether `crit`, `jku`, `x5u`, `jwk`, `x5c` are present (any value).
    var crit = false, jku = false, x5u = false, jwk = false, x5c = false
}

/// The payload's members that the claim rules read; every other top-level member is a custom claim.
struct PayloadFields {
    var iss = Field<String>.absent, sub = Field<String>.absent, jti = Field<String>.absent
    var aud = Field<[String]>.absent
    var exp = Field<Double>.absent, iat = Field<Double>.absent, nbf = Field<Double>.absent
    var session = Field<SessionFields>.absent
    var organization = Field<OrganizationFields>.absent
    var custom = CustomClaims()

    /// The custom claims, moved out (no reference count), leaving none.
    mutating func takeCustom() -> CustomClaims {
        var taken = CustomClaims()
        swap(&taken, &custom)
        return taken
    }
}

/// `https://stytch.com/session`'s members that the rules read (others are checked as JSON and dropped).
struct SessionFields {
    var id = Field<String>.absent
    var startedAt = Field<RFC3339Timestamp>.absent, lastAccessedAt = Field<RFC3339Timestamp>.absent
    var expiresAt = Field<RFC3339Timestamp>.absent
    var factors = Field<FactorList>.absent
    var roles = Field<[String]>.absent
}

/// The factors of a session, each put through the factor rules as soon as it is read (so that no
/// list of unchecked factors is kept), and the first failure, which ``TokenRules/factors(_:)``
/// throws in its turn: the order of the rules stays the order of the specification.
struct FactorList {
    var factors: [AuthenticationFactor] = []
    var failure: StytchJWTError?
}

/// One authentication factor's typed members, and the rest of the object as sent.
struct FactorFields {
    var type = Field<FactorType>.absent, deliveryMethod = Field<DeliveryMethod>.absent
    var lastAuthenticatedAt = Field<RFC3339Timestamp>.absent
    var createdAt = Field<RFC3339Timestamp>.absent, updatedAt = Field<RFC3339Timestamp>.absent
    var others: [String: JSONValue] = [:]
}

/// `https://stytch.com/organization`'s members that the rules read.
struct OrganizationFields {
    var organizationID = Field<String>.absent, slug = Field<String>.absent
}

/// The one reader of a token's header and payload: a single pass over the decoded bytes that
/// checks they are strict JSON (RFC 8259 UTF-8, no byte-order mark, no duplicate member names at
/// any depth, bounded nesting, nothing after the object) and sorts the members the rules read into
/// fields, in any member order, with any escapes and whitespace. Values it does not interpret
/// (custom claims, unknown members, factor sub-objects) go through ``StrictJSON`` at their real
/// depth, so the whole document is held to the same rules; a JSON tree is built only for them.
///
/// Speed comes from the usual case: member names are matched as bytes (no string is made for a
/// known one), plain strings are sliced out of the document, timestamps and NumericDates are read
/// from their bytes, and strings the verifier expects are shared, not copied.
struct TokenReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private let shared: SharedStrings

    private init(_ bytes: UnsafeBufferPointer<UInt8>, shared: SharedStrings) {
        self.bytes = bytes
        self.shared = shared
    }

    /// The deepest JSON nesting accepted in a header or payload. Stytch's claims nest five levels
    /// (payload, session, factor list, factor, factor sub-object).
    static let maximumDepth = 16

    /// Reads a header.
    static func header(_ bytes: UnsafeBufferPointer<UInt8>, shared: SharedStrings) throws(StrictJSON.Failure) -> HeaderFields {
        var reader = TokenReader(bytes, shared: shared)
        var fields = HeaderFields()
        try reader.document(&fields) { (reader, name, fields) throws(StrictJSON.Failure) in try reader.headerMember(name, into: &fields) }
        return fields
    }

    /// Reads a payload.
    static func payload(_ bytes: UnsafeBufferPointer<UInt8>, shared: SharedStrings) throws(StrictJSON.Failure) -> PayloadFields {
        var reader = TokenReader(bytes, shared: shared)
        var fields = PayloadFields()
        try reader.document(&fields) { (reader, name, fields) throws(StrictJSON.Failure) in try reader.payloadMember(name, into: &fields) }
        return fields
    }

    // MARK: Documents and objects

    /// A whole document that must be one object; `member` reads each member's value into `fields`
    /// (passed through, not captured: a captured variable would be copied out at the end).
    private mutating func document<Fields>(
        _ fields: inout Fields, _ member: (inout TokenReader, Text, inout Fields) throws(StrictJSON.Failure) -> Void
    ) throws(StrictJSON.Failure) {
        if bytes.isEmpty { throw .empty }
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { throw .byteOrderMark }
        skipWhitespace()
        guard try peek() == UInt8(ascii: "{") else {
            // Not an object: the whole value is still parsed, so a syntax error is reported first.
            _ = try value(depth: 0)
            skipWhitespace()
            if index != bytes.count { throw .trailingContent(offset: index) }
            throw .notAnObject
        }
        try object(depth: 1) { (reader, name) throws(StrictJSON.Failure) in try member(&reader, name, &fields) }
        skipWhitespace()
        if index != bytes.count { throw .trailingContent(offset: index) }
    }

    /// An object (at `{`) `depth` levels deep: each member's name, then `member` reads its value.
    /// Duplicate names are the caller's to find (a bit per known name, ``Unknown`` for the rest).
    @inline(__always)
    private mutating func object(depth: Int, _ member: (inout TokenReader, Text) throws(StrictJSON.Failure) -> Void) throws(StrictJSON.Failure) {
        if depth > Self.maximumDepth { throw .tooDeep(limit: Self.maximumDepth) }
        index &+= 1  // {
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            index &+= 1
            return
        }
        repeat {
            skipWhitespace()
            guard try peek() == UInt8(ascii: "\"") else { throw .unexpectedByte(offset: index) }
            let name = try string()
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw .unexpectedByte(offset: index) }
            index &+= 1
            skipWhitespace()
            try member(&self, name)
        } while try another(close: UInt8(ascii: "}"))
    }

    /// The names of one object's members that the reader does not interpret, for finding duplicates
    /// among them (compared as Swift strings, as ``StrictJSON`` compares names).
    private struct Unknown {
        private var names: [String] = []
        mutating func insert(_ name: String, depth: Int) throws(StrictJSON.Failure) {
            if names.contains(name) { throw .duplicateMember(depth: depth) }
            names.append(name)
        }
    }

    /// Marks member `bit` as seen; a second sighting is a duplicate name.
    @inline(__always)
    private func mark(_ bit: UInt16, in seen: inout UInt16, depth: Int) throws(StrictJSON.Failure) {
        guard seen & bit == 0 else { throw .duplicateMember(depth: depth) }
        seen |= bit
    }

    // MARK: The header

    /// The top-level members seen (a bit per known name) and the header's unknown names.
    private var seen: UInt16 = 0
    private var unknown = Unknown()

    private mutating func headerMember(_ name: Text, into fields: inout HeaderFields) throws(StrictJSON.Failure) {
        if matches(name, "alg") {
            try mark(1 << 0, in: &seen, depth: 1); fields.alg = try stringField(depth: 1)
        } else if matches(name, "kid") {
            try mark(1 << 1, in: &seen, depth: 1); fields.kid = try stringField(depth: 1, sharing: shared.kids)
        } else if matches(name, "typ") {
            try mark(1 << 2, in: &seen, depth: 1); fields.typ = try stringField(depth: 1)
        } else {
            _ = try value(depth: 1)
            try unknown.insert(string(name), depth: 1)
            if matches(name, "crit") { fields.crit = true }
            else if matches(name, "jku") { fields.jku = true }
            else if matches(name, "x5u") { fields.x5u = true }
            else if matches(name, "jwk") { fields.jwk = true }
            else if matches(name, "x5c") { fields.x5c = true }
        }
    }

    // MARK: The payload

    private mutating func payloadMember(_ name: Text, into fields: inout PayloadFields) throws(StrictJSON.Failure) {
        // The registered names are three ASCII bytes; the two Stytch claims 26 and 31.
        switch name.count {
        case 3:
            if matches(name, "iss") {
                try mark(1 << 0, in: &seen, depth: 1); fields.iss = try stringField(depth: 1, sharing: shared.issuers); return
            } else if matches(name, "aud") {
                try mark(1 << 1, in: &seen, depth: 1); fields.aud = try audience(); return
            } else if matches(name, "sub") {
                try mark(1 << 2, in: &seen, depth: 1); fields.sub = try stringField(depth: 1); return
            } else if matches(name, "exp") {
                try mark(1 << 3, in: &seen, depth: 1); fields.exp = try numericDate(); return
            } else if matches(name, "iat") {
                try mark(1 << 4, in: &seen, depth: 1); fields.iat = try numericDate(); return
            } else if matches(name, "nbf") {
                try mark(1 << 5, in: &seen, depth: 1); fields.nbf = try numericDate(); return
            } else if matches(name, "jti") {
                try mark(1 << 6, in: &seen, depth: 1); fields.jti = try stringField(depth: 1); return
            }
        case 26 where matches(name, "https://stytch.com/session"):
            try mark(1 << 7, in: &seen, depth: 1)
            fields.session = try objectField(depth: 1) { (reader, session: inout SessionFields) throws(StrictJSON.Failure) in
                try reader.sessionMembers(into: &session)
            }
            return
        case 31 where matches(name, "https://stytch.com/organization"):
            try mark(1 << 8, in: &seen, depth: 1)
            fields.organization = try objectField(depth: 1) { (reader, organization: inout OrganizationFields) throws(StrictJSON.Failure) in
                try reader.organizationMembers(into: &organization)
            }
            return
        default:
            break
        }
        let value = try value(depth: 1)
        guard fields.custom.insert(string(name), value) else { throw .duplicateMember(depth: 1) }
    }

    /// `aud`: the usual `["<projectID>"]` shares the verifier's array; a string is one audience.
    private mutating func audience() throws(StrictJSON.Failure) -> Field<[String]> {
        let start = index
        if try peek() == UInt8(ascii: "\""), case .read(let single) = try stringField(depth: 1) { return .read([single]) }
        index = start
        if let usual = shared.audience.first, try peek() == UInt8(ascii: "[") {
            index &+= 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "\""), case .bytes(let range) = try string(), same(range, usual) {
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index &+= 1
                    return .read(shared.audience)
                }
            }
            index = start
        }
        return try stringArrayField(depth: 1)
    }

    private mutating func sessionMembers(into fields: inout SessionFields) throws(StrictJSON.Failure) {
        var seen: UInt16 = 0
        var unknown = Unknown()
        try object(depth: 2) { (reader, name) throws(StrictJSON.Failure) in
            if reader.matches(name, "id") {
                try reader.mark(1 << 0, in: &seen, depth: 2); fields.id = try reader.stringField(depth: 2)
            } else if reader.matches(name, "started_at") {
                try reader.mark(1 << 1, in: &seen, depth: 2); fields.startedAt = try reader.timestamp(depth: 2)
            } else if reader.matches(name, "last_accessed_at") {
                try reader.mark(1 << 2, in: &seen, depth: 2); fields.lastAccessedAt = try reader.timestamp(depth: 2)
            } else if reader.matches(name, "expires_at") {
                try reader.mark(1 << 3, in: &seen, depth: 2); fields.expiresAt = try reader.timestamp(depth: 2)
            } else if reader.matches(name, "authentication_factors") {
                try reader.mark(1 << 4, in: &seen, depth: 2); fields.factors = try reader.factors()
            } else if reader.matches(name, "roles") {
                try reader.mark(1 << 5, in: &seen, depth: 2); fields.roles = try reader.stringArrayField(depth: 2)
            } else {
                _ = try reader.value(depth: 2)
                try unknown.insert(reader.string(name), depth: 2)
            }
        }
    }

    /// `authentication_factors`: an array (depth 3) of factor objects (depth 4); anything else,
    /// or an array holding a non-object, is kept as JSON for the rules to name.
    private mutating func factors() throws(StrictJSON.Failure) -> Field<FactorList> {
        let start = index
        guard try peek() == UInt8(ascii: "[") else { return .other(try value(depth: 2)) }
        index &+= 1
        var list = FactorList()
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            index &+= 1
            return .read(list)
        }
        var count = 0
        repeat {
            skipWhitespace()
            guard try peek() == UInt8(ascii: "{") else {
                index = start
                return .other(try value(depth: 2))
            }
            var factor = FactorFields()
            try factorMembers(into: &factor)
            if list.failure == nil {
                do {
                    list.factors.append(try AuthenticationFactor(&factor, path: TokenRules.factorsPath, index: count))
                } catch {
                    list.failure = error
                }
            }
            count &+= 1
        } while try another(close: UInt8(ascii: "]"))
        return .read(list)
    }

    private mutating func factorMembers(into fields: inout FactorFields) throws(StrictJSON.Failure) {
        var seen: UInt16 = 0
        try object(depth: 4) { (reader, name) throws(StrictJSON.Failure) in
            if reader.matches(name, "type") {
                try reader.mark(1 << 0, in: &seen, depth: 4)
                fields.type = try reader.openEnum(depth: 4, FactorType.known(utf8:), FactorType.init(rawValue:))
            } else if reader.matches(name, "delivery_method") {
                try reader.mark(1 << 1, in: &seen, depth: 4)
                fields.deliveryMethod = try reader.openEnum(depth: 4, DeliveryMethod.known(utf8:), DeliveryMethod.init(rawValue:))
            } else if reader.matches(name, "last_authenticated_at") {
                try reader.mark(1 << 2, in: &seen, depth: 4); fields.lastAuthenticatedAt = try reader.timestamp(depth: 4)
            } else if reader.matches(name, "created_at") {
                try reader.mark(1 << 3, in: &seen, depth: 4); fields.createdAt = try reader.timestamp(depth: 4)
            } else if reader.matches(name, "updated_at") {
                try reader.mark(1 << 4, in: &seen, depth: 4); fields.updatedAt = try reader.timestamp(depth: 4)
            } else {
                let value = try reader.value(depth: 4)
                guard fields.others.updateValue(value, forKey: reader.string(name)) == nil else { throw .duplicateMember(depth: 4) }
            }
        }
    }

    private mutating func organizationMembers(into fields: inout OrganizationFields) throws(StrictJSON.Failure) {
        var seen: UInt16 = 0
        var unknown = Unknown()
        try object(depth: 2) { (reader, name) throws(StrictJSON.Failure) in
            if reader.matches(name, "organization_id") {
                try reader.mark(1 << 0, in: &seen, depth: 2); fields.organizationID = try reader.stringField(depth: 2)
            } else if reader.matches(name, "slug") {
                try reader.mark(1 << 1, in: &seen, depth: 2); fields.slug = try reader.stringField(depth: 2)
            } else {
                _ = try reader.value(depth: 2)
                try unknown.insert(reader.string(name), depth: 2)
            }
        }
    }

    // MARK: Fields

    // Each field reader takes `depth`, the depth of the object holding the member, and parses a
    // value of another type at that depth (so nesting is bounded exactly as ``StrictJSON`` bounds it).

    /// An object (read by `members`), or anything else as JSON.
    private mutating func objectField<Fields>(
        depth: Int, _ members: (inout TokenReader, inout Fields) throws(StrictJSON.Failure) -> Void
    ) throws(StrictJSON.Failure) -> Field<Fields> where Fields: DefaultInitializable {
        guard try peek() == UInt8(ascii: "{") else { return .other(try value(depth: depth)) }
        var fields = Fields()
        try members(&self, &fields)
        return .read(fields)
    }

    /// A string (one of `known` when it has the same bytes: shared, not copied), or anything else as JSON.
    private mutating func stringField(depth: Int, sharing known: [String] = []) throws(StrictJSON.Failure) -> Field<String> {
        guard try peek() == UInt8(ascii: "\"") else { return .other(try value(depth: depth)) }
        let text = try string()
        if case .bytes(let range) = text {
            for string in known where same(range, string) { return .read(string) }
        }
        return .read(string(text))
    }

    /// A string naming a value of an open enumeration: known names matched as bytes.
    private mutating func openEnum<Value>(
        depth: Int, _ known: (UnsafeBufferPointer<UInt8>) -> Value?, _ make: (String) -> Value
    ) throws(StrictJSON.Failure) -> Field<Value> {
        guard try peek() == UInt8(ascii: "\"") else { return .other(try value(depth: depth)) }
        let text = try string()
        if case .bytes(let range) = text, let value = known(UnsafeBufferPointer(rebasing: bytes[range])) { return .read(value) }
        return .read(make(string(text)))
    }

    /// An RFC 3339 timestamp in a string (read from the bytes); any other string or value as JSON.
    private mutating func timestamp(depth: Int) throws(StrictJSON.Failure) -> Field<RFC3339Timestamp> {
        guard try peek() == UInt8(ascii: "\"") else { return .other(try value(depth: depth)) }
        let text = try string()
        let timestamp = switch text {
        case .bytes(let range): RFC3339Timestamp(utf8: UnsafeBufferPointer(rebasing: bytes[range]))
        case .decoded(let string): RFC3339Timestamp(string)
        }
        return timestamp.map(Field.read) ?? .other(.string(string(text)))
    }

    /// A JWT NumericDate: a finite JSON number. The usual non-negative integer of at most 15
    /// digits is read from its bytes (below 2^53, so exactly the `Double` its literal names).
    private mutating func numericDate() throws(StrictJSON.Failure) -> Field<Double> {
        let start = index
        var value: Int64 = 0
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
            value = value &* 10 &+ Int64(bytes[index] &- UInt8(ascii: "0"))
            index &+= 1
        }
        let count = index &- start
        if count >= 1, count <= 15, count == 1 || bytes[start] != UInt8(ascii: "0"),
           index == bytes.count || !(bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e")) {
            return .read(Double(value))
        }
        index = start
        let json = try self.value(depth: 1)
        if case .number(let number) = json, number.doubleValue.isFinite { return .read(number.doubleValue) }
        return .other(json)
    }

    /// An array of strings, or anything else as JSON.
    private mutating func stringArrayField(depth: Int) throws(StrictJSON.Failure) -> Field<[String]> {
        let start = index
        guard try peek() == UInt8(ascii: "[") else { return .other(try value(depth: depth)) }
        if depth + 1 > Self.maximumDepth { throw .tooDeep(limit: Self.maximumDepth) }
        index &+= 1
        var strings: [String] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            index &+= 1
            return .read(strings)
        }
        strings.reserveCapacity(4)  // roles and audiences are short lists: one allocation
        repeat {
            skipWhitespace()
            guard try peek() == UInt8(ascii: "\"") else {
                index = start
                return .other(try value(depth: depth))
            }
            strings.append(string(try string()))
        } while try another(close: UInt8(ascii: "]"))
        return .read(strings)
    }

    /// Any value, parsed by ``StrictJSON`` inside containers `depth` levels deep.
    private mutating func value(depth: Int) throws(StrictJSON.Failure) -> JSONValue {
        try StrictJSON.parseValue(in: bytes, at: &index, depth: depth, maximumDepth: Self.maximumDepth)
    }

    // MARK: Lexical pieces

    /// A string as read: the range of its bytes when they are plain ASCII with no escape (the
    /// form of nearly everything in a token), or its decoded text.
    private enum Text {
        case bytes(Range<Int>)
        case decoded(String)

        /// The UTF-8 length of the (decoded) text.
        var count: Int {
            switch self {
            case .bytes(let range): range.count
            case .decoded(let string): string.utf8.count
            }
        }
    }

    /// The string at `"`: sliced when plain, otherwise decoded and validated by ``StrictJSON``.
    private mutating func string() throws(StrictJSON.Failure) -> Text {
        let start = index &+ 1
        let end = StrictJSON.plainRunEnd(in: bytes, from: start)
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            index = end &+ 1
            return .bytes(start..<end)
        }
        return .decoded(try StrictJSON.parseString(in: bytes, at: &index))
    }

    private func string(_ text: Text) -> String {
        switch text {
        case .bytes(let range): String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        case .decoded(let string): string
        }
    }

    /// Whether `text` is `expected`, byte for byte. Inlined: a name that is not the one asked for
    /// almost always differs in its length or first byte.
    @inline(__always)
    private func matches(_ text: Text, _ expected: StaticString) -> Bool {
        switch text {
        case .bytes(let range):
            guard range.count == expected.utf8CodeUnitCount else { return false }
            let name = bytes.baseAddress! + range.lowerBound, wanted = expected.utf8Start
            for offset in 0..<range.count where name[offset] != wanted[offset] { return false }
            return true
        case .decoded(let string):
            return string.utf8.elementsEqual(UnsafeBufferPointer(start: expected.utf8Start, count: expected.utf8CodeUnitCount))
        }
    }

    /// Whether the bytes in `range` are exactly `string`'s UTF-8.
    private func same(_ range: Range<Int>, _ string: String) -> Bool {
        string.utf8.withContiguousStorageIfAvailable { utf8 in
            utf8.count == range.count && memcmp(bytes.baseAddress! + range.lowerBound, utf8.baseAddress!, range.count) == 0
        } ?? UnsafeBufferPointer(rebasing: bytes[range]).elementsEqual(string.utf8)
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        // Usually there is none: any byte above the space ends it at once.
        while index < bytes.count, bytes[index] <= 0x20 {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index &+= 1
            default: return
            }
        }
    }

    @inline(__always)
    private func peek() throws(StrictJSON.Failure) -> UInt8 {
        guard index < bytes.count else { throw .unexpectedEnd }
        return bytes[index]
    }

    /// After a member or element: `true` for `,` (another follows), `false` for `close`.
    @inline(__always)
    private mutating func another(close: UInt8) throws(StrictJSON.Failure) -> Bool {
        skipWhitespace()
        let byte = try peek()
        index &+= 1
        if byte == UInt8(ascii: ",") { return true }
        if byte == close { return false }
        throw .unexpectedByte(offset: index &- 1)
    }
}

/// Field sets that start empty.
protocol DefaultInitializable { init() }
extension SessionFields: DefaultInitializable {}
extension OrganizationFields: DefaultInitializable {}

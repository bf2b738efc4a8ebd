import Foundation
internal import CStytchShims

/// A payload's claims, each already of the type and form the claim rules require: what the
/// general path has read by the time it builds the result. (The payload scanner builds the
/// ``VerifiedSession`` itself, so that its claims move into it.)
struct PayloadClaims {
    var issuer: String
    var audience: [String]
    var subject: String
    var expiresAt: Double
    var issuedAt: Double
    var notBefore: Double
    var id: String?
    var session: SessionClaim
    var organization: OrganizationClaim
    var custom: CustomClaims
}

/// The fast path of header and claim reading: a strict reader for the header and payload shapes
/// Stytch issues that builds the `kid` and the typed claims directly, with no dictionary or
/// member-name string for the members it knows.
///
/// It is an optimisation, never a second set of rules: it accepts a header or payload only when it
/// is sure the general path (``StrictJSON`` into members, then the header rules or the claim
/// readers) would accept the same bytes and read the same values, and gives up (returns nil) on
/// anything else: an escape or a non-ASCII byte in a claim it reads itself, a claim of an
/// unexpected type or form, a missing or empty required claim, a number that is not a plain
/// integer of at most 15 digits, a duplicate name, anything after the object. The verifier then runs the general path, which decides the
/// error exactly as it always has. Values it does not interpret (custom claims, authentication
/// factors, unknown members of the two Stytch claims) go through ``StrictJSON`` itself, at their
/// real depth, so they are held to the same rules and decoded the same way.
/// `Tests/StytchJWTTests/JWTScannerTests.swift` checks that the two paths agree.
struct JWTScanner {
    private struct GiveUp: Error {}

    /// Strings a verifier expects in every token, so that a claim equal to one of them shares
    /// that string (a reference count) instead of allocating its own copy. A class: scanners and
    /// decoding hold it by one reference, not by one per array.
    final class ExpectedStrings: Sendable {
        /// None: every claim gets its own string.
        static let none = ExpectedStrings(issuers: [], audience: [], kids: [])

        /// The accepted issuers.
        let issuers: [String]
        /// `[projectID]`: the usual `aud`.
        let audience: [String]
        /// The `kid`s of pinned keys (a few at most), the key set's own strings: a header naming
        /// one shares it, and the key lookup then compares equal strings by identity.
        let kids: [String]
        /// For each of ``kids``, the header segment Stytch sends with it, base64url of
        /// `{"alg":"RS256","kid":"…","typ":"JWT"}`: a token whose header segment is exactly one of
        /// these has that header, which the header scanner reads to that `kid` (checked when this
        /// is built; a `kid` the scanner would not read in this form gets no entry), so decoding
        /// need not scan it again.
        private let usualHeaders: [(segment: [UInt8], kid: String)]

        private init(issuers: [String], audience: [String], kids: [String], usualHeaders: [(segment: [UInt8], kid: String)] = []) {
            self.issuers = issuers
            self.audience = audience
            self.kids = kids
            self.usualHeaders = usualHeaders
        }

        convenience init(issuers: some Sequence<String>, projectID: String, kids: [String] = []) {
            // Native contiguous UTF-8, so comparing them never copies.
            let issuers = issuers.map { var issuer = $0; issuer.makeContiguousUTF8(); return issuer }
            var projectID = projectID
            projectID.makeContiguousUTF8()
            let kids = kids.count <= 8 ? kids : []  // not copied: sharing is the point
            let scanning = ExpectedStrings(issuers: [], audience: [], kids: kids)
            var usualHeaders: [(segment: [UInt8], kid: String)] = []
            for kid in kids {
                let header = Array(#"{"alg":"RS256","kid":\#(JSONValue.string(kid).jsonText),"typ":"JWT"}"#.utf8)
                guard header.withUnsafeBufferPointer({ JWTScanner.scanHeader($0, expected: scanning) }) == kid else { continue }
                usualHeaders.append((Array(Base64URL.encode(header).utf8), kid))
            }
            self.init(issuers: issuers, audience: [projectID], kids: kids, usualHeaders: usualHeaders)
        }

        /// The `kid` of a header segment that is exactly one of the usual headers of ``kids``
        /// (the key set's own string), or nil: then the header is decoded and scanned as usual.
        func kid(ofUsualHeader segment: UnsafeBufferPointer<UInt8>) -> String? {
            for usual in usualHeaders where usual.segment.count == segment.count {
                let same = usual.segment.withUnsafeBufferPointer { memcmp($0.baseAddress!, segment.baseAddress!, segment.count) == 0 }
                if same { return usual.kid }
            }
            return nil
        }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private let expected: ExpectedStrings

    private init(_ bytes: UnsafeBufferPointer<UInt8>, expected: ExpectedStrings = .none) {
        self.bytes = bytes
        self.expected = expected
    }

    /// The session the payload's claims make with the header's `kid`, before the rules that
    /// compare with configuration and the clock (``StytchJWTVerifier/checkScannedClaims(_:now:)``),
    /// or nil when the general path must read it. Built by the scanner itself, so that every claim
    /// moves into the result (a copy would cost a reference-count operation per string or array).
    static func scanPayload(_ payload: ArraySlice<UInt8>, kid: String, expected: ExpectedStrings = .none) -> VerifiedSession? {
        payload.withUnsafeBufferPointer { buffer in
            var scanner = JWTScanner(buffer, expected: expected)
            return try? scanner.payload(kid: kid)
        }
    }

    /// The `kid` of a header that passes every header rule in its usual form (`alg` `RS256`, a
    /// non-empty `kid`, `typ` `JWT` in any case or absent, nothing else), or nil when the general
    /// path must read it.
    static func scanHeader(_ header: UnsafeBufferPointer<UInt8>, expected: ExpectedStrings = .none) -> String? {
        var scanner = JWTScanner(header, expected: expected)
        return try? scanner.header()
    }

    // MARK: Lexical pieces

    @inline(__always)
    private mutating func skipWhitespace() {
        // Usually there is none: any byte above the space ends it at once.
        if index < bytes.count, bytes[index] > 0x20 { return }
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index &+= 1
            default: return
            }
        }
    }

    /// Skips whitespace and consumes `byte`.
    @inline(__always)
    private mutating func expect(_ byte: UInt8) throws(GiveUp) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { throw GiveUp() }
        index &+= 1
    }

    /// Skips whitespace and consumes `byte` if it comes next (the end of an empty container).
    @inline(__always)
    private mutating func consumeIfNext(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index &+= 1
        return true
    }

    /// After a member or element: `true` for `,` (another follows), `false` for `close`.
    @inline(__always)
    private mutating func another(close: UInt8) throws(GiveUp) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw GiveUp() }
        let byte = bytes[index]
        index &+= 1
        if byte == UInt8(ascii: ",") { return true }
        if byte == close { return false }
        throw GiveUp()
    }

    /// A string of printable ASCII without escapes (the form every claim this reader reads takes
    /// in Stytch's tokens); its content's byte range.
    private mutating func plainString() throws(GiveUp) -> Range<Int> {
        try expect(UInt8(ascii: "\""))
        let start = index
        // The first byte that is not plain: it must be the closing quote.
        // The vector scan inline (a call into StytchJWKS per string costs as much as the scan);
        // it stops at a byte to look at or where fewer than 16 bytes remain: the word scan ends those.
        index = stytch_plain_run_end(bytes.baseAddress!, bytes.count, index)
        if stytch_plain_run_end_is_vectorised() == 0 || index &+ 16 > bytes.count {
            index = StrictJSON.plainRunEndWithWords(in: bytes, from: index)
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw GiveUp() }
        index &+= 1
        return start..<(index &- 1)
    }

    private func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// Whether the bytes in `range` are exactly `string`'s UTF-8.
    private func bytes(_ range: Range<Int>, equal string: String) -> Bool {
        string.utf8.withContiguousStorageIfAvailable { utf8 in
            utf8.count == range.count && memcmp(bytes.baseAddress! + range.lowerBound, utf8.baseAddress!, range.count) == 0
        } ?? (string == self.string(range))
    }

    private mutating func plainStringValue() throws(GiveUp) -> String {
        string(try plainString())
    }

    private mutating func nonEmptyString() throws(GiveUp) -> String {
        string(try nonEmptyRange())
    }

    private mutating func nonEmptyRange() throws(GiveUp) -> Range<Int> {
        let range = try plainString()
        guard !range.isEmpty else { throw GiveUp() }
        return range
    }

    /// An RFC 3339 timestamp in a plain string (read from the bytes: the canonical form makes no string).
    private mutating func timestamp() throws(GiveUp) -> RFC3339Timestamp {
        let range = try plainString()
        guard let value = RFC3339Timestamp(utf8: UnsafeBufferPointer(rebasing: bytes[range])) else { throw GiveUp() }
        return value
    }

    /// A JWT NumericDate in its usual form: a non-negative integer of at most 15 digits without
    /// a leading zero. Below 2^53, so exactly the `Double` the general path reads.
    private mutating func numericDate() throws(GiveUp) -> Double {
        skipWhitespace()
        let start = index
        var value: Int64 = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            value = value &* 10 &+ Int64(bytes[index] &- UInt8(ascii: "0"))
            index &+= 1
        }
        let count = index &- start
        guard count >= 1, count <= 15, count == 1 || bytes[start] != UInt8(ascii: "0") else { throw GiveUp() }
        return Double(value)
    }

    /// An array of plain strings.
    private mutating func plainStringArray() throws(GiveUp) -> [String] {
        try expect(UInt8(ascii: "["))
        var strings: [String] = []
        if consumeIfNext(UInt8(ascii: "]")) { return strings }
        strings.reserveCapacity(4)  // roles and audiences are short lists: one allocation
        repeat {
            strings.append(try plainStringValue())
        } while try another(close: UInt8(ascii: "]"))
        return strings
    }

    /// Any value, parsed by ``StrictJSON`` inside containers `depth` levels deep.
    private mutating func value(depth: Int) throws(GiveUp) -> JSONValue {
        do {
            return try StrictJSON.parseValue(in: bytes, at: &index, depth: depth, maximumDepth: CompactJWS.Limits.maximumJSONDepth)
        } catch {
            throw GiveUp()
        }
    }

    /// Whether the bytes in `range` are `expected`. Byte by byte, inlined: a name that is not the
    /// one asked for almost always differs in its first byte, so this costs less than a `memcmp` call.
    @inline(__always)
    private func name(_ range: Range<Int>, is expected: StaticString) -> Bool {
        guard range.count == expected.utf8CodeUnitCount else { return false }
        let name = bytes.baseAddress! + range.lowerBound, wanted = expected.utf8Start
        for offset in 0..<range.count where name[offset] != wanted[offset] { return false }
        return true
    }

    private func sameName(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        a.count == b.count && memcmp(bytes.baseAddress! + a.lowerBound, bytes.baseAddress! + b.lowerBound, a.count) == 0
    }

    /// Parses a member value this reader does not interpret (inside an object at `depth`) and
    /// checks its name does not repeat another unknown one (`others`; a known name never gets here).
    private mutating func skipUnknownMember(_ name: Range<Int>, others: inout [Range<Int>], depth: Int) throws(GiveUp) {
        _ = try value(depth: depth)
        for other in others where sameName(other, name) { throw GiveUp() }
        others.append(name)
    }

    /// Marks member `bit` as seen; a second sighting is a duplicate name.
    private func mark(_ bit: UInt16, in seen: inout UInt16) throws(GiveUp) {
        guard seen & bit == 0 else { throw GiveUp() }
        seen |= bit
    }

    // MARK: The header

    private mutating func header() throws(GiveUp) -> String {
        try expect(UInt8(ascii: "{"))
        var kid: String?
        var seen: UInt16 = 0
        repeat {
            let name = try plainString()
            try expect(UInt8(ascii: ":"))
            if self.name(name, is: "alg") {
                try mark(1 << 0, in: &seen)
                guard self.name(try plainString(), is: "RS256") else { throw GiveUp() }
            } else if self.name(name, is: "kid") {
                try mark(1 << 1, in: &seen)
                kid = try nonEmptyString(sharing: expected.kids)
            } else if self.name(name, is: "typ") {
                try mark(1 << 2, in: &seen)
                let value = try plainString()
                // `JWT` in any case: ASCII letters differ from their lower case only in bit 0x20.
                guard value.count == 3,
                      bytes[value.lowerBound] | 0x20 == UInt8(ascii: "j"),
                      bytes[value.lowerBound + 1] | 0x20 == UInt8(ascii: "w"),
                      bytes[value.lowerBound + 2] | 0x20 == UInt8(ascii: "t")
                else { throw GiveUp() }
            } else {
                throw GiveUp()
            }
        } while try another(close: UInt8(ascii: "}"))
        skipWhitespace()
        guard index == bytes.count, seen & 0b011 == 0b011, let kid else { throw GiveUp() }
        return kid
    }

    // MARK: The payload

    /// The session the payload makes with `kid`, built from the claims as read: each moves in.
    private mutating func payload(kid: String) throws(GiveUp) -> VerifiedSession {
        try expect(UInt8(ascii: "{"))
        var issuer: String?, audience: [String]?, subject: String?, id: String?
        var exp = 0.0, iat = 0.0, nbf = 0.0
        var session: SessionParts?, organization: (id: String, slug: String?)?
        var custom = CustomClaims()
        var seen: UInt16 = 0
        repeat {
            let name = try plainString()
            try expect(UInt8(ascii: ":"))
            if name.count == 3 {
                if self.name(name, is: "iss") {
                    try mark(1 << 0, in: &seen); issuer = try issuerValue()
                } else if self.name(name, is: "sub") {
                    try mark(1 << 1, in: &seen); subject = try nonEmptyString()
                } else if self.name(name, is: "aud") {
                    try mark(1 << 2, in: &seen); audience = try audienceValue()
                } else if self.name(name, is: "exp") {
                    try mark(1 << 3, in: &seen); exp = try numericDate()
                } else if self.name(name, is: "iat") {
                    try mark(1 << 4, in: &seen); iat = try numericDate()
                } else if self.name(name, is: "nbf") {
                    try mark(1 << 5, in: &seen); nbf = try numericDate()
                } else if self.name(name, is: "jti") {
                    try mark(1 << 6, in: &seen); id = try plainStringValue()
                } else {
                    try customMember(name, into: &custom)
                }
            } else if self.name(name, is: "https://stytch.com/session") {
                try mark(1 << 7, in: &seen); session = try sessionClaim()
            } else if self.name(name, is: "https://stytch.com/organization") {
                try mark(1 << 8, in: &seen); organization = try organizationClaim()
            } else {
                try customMember(name, into: &custom)
            }
        } while try another(close: UInt8(ascii: "}"))
        skipWhitespace()
        guard index == bytes.count, seen & 0b1_1011_1111 == 0b1_1011_1111,  // every claim but jti
              let issuer = issuer.take(), let audience = audience.take(), let subject = subject.take(),
              let (sessionID, startedAt, lastAccessedAt, expiresAt, factors, roles) = session.take(),
              let (organizationID, slug) = organization.take()
        else { throw GiveUp() }
        return VerifiedSession(
            memberID: subject, organizationID: organizationID, organizationSlug: slug, memberSessionID: sessionID,
            startedAt: startedAt, lastAccessedAt: lastAccessedAt, expiresAt: expiresAt,
            roles: roles, authenticationFactors: factors, custom: custom,
            jwt: JWTMetadata(keyID: kid, issuer: issuer, audience: audience, issuedAt: iat, notBefore: nbf, expiresAt: exp, id: id.take())
        )
    }

    private mutating func customMember(_ name: Range<Int>, into custom: inout CustomClaims) throws(GiveUp) {
        let value = try value(depth: 1)
        guard custom.insert(string(name), value) else { throw GiveUp() }
    }

    /// `aud`: one string, or an array of strings.
    private mutating func audienceValue() throws(GiveUp) -> [String] {
        skipWhitespace()
        guard index < bytes.count else { throw GiveUp() }
        let start = index
        if bytes[index] != UInt8(ascii: "[") {
            let range = try plainString()
            if let usual = expected.audience.first, self.bytes(range, equal: usual) { return expected.audience }
            return [string(range)]
        }
        // The usual `["<projectID>"]` shares the verifier's array; anything else is read in full.
        if let usual = expected.audience.first {
            index += 1
            if let range = try? plainString(), self.bytes(range, equal: usual), consumeIfNext(UInt8(ascii: "]")) {
                return expected.audience
            }
            index = start
        }
        return try plainStringArray()
    }

    /// `iss`: a non-empty string, shared with the verifier's when it is an accepted one.
    private mutating func issuerValue() throws(GiveUp) -> String {
        try nonEmptyString(sharing: expected.issuers)
    }

    /// A non-empty plain string: one of `known` when it has the same bytes (shared, not copied).
    private mutating func nonEmptyString(sharing known: [String]) throws(GiveUp) -> String {
        let range = try nonEmptyRange()
        for string in known where self.bytes(range, equal: string) { return string }
        return string(range)
    }

    /// The parts of `https://stytch.com/session` the result keeps (a tuple, so they move into it).
    private typealias SessionParts = (
        id: String, startedAt: RFC3339Timestamp, lastAccessedAt: RFC3339Timestamp, expiresAt: RFC3339Timestamp,
        factors: [AuthenticationFactor], roles: [String]
    )

    /// `https://stytch.com/session` (an object at depth 2).
    private mutating func sessionClaim() throws(GiveUp) -> SessionParts {
        try expect(UInt8(ascii: "{"))
        var id: String?, startedAt: RFC3339Timestamp?, lastAccessedAt: RFC3339Timestamp?, expiresAt: RFC3339Timestamp?
        var factors: [AuthenticationFactor]?, roles: [String]?
        var seen: UInt16 = 0
        var others: [Range<Int>] = []
        if consumeIfNext(UInt8(ascii: "}")) { throw GiveUp() }
        repeat {
            let name = try plainString()
            try expect(UInt8(ascii: ":"))
            if self.name(name, is: "id") {
                try mark(1 << 0, in: &seen); id = try nonEmptyString()
            } else if self.name(name, is: "started_at") {
                try mark(1 << 1, in: &seen); startedAt = try timestamp()
            } else if self.name(name, is: "last_accessed_at") {
                try mark(1 << 2, in: &seen); lastAccessedAt = try timestamp()
            } else if self.name(name, is: "expires_at") {
                try mark(1 << 3, in: &seen); expiresAt = try timestamp()
            } else if self.name(name, is: "authentication_factors") {
                try mark(1 << 4, in: &seen); factors = try authenticationFactors()
            } else if self.name(name, is: "roles") {
                try mark(1 << 5, in: &seen); roles = try plainStringArray()
            } else {
                try skipUnknownMember(name, others: &others, depth: 2)
            }
        } while try another(close: UInt8(ascii: "}"))
        // take(): each value moves out of its variable (a `let` binding would copy it).
        guard let id = id.take(), let startedAt, let lastAccessedAt, let expiresAt, let factors = factors.take() else { throw GiveUp() }
        return (id, startedAt, lastAccessedAt, expiresAt, factors, roles.take() ?? [])
    }

    /// `authentication_factors` (an array at depth 3 of objects read by ``AuthenticationFactor``).
    private mutating func authenticationFactors() throws(GiveUp) -> [AuthenticationFactor] {
        try expect(UInt8(ascii: "["))
        var factors: [AuthenticationFactor] = []
        if consumeIfNext(UInt8(ascii: "]")) { return factors }
        repeat {
            factors.append(try authenticationFactor())
        } while try another(close: UInt8(ascii: "]"))
        return factors
    }

    /// One authentication factor (an object at depth 4), read as ``AuthenticationFactor`` reads
    /// it: `type` and `delivery_method` non-empty strings, the three timestamps valid when sent,
    /// at most one member whose value is an object (the factor sub-object). A factor with other
    /// members keeps its JSON as the general parser builds it; one with only those five members
    /// (all strings) leaves it to ``AuthenticationFactor/json`` to rebuild.
    private mutating func authenticationFactor() throws(GiveUp) -> AuthenticationFactor {
        try expect(UInt8(ascii: "{"))
        var type: FactorType?, deliveryMethod: DeliveryMethod?
        var lastAuthenticatedAt: RFC3339Timestamp?, createdAt: RFC3339Timestamp?, updatedAt: RFC3339Timestamp?
        var detail: FactorDetail?
        var others: [String: JSONValue] = [:]  // the members not read into typed fields, as sent
        var seen: UInt16 = 0
        if consumeIfNext(UInt8(ascii: "}")) { throw GiveUp() }
        repeat {
            let nameRange = try plainString()
            try expect(UInt8(ascii: ":"))
            if self.name(nameRange, is: "type") {
                try mark(1 << 0, in: &seen)
                let range = try nonEmptyRange()
                type = FactorType.known(utf8: UnsafeBufferPointer(rebasing: bytes[range])) ?? FactorType(rawValue: string(range))
            } else if self.name(nameRange, is: "delivery_method") {
                try mark(1 << 1, in: &seen)
                let range = try nonEmptyRange()
                deliveryMethod = DeliveryMethod.known(utf8: UnsafeBufferPointer(rebasing: bytes[range]))
                    ?? DeliveryMethod(rawValue: string(range))
            } else if self.name(nameRange, is: "last_authenticated_at") {
                try mark(1 << 2, in: &seen); lastAuthenticatedAt = try timestamp()
            } else if self.name(nameRange, is: "created_at") {
                try mark(1 << 3, in: &seen); createdAt = try timestamp()
            } else if self.name(nameRange, is: "updated_at") {
                try mark(1 << 4, in: &seen); updatedAt = try timestamp()
            } else {
                let key = string(nameRange)
                let member = try value(depth: 4)
                if case .object(let subFields) = member {
                    guard detail == nil else { throw GiveUp() }
                    detail = FactorDetail(name: key, fields: subFields)
                }
                guard others.updateValue(member, forKey: key) == nil else { throw GiveUp() }
            }
        } while try another(close: UInt8(ascii: "}"))
        guard let type, let deliveryMethod else { throw GiveUp() }
        return AuthenticationFactor(
            type: type, deliveryMethod: deliveryMethod,
            lastAuthenticatedAt: lastAuthenticatedAt, createdAt: createdAt, updatedAt: updatedAt,
            detail: detail, otherMembers: others
        )
    }

    /// `https://stytch.com/organization` (an object at depth 2): its ID and slug.
    private mutating func organizationClaim() throws(GiveUp) -> (id: String, slug: String?) {
        try expect(UInt8(ascii: "{"))
        var organizationID: String?, slug: String?
        var seen: UInt16 = 0
        var others: [Range<Int>] = []
        if consumeIfNext(UInt8(ascii: "}")) { throw GiveUp() }
        repeat {
            let name = try plainString()
            try expect(UInt8(ascii: ":"))
            if self.name(name, is: "organization_id") {
                try mark(1 << 0, in: &seen); organizationID = try nonEmptyString()
            } else if self.name(name, is: "slug") {
                try mark(1 << 1, in: &seen); slug = try plainStringValue()
            } else {
                try skipUnknownMember(name, others: &others, depth: 2)
            }
        } while try another(close: UInt8(ascii: "}"))
        guard let organizationID = organizationID.take() else { throw GiveUp() }
        return (organizationID, slug.take())
    }
}

// MARK: - Agreement with the general path (for tests and the fuzzer)

/// What the scanner and the general path made of the same bytes, for checking that they agree.
package struct ScannerAgreement {
    /// Whether the scanner read the bytes (when it gives up, only the general path runs and there
    /// is nothing to compare).
    package let scanned: Bool
    /// Nil when the two agree (or the scanner gave up); otherwise what differs, without any content.
    package let disagreement: String?
}

extension StytchJWTVerifier {
    /// Reads `payload` with the scanner and with the general path (strict members, then the claim
    /// readers) and checks both at `now`: the same session, or the same error code and message.
    package func scannerAgreement(payload: [UInt8], kid: String, now: Double) -> ScannerAgreement {
        guard let scanned = JWTScanner.scanPayload(payload[...], kid: kid, expected: expectedStrings) else {
            return ScannerAgreement(scanned: false, disagreement: nil)
        }
        let fast = Result { () throws(StytchJWTError) -> VerifiedSession in
            try checkScannedClaims(scanned, now: now)
            return scanned
        }
        let general = Result { () throws(StytchJWTError) -> VerifiedSession in
            let members: [JSONMember]
            do {
                members = try StrictJSON.parseObjectMembers(payload, maximumDepth: CompactJWS.Limits.maximumJSONDepth)
            } catch {
                throw StytchJWTError(.malformed, "payload is not a strict JSON object: \(error)")
            }
            return try checkClaims(members, kid: kid, now: now)
        }
        // Timestamps compare by instant; their text (rebuilt for the canonical form) must match too.
        func texts(_ result: Result<VerifiedSession, StytchJWTError>) -> Result<[String], StytchJWTError> {
            result.map { [$0.startedAt.text, $0.lastAccessedAt.text, $0.expiresAt.text] }
        }
        let disagreement = Self.disagreement(fast, general) ?? Self.disagreement(texts(fast), texts(general))
        return ScannerAgreement(scanned: true, disagreement: disagreement)
    }

    /// Reads `header` with the scanner and with the general path (strict members, then the header
    /// rules): the scanner's `kid` must be the one the rules return. `knownKIDs` are the pinned
    /// keys' `kid`s the scanner shares when the header names one.
    package static func scannerAgreement(header: [UInt8], knownKIDs: [String] = []) -> ScannerAgreement {
        let expected = JWTScanner.ExpectedStrings(issuers: [], projectID: "", kids: knownKIDs)
        guard let kid = header.withUnsafeBufferPointer({ JWTScanner.scanHeader($0, expected: expected) }) else {
            return ScannerAgreement(scanned: false, disagreement: nil)
        }
        let general: Result<String, StytchJWTError>
        do {
            let members = try StrictJSON.parseObjectMembers(header, maximumDepth: CompactJWS.Limits.maximumJSONDepth)
            general = Result { () throws(StytchJWTError) in try CompactJWS.checkHeader(members) }
        } catch {
            general = .failure(StytchJWTError(.malformed, "header is not a strict JSON object: \(error)"))
        }
        return ScannerAgreement(scanned: true, disagreement: Self.disagreement(.success(kid), general))
    }

    /// The `kid` that decoding reads from a header `segment` (base64url, as in a token) without
    /// scanning it, because it is byte for byte the usual header of one of `knownKIDs`; nil when
    /// decoding would decode and scan it.
    package static func usualHeaderKID(segment: [UInt8], knownKIDs: [String]) -> String? {
        let expected = JWTScanner.ExpectedStrings(issuers: [], projectID: "", kids: knownKIDs)
        return segment.withUnsafeBufferPointer { expected.kid(ofUsualHeader: $0) }
    }

    private static func disagreement<Value: Equatable>(
        _ fast: Result<Value, StytchJWTError>, _ general: Result<Value, StytchJWTError>
    ) -> String? {
        switch (fast, general) {
        case (.success(let a), .success(let b)):
            return a == b ? nil : "both accepted, with different results"
        case (.failure(let a), .failure(let b)):
            return a.code == b.code && a.message == b.message ? nil : "both refused, scanner \(a.code) vs general \(b.code)"
        case (.success, .failure(let b)):
            return "the scanner accepted what the general path refuses with \(b.code)"
        case (.failure(let a), .success):
            return "the scanner refused with \(a.code) what the general path accepts"
        }
    }
}

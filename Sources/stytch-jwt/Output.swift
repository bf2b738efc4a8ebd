import Foundation
import StytchJWT

/// Writing results: one JSON object per result with `--json`, a short summary otherwise.
///
/// Strings from a token, a response or a fetched JWKS reach a terminal only escaped: a terminal
/// acts on control characters (`ESC ] 0 ; … BEL` retitles it, `ESC [ 2 J` clears it, a newline
/// forges an output line) and the bidi controls reorder what it shows. Human output passes every
/// such string through ``printable(_:)``; JSON output through ``terminalSafe(json:)``.
enum Output {
    /// Writes `bytes` to standard output as they are.
    static func standardOutput(_ bytes: [UInt8]) throws(CommandFailure) {
        do {
            try FileHandle.standardOutput.write(contentsOf: bytes)
        } catch {
            throw .usage("cannot write to standard output")
        }
    }

    /// Writes `message` to standard error, each of its lines ``printable(_:)``.
    static func standardError(_ message: String) {
        let lines = message.split(separator: "\n", omittingEmptySubsequences: false).map { printable(String($0)) }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// Whether a terminal may act on `scalar`: the control characters (C0, DEL, C1) and the
    /// bidi controls (embeddings, overrides, isolates and marks, U+202A–U+202E, U+2066–U+2069,
    /// U+200E, U+200F, U+061C).
    static func isTerminalControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || scalar.properties.isBidiControl
    }

    /// Whether `text` is printable ASCII only (0x20–0x7E), and, unless `quoteOrBackslash`, holds
    /// no `"` or `\`: then nothing in it is escaped, for a terminal, in JSON or by ``printable(_:)``.
    /// One branch-free pass the compiler vectorises: a byte is outside the range exactly when
    /// `byte + 1` or `byte - 0x20` (wrapping) has its high bit set.
    static func isPrintableASCII(_ text: String, quoteOrBackslash: Bool = true) -> Bool {
        if let answer = text.utf8.withContiguousStorageIfAvailable({ isPrintableASCII($0, quoteOrBackslash: quoteOrBackslash) }) {
            return answer
        }
        return Array(text.utf8).withUnsafeBufferPointer { isPrintableASCII($0, quoteOrBackslash: quoteOrBackslash) }
    }

    /// The same over UTF-8 bytes.
    static func isPrintableASCII(_ bytes: UnsafeBufferPointer<UInt8>, quoteOrBackslash: Bool = true) -> Bool {
        var outside: UInt8 = 0, special: UInt8 = 0
        for byte in bytes {
            outside |= (byte &+ 1) | (byte &- 0x20)
            special |= (byte == UInt8(ascii: "\"") ? 1 : 0) | (byte == UInt8(ascii: "\\") ? 1 : 0)
        }
        return outside & 0x80 == 0 && (quoteOrBackslash || special == 0)
    }

    /// `text` for a human reader, escaped as a Swift string literal escapes: a terminal control
    /// as `\n`, `\r`, `\t` or `\u{1B}`, and a backslash doubled, so what is shown reads back
    /// unambiguously.
    static func printable(_ text: String) -> String {
        if isPrintableASCII(text, quoteOrBackslash: false) { return text }
        var shown = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": shown += "\\\\"
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            case _ where isTerminalControl(scalar):
                let hex = String(scalar.value, radix: 16, uppercase: true)
                shown += "\\u{" + (hex.count < 2 ? "0" : "") + hex + "}"
            default: shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    /// Compact JSON text (no whitespace between its tokens, as every writer here produces) with
    /// every terminal control in it escaped as JSON does (`\u009b`): the same JSON value, valid
    /// JSON still, safe to show. The JSON writer already escapes C0; this adds DEL, C1 and bidi.
    static func terminalSafe(json: String) -> String {
        if isPrintableASCII(json) { return json }
        var safe = ""
        safe.reserveCapacity(json.utf8.count + 64)
        for scalar in json.unicodeScalars {
            if isTerminalControl(scalar) {
                let hex = String(scalar.value, radix: 16)
                safe += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                safe.unicodeScalars.append(scalar)
            }
        }
        return safe
    }

    /// An object whose members keep the order given (the order SPEC §6 shows), ``terminalSafe(json:)``.
    static func object(_ members: [(String, String)]) -> String {
        terminalSafe(json: "{" + members.map { JSONValue.string($0.0).jsonText + ":" + $0.1 }.joined(separator: ",") + "}")
    }

    static func string(_ value: String?) -> String {
        value.map { JSONValue.string($0).jsonText } ?? "null"
    }

    /// A Codable value as compact JSON with sorted keys, or `null`.
    static func encoded(_ value: (some Encodable)?) -> String {
        guard let value else { return "null" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A NumericDate as an integer when it is one, else as a decimal.
    static func number(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 9.0e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// The verified-session object of SPEC §6, ``terminalSafe(json:)``.
    static func json(_ session: VerifiedSession) -> String {
        var writer = JSONWriter()
        writer.session(session)
        return writer.text
    }

    /// The rejection object of SPEC §6, with any extra top-level members (for `mfa_required`).
    static func json(_ error: StytchJWTError, extra: [(String, String)] = []) -> String {
        object([
            ("valid", "false"),
            ("error", object([("code", string(error.code.description)), ("message", string(error.message))])),
        ] + extra)
    }

    /// A short human summary of a verified session. Every string from the token is ``printable(_:)``.
    static func summary(_ session: VerifiedSession) -> String {
        let p = printable
        let slug = session.organizationSlug.map { " (\(p($0)))" } ?? ""
        let factors = session.authenticationFactors.map { "\(p("\($0.type)")) via \(p("\($0.deliveryMethod)"))" }
        let roles = session.roles.map(p)
        let claimNames = session.customClaims.keys.sorted().map(p)
        return """
            VERIFIED  member \(p(session.memberID))
              organization   \(p(session.organizationID))\(slug)
              session        \(p(session.memberSessionID))
              started        \(p(session.startedAt.text))
              last accessed  \(p(session.lastAccessedAt.text))
              session ends   \(p(session.expiresAt.text))
              roles          \(roles.isEmpty ? "(none)" : roles.joined(separator: ", "))
              factors        \(factors.isEmpty ? "(none)" : factors.joined(separator: ", "))
              custom claims  \(claimNames.isEmpty ? "(none)" : claimNames.joined(separator: ", "))
              jwt            kid \(p(session.jwt.keyID)), issued \(isoDate(session.jwt.issuedAt)), expires \(isoDate(session.jwt.expiresAt))
            """
    }

    /// The verified object of `credential` (``JSONWriter/credential(_:kind:)``).
    static func json(_ credential: StytchCredential, kind: Bool) -> String {
        var writer = JSONWriter()
        writer.credential(credential, kind: kind)
        return writer.text
    }

    /// A short human summary of a verified credential.
    static func summary(_ credential: StytchCredential) -> String {
        let p = printable
        func common(_ scopes: [String], _ claims: [String: JSONValue], _ jwt: JWTMetadata) -> String {
            let claimNames = claims.keys.sorted().map(p)
            return """
                  scopes         \(scopes.isEmpty ? "(none)" : scopes.map(p).joined(separator: " "))
                  custom claims  \(claimNames.isEmpty ? "(none)" : claimNames.joined(separator: ", "))
                  jwt            kid \(p(jwt.keyID)), issued \(isoDate(jwt.issuedAt)), expires \(isoDate(jwt.expiresAt))
                """
        }
        switch credential {
        case .session(let session):
            return summary(session)
        case .m2m(let token):
            return "VERIFIED  M2M client \(p(token.clientID))\n" + common(token.scopes, token.customClaims, token.jwt)
        case .accessToken(let token):
            let slug = token.organizationSlug.map { " (\(p($0)))" } ?? ""
            return """
                VERIFIED  Connected Apps access token of member \(p(token.memberID))
                  organization   \(p(token.organizationID))\(slug)

                """ + common(token.scopes, token.customClaims, token.jwt)
        }
    }

    static func isoDate(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}

/// JSON text written as bytes: each `verify --batch` worker writes its lines into one, so a line
/// costs no string of its own. Everything written is ``Output/terminalSafe(json:)``.
///
/// Strings go through the library's JSON writer (``JSONValue/writeString(_:to:)``, the one rule
/// for escaping), except those of printable ASCII with no `"` or `\`, which JSON writes as they
/// are: copied straight in, the common case (identifiers, timestamps).
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    /// Appends JSON text (or a line break) as it is.
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends JSON text made by another writer, terminal controls escaped.
    mutating func json(_ text: String) {
        bytes.append(contentsOf: Output.terminalSafe(json: text).utf8)
    }

    /// Appends the UTF-8 of `text` (one copy).
    private mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ value: String) {
        // One look at the bytes in place (no copy of the string): printable ASCII goes in as it is.
        let written = value.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard Output.isPrintableASCII(utf8, quoteOrBackslash: false) else { return false }
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
            return true
        }
        if written == true { return }
        if written == nil, Output.isPrintableASCII(value, quoteOrBackslash: false) {
            bytes.append(UInt8(ascii: "\""))
            append(value)
            bytes.append(UInt8(ascii: "\""))
        } else {
            var text = ""
            JSONValue.writeString(value, to: &text)
            json(text)
        }
    }

    /// Appends `value` as ``JSONValue/jsonText`` writes it (numbers as their literal, object
    /// members sorted by name), its strings through ``string(_:)``.
    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: raw("null")
        case .bool(let flag): flag ? raw("true") : raw("false")
        case .number(let number): append(number.literal)
        case .string(let text): string(text)
        case .array(let elements):
            raw("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { raw(",") }
                self.value(element)
            }
            raw("]")
        case .object(let members):
            raw("{")
            var first = true
            for member in members.sorted(by: { $0.key < $1.key }) {
                key(member.key, first: &first)
                self.value(member.value)
            }
            raw("}")
        }
    }

    /// `"name":`, after a comma unless `first` (which it clears).
    mutating func key(_ name: String, first: inout Bool) {
        if !first { raw(",") }
        first = false
        string(name)
        raw(":")
    }

    mutating func number(_ value: Double) {
        append(Output.number(value))
    }

    /// The verified-session object of SPEC §6, members in its order.
    /// The verified object of whatever `credential` is; with `kind`, it names the kind first
    /// (`"kind":"session"|"m2m"|"access_token"`, SPEC §6 and §9).
    mutating func credential(_ credential: StytchCredential, kind: Bool) {
        switch credential {
        case .session(let session):
            self.session(session, kind: kind)
        case .m2m(let token):
            raw(#"{"valid":true,"kind":"m2m","client_id":"#)
            string(token.clientID)
            scopesAndClaims(token.scopes, token.customClaims, token.jwt)
        case .accessToken(let token):
            raw(#"{"valid":true,"kind":"access_token","member_id":"#)
            string(token.memberID)
            raw(#","organization_id":"#)
            string(token.organizationID)
            raw(#","organization_slug":"#)
            if let slug = token.organizationSlug { string(slug) } else { raw("null") }
            scopesAndClaims(token.scopes, token.customClaims, token.jwt)
        }
    }

    private mutating func scopesAndClaims(_ scopes: [String], _ claims: [String: JSONValue], _ jwt: JWTMetadata) {
        raw(#","scopes":["#)
        for (index, scope) in scopes.enumerated() {
            if index > 0 { raw(",") }
            string(scope)
        }
        raw(#"],"custom_claims":"#)
        value(.object(claims))
        self.jwt(jwt)
    }

    private mutating func jwt(_ jwt: JWTMetadata) {
        raw(#","jwt":{"kid":"#)
        string(jwt.keyID)
        raw(#","iat":"#)
        number(jwt.issuedAt)
        raw(#","nbf":"#)
        number(jwt.notBefore)
        raw(#","exp":"#)
        number(jwt.expiresAt)
        raw("}}")
    }

    mutating func session(_ session: VerifiedSession, kind: Bool = false) {
        raw(kind ? #"{"valid":true,"kind":"session","member_id":"# : #"{"valid":true,"member_id":"#)
        string(session.memberID)
        raw(#","organization_id":"#)
        string(session.organizationID)
        raw(#","organization_slug":"#)
        if let slug = session.organizationSlug { string(slug) } else { raw("null") }
        raw(#","member_session_id":"#)
        string(session.memberSessionID)
        raw(#","started_at":"#)
        string(session.startedAt.text)
        raw(#","last_accessed_at":"#)
        string(session.lastAccessedAt.text)
        raw(#","expires_at":"#)
        string(session.expiresAt.text)
        raw(#","roles":["#)
        for (index, role) in session.roles.enumerated() {
            if index > 0 { raw(",") }
            string(role)
        }
        raw(#"],"authentication_factors":["#)
        for (index, factor) in session.authenticationFactors.enumerated() {
            if index > 0 { raw(",") }
            guard !factor.keepsSentJSON else {
                value(factor.json)
                continue
            }
            // Stytch's usual factor, from its typed fields as `json` would rebuild and sort them.
            raw("{")
            var first = true
            factor.forEachTypedMemberInKeyOrder { name, text in
                key(name, first: &first)
                string(text)
            }
            raw("}")
        }
        raw(#"],"custom_claims":{"#)
        var first = true
        session.forEachCustomClaimInNameOrder { name, claim in
            key(name, first: &first)
            value(claim)
        }
        raw("}")
        jwt(session.jwt)
    }
}

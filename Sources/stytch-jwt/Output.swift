import Foundation
import StytchJWT

/// Writing results: one JSON object per result with `--json`, a short summary otherwise.
///
/// Strings from a token, a response or a fetched JWKS reach a terminal only escaped: a terminal
/// acts on control characters (`ESC ] 0 ; … BEL` retitles it, `ESC [ 2 J` clears it, a newline
/// forges an output line) and the bidi controls reorder what it shows. Human output passes every
/// such string through ``printable(_:)``; JSON output through ``terminalSafe(json:)``.
enum Output {
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
        var text = text
        return text.withUTF8 { bytes in
            var outside: UInt8 = 0, special: UInt8 = 0
            for byte in bytes {
                outside |= (byte &+ 1) | (byte &- 0x20)
                special |= (byte == UInt8(ascii: "\"") ? 1 : 0) | (byte == UInt8(ascii: "\\") ? 1 : 0)
            }
            return outside & 0x80 == 0 && (quoteOrBackslash || special == 0)
        }
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
        // Written into one string (`verify --batch` writes one per token): the same text as
        // `object(_:)` of the members would give.
        var output = ""
        output.reserveCapacity(1024)
        func string(_ value: String) { JSONValue.writeString(value, to: &output) }
        output += #"{"valid":true,"member_id":"#
        string(session.memberID)
        output += #","organization_id":"#
        string(session.organizationID)
        output += #","organization_slug":"#
        if let slug = session.organizationSlug { string(slug) } else { output += "null" }
        output += #","member_session_id":"#
        string(session.memberSessionID)
        output += #","started_at":"#
        string(session.startedAt.text)
        output += #","last_accessed_at":"#
        string(session.lastAccessedAt.text)
        output += #","expires_at":"#
        string(session.expiresAt.text)
        output += #","roles":["#
        for (index, role) in session.roles.enumerated() {
            if index > 0 { output += "," }
            string(role)
        }
        output += #"],"authentication_factors":["#
        for (index, factor) in session.authenticationFactors.enumerated() {
            if index > 0 { output += "," }
            factor.json.write(to: &output)
        }
        output += #"],"custom_claims":"#
        JSONValue.object(session.customClaims).write(to: &output)
        output += #","jwt":{"kid":"#
        string(session.jwt.keyID)
        output += #","iat":"# + number(session.jwt.issuedAt)
        output += #","nbf":"# + number(session.jwt.notBefore)
        output += #","exp":"# + number(session.jwt.expiresAt)
        output += "}}"
        return terminalSafe(json: output)
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

    static func isoDate(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}

import Foundation
import StytchJWT

/// Writing results: one JSON object per result with `--json`, a short summary otherwise.
enum Output {
    static func standardError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// An object whose members keep the order given (the order SPEC §6 shows).
    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { JSONValue.string($0.0).jsonText + ":" + $0.1 }.joined(separator: ",") + "}"
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

    /// The verified-session object of SPEC §6.
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
        return output
    }

    /// The rejection object of SPEC §6, with any extra top-level members (for `mfa_required`).
    static func json(_ error: StytchJWTError, extra: [(String, String)] = []) -> String {
        object([
            ("valid", "false"),
            ("error", object([("code", string(error.code.description)), ("message", string(error.message))])),
        ] + extra)
    }

    /// A short human summary of a verified session.
    static func summary(_ session: VerifiedSession) -> String {
        let slug = session.organizationSlug.map { " (\($0))" } ?? ""
        let factors = session.authenticationFactors.map { "\($0.type) via \($0.deliveryMethod)" }
        return """
            VERIFIED  member \(session.memberID)
              organization   \(session.organizationID)\(slug)
              session        \(session.memberSessionID)
              started        \(session.startedAt.text)
              last accessed  \(session.lastAccessedAt.text)
              session ends   \(session.expiresAt.text)
              roles          \(session.roles.isEmpty ? "(none)" : session.roles.joined(separator: ", "))
              factors        \(factors.isEmpty ? "(none)" : factors.joined(separator: ", "))
              custom claims  \(session.customClaims.isEmpty ? "(none)" : session.customClaims.keys.sorted().joined(separator: ", "))
              jwt            kid \(session.jwt.keyID), issued \(isoDate(session.jwt.issuedAt)), expires \(isoDate(session.jwt.expiresAt))
            """
    }

    static func isoDate(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}

import Foundation
import StytchJWTTestSupport
import Testing
import StytchJWTCore
import StytchJWTTesting

private typealias F = TokenFactory

/// One verification: a token, the settings and instant it is judged at, and the outcome SPEC §4
/// demands (`expected == nil`: accepted).
struct VerificationCase: Sendable, CustomTestStringConvertible {
    var name: String
    var token: String
    var expected: StytchJWTError.Code?
    var now: Double = TokenFactory.now
    var leeway: Double = 0
    var maximumTokenAge: Double? = nil
    var projectID: String = TokenFactory.projectID
    var baseURL: String? = nil
    var keys: JWKSet = TokenFactory.keys

    var testDescription: String { "\(name) → \(expected.map { "\($0)" } ?? "accepted")" }

    func outcome() -> Result<VerifiedSession, StytchJWTError> {
        Result { () throws(StytchJWTError) -> VerifiedSession in
            try F.verifier(
                at: now, leeway: leeway, maximumTokenAge: maximumTokenAge,
                projectID: projectID, baseURL: baseURL, keys: keys
            ).verify(sessionJWT: token)
        }
    }

    /// Verifies and checks the outcome against `expected`.
    func check(sourceLocation: SourceLocation = #_sourceLocation) {
        switch (outcome(), expected) {
        case (.success, nil):
            break
        case (.success, let code?):
            Issue.record("accepted, expected \(code)", sourceLocation: sourceLocation)
        case (.failure(let error), nil):
            Issue.record("rejected with \(error), expected acceptance", sourceLocation: sourceLocation)
        case (.failure(let error), let code?):
            #expect(error.code == code, "got \(error)", sourceLocation: sourceLocation)
        }
    }
}

private func reject(_ name: String, _ token: String, _ code: StytchJWTError.Code) -> VerificationCase {
    VerificationCase(name: name, token: token, expected: code)
}

private func accept(_ name: String, _ token: String) -> VerificationCase {
    VerificationCase(name: name, token: token, expected: nil)
}

/// The case tables, one per rejection family of SPEC §4. Every token whose rejection is about
/// content carries a valid signature from the demo key, so only the rule under test can fail.
enum Cases {
    static let valid = F.token()
    static let parts = F.segments(valid)
    static let headerText = F.text(F.defaultHeader)
    static let payloadText = F.text(F.defaultPayload)
    static let base64URLAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    static func header(setting name: String, to value: JSONValue?) -> [String: JSONValue] {
        var header = F.defaultHeader
        header[name] = value
        return header
    }

    /// `segment` re-spelled with a non-zero unused bit in its last character: the same bytes,
    /// a non-canonical encoding. Needs a segment whose length is not a multiple of 4.
    static func flippingUnusedBit(of segment: String) -> String {
        precondition(segment.count % 4 != 0, "segment has no unused bits")
        let last = segment.last!
        let index = base64URLAlphabet.firstIndex(of: last)!
        return String(segment.dropLast()) + String(base64URLAlphabet[index ^ 1])
    }

    /// A valid token whose payload segment has unused bits (payload length not a multiple of 3).
    static let tokenWithUnusedPayloadBits: String = {
        for padding in 0..<3 {
            let payload = F.payload(setting: "pad", to: .string(String(repeating: "x", count: padding)))
            if F.text(payload).utf8.count % 3 != 0 { return F.token(payload: payload) }
        }
        fatalError("unreachable: two of three consecutive lengths are not multiples of 3")
    }()

    /// A validly signed token of exactly `length` bytes, grown with a custom claim and, since
    /// base64url skips some lengths, trailing JSON whitespace after the header. Nil if none fits.
    static func token(ofLength length: Int) -> String? {
        let signatureLength = parts[2].utf8.count
        let basePayload = F.text(F.payload(setting: "pad", to: .string(""))).utf8.count
        for spaces in 0..<3 {
            let header = headerText + String(repeating: " ", count: spaces)
            let headerLength = (4 * header.utf8.count + 2) / 3
            for extra in 0..<length {
                let total = headerLength + 1 + (4 * (basePayload + extra) + 2) / 3 + 1 + signatureLength
                if total > length { break }
                if total == length {
                    let payload = F.payload(setting: "pad", to: .string(String(repeating: "a", count: extra)))
                    return F.rawToken(header: header, payload: F.text(payload))
                }
            }
        }
        return nil
    }

    static let maximumBytes = CompactJWS.Limits.maximumTokenBytes
    static let maximumDepth = CompactJWS.Limits.maximumJSONDepth

    // MARK: malformed: size and structure

    static let structure: [VerificationCase] = [
        reject("empty token", "", .malformed),
        reject("one dot", parts[0] + "." + parts[1], .malformed),
        reject("no dot", parts[0], .malformed),
        reject("three dots (trailing)", valid + ".", .malformed),
        reject("three dots (four segments)", valid + "." + parts[2], .malformed),
        reject("empty header segment", "." + parts[1] + "." + parts[2], .malformed),
        reject("empty payload segment", parts[0] + ".." + parts[2], .malformed),
        reject("padding = on the signature", valid + "==", .malformed),
        reject("padding = on the header", parts[0] + "=." + parts[1] + "." + parts[2], .malformed),
        reject(
            "standard alphabet + and / in the signature",
            parts[0] + "." + parts[1] + "." + parts[2].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/"),
            .malformed
        ),
        reject("line break inside the payload segment", parts[0] + "." + F.inserting("\n", after: String(parts[1].prefix(40)), in: parts[1]) + "." + parts[2], .malformed),
        reject("space inside the header segment", F.inserting(" ", after: String(parts[0].prefix(20)), in: parts[0]) + "." + parts[1] + "." + parts[2], .malformed),
        reject("trailing newline", valid + "\n", .malformed),
        reject("leading space", " " + valid, .malformed),
        reject("non-zero unused bits in the signature (same bytes)", parts[0] + "." + parts[1] + "." + flippingUnusedBit(of: parts[2]), .malformed),
        reject(
            "non-zero unused bits in the payload (same bytes)",
            { let p = F.segments(tokenWithUnusedPayloadBits); return p[0] + "." + flippingUnusedBit(of: p[1]) + "." + p[2] }(),
            .malformed
        ),
        reject("header segment of length 1 mod 4", parts[0] + "A." + parts[1] + "." + parts[2], .malformed),
        // Long segments of impossible length before short ones: nothing may be decoded into room
        // their length does not have (the vector decoder once wrote whole blocks there).
        reject("long header of length 1 mod 4, empty payload and signature", String(repeating: "A", count: 101) + "..", .malformed),
        reject("long payload of length 1 mod 4, empty signature", "e30." + String(repeating: "A", count: 1001) + ".", .malformed),
        reject("long signature of length 1 mod 4", "e30.e30." + String(repeating: "A", count: 345), .malformed),
        reject("non-ASCII in the payload segment", parts[0] + "." + parts[1] + "é." + parts[2], .malformed),
        reject("token of 16 KiB + 1 byte", token(ofLength: maximumBytes + 1)!, .malformed),
        reject("token of 64 KiB", F.token(payload: F.payload(setting: "pad", to: .string(String(repeating: "a", count: 48 * 1024)))), .malformed),
        accept("token of exactly 16 KiB", token(ofLength: maximumBytes)!),
    ]

    // MARK: malformed: JSON

    static let json: [VerificationCase] = [
        reject("header is not JSON", F.rawToken(header: "not json"), .malformed),
        reject("header is truncated JSON", F.rawToken(header: String(headerText.dropLast())), .malformed),
        reject("header has trailing content", F.rawToken(header: headerText + "{}"), .malformed),
        reject("payload is not JSON", F.rawToken(payload: "iss=stytch.com"), .malformed),
        reject("payload is truncated JSON", F.rawToken(payload: String(payloadText.dropLast())), .malformed),
        reject("header is a JSON array", F.rawToken(header: #"[{"alg":"RS256","kid":"\#(F.kid)"}]"#), .malformed),
        reject("payload is a JSON array", F.rawToken(payload: "[" + payloadText + "]"), .malformed),
        reject("payload is a JSON string", F.rawToken(payload: #""stytch""#), .malformed),
        reject("byte-order mark before the header", F.rawToken(header: "\u{FEFF}" + headerText), .malformed),
        reject("byte-order mark before the payload", F.rawToken(payload: "\u{FEFF}" + payloadText), .malformed),
        reject("invalid UTF-8 in the payload", {
            let input = Base64URL.encode(Array(headerText.utf8)) + "." + Base64URL.encode(Array(#"{"sub":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8))
            return input + "." + Base64URL.encode(F.signingKey.sign(Array(input.utf8)))
        }(), .malformed),
        reject("header: duplicate alg, RS256 then none", F.rawToken(header: F.inserting(#""alg":"none","#, after: #"{"alg":"RS256","#, in: headerText)), .malformed),
        reject("header: duplicate alg, none then RS256", F.rawToken(header: #"{"alg":"none","# + headerText.dropFirst()), .malformed),
        reject("header: duplicate kid with the same value", F.rawToken(header: #"{"kid":"\#(F.kid)","# + headerText.dropFirst()), .malformed),
        reject("payload: duplicate sub", F.rawToken(payload: #"{"sub":"member-test-evil","# + payloadText.dropFirst()), .malformed),
        reject("payload: duplicate sub spelled with an escape", F.rawToken(payload: #"{"s\u0075b":"member-test-evil","# + payloadText.dropFirst()), .malformed),
        reject("payload: duplicate iss", F.rawToken(payload: #"{"iss":"stytch.com/\#(F.projectID)","# + payloadText.dropFirst()), .malformed),
        reject(
            "session claim: duplicate id",
            F.rawToken(payload: F.inserting(#""id":"member-session-test-evil","#, after: #""https://stytch.com/session":{"#, in: payloadText)),
            .malformed
        ),
        reject(
            "organization claim: duplicate organization_id",
            F.rawToken(payload: F.inserting(#""organization_id":"organization-test-evil","#, after: #""https://stytch.com/organization":{"#, in: payloadText)),
            .malformed
        ),
        reject(
            "factor: duplicate type",
            F.rawToken(payload: F.inserting(#""type":"totp","#, after: #""authentication_factors":[{"#, in: payloadText)),
            .malformed
        ),
        reject(
            "factor sub-object: duplicate email_id",
            F.rawToken(payload: F.inserting(#""email_id":"email-test-evil","#, after: #""email_factor":{"#, in: F.text(Payloads.emailFactor))),
            .malformed
        ),
        reject(
            "custom claim: duplicate member deep inside",
            F.rawToken(payload: F.inserting(#""nested":{"a":{"b":1,"b":2}},"#, after: "{", in: payloadText)),
            .malformed
        ),
        accept("payload nested exactly 16 levels (objects)", F.token(payload: F.payload(setting: "deep", to: F.nested(levels: maximumDepth - 1)))),
        accept("payload nested exactly 16 levels (arrays)", F.token(payload: F.payload(setting: "deep", to: F.nested(levels: maximumDepth - 1, arrays: true)))),
        reject("payload nested 17 levels (objects)", F.token(payload: F.payload(setting: "deep", to: F.nested(levels: maximumDepth))), .malformed),
        reject("payload nested 17 levels (arrays)", F.token(payload: F.payload(setting: "deep", to: F.nested(levels: maximumDepth, arrays: true))), .malformed),
        reject("payload nested 200 levels", F.token(payload: F.payload(setting: "deep", to: F.nested(levels: 200))), .malformed),
        reject("header nested 17 levels", F.token(header: header(setting: "ext", to: F.nested(levels: maximumDepth))), .malformed),
    ]

    // MARK: malformed: header members and claim types

    static let types: [VerificationCase] = {
        var cases: [VerificationCase] = [
            reject("alg missing", F.token(header: header(setting: "alg", to: nil)), .malformed),
            reject("alg not a string", F.token(header: header(setting: "alg", to: F.int(256))), .malformed),
            reject("alg null", F.token(header: header(setting: "alg", to: .null)), .malformed),
            reject("kid missing", F.token(header: header(setting: "kid", to: nil)), .malformed),
            reject("kid empty", F.token(header: header(setting: "kid", to: .string(""))), .malformed),
            reject("kid not a string", F.token(header: header(setting: "kid", to: F.int(7))), .malformed),
            reject("iss a number", F.token(payload: F.payload(setting: "iss", to: F.int(42))), .malformed),
            reject("iss an array", F.token(payload: F.payload(setting: "iss", to: F.strings("stytch.com/\(F.projectID)"))), .malformed),
            reject("iss null", F.token(payload: F.payload(setting: "iss", to: .null)), .malformed),
            reject("sub a number", F.token(payload: F.payload(setting: "sub", to: F.int(42))), .malformed),
            reject("sub empty", F.token(payload: F.payload(setting: "sub", to: .string(""))), .malformed),
            reject("sub null", F.token(payload: F.payload(setting: "sub", to: .null)), .malformed),
            reject("aud a number", F.token(payload: F.payload(setting: "aud", to: F.int(42))), .malformed),
            reject("aud an object", F.token(payload: F.payload(setting: "aud", to: .object(["0": .string(F.projectID)]))), .malformed),
            reject("aud array with a non-string", F.token(payload: F.payload(setting: "aud", to: .array([.string(F.projectID), F.int(42)]))), .malformed),
            reject("aud null", F.token(payload: F.payload(setting: "aud", to: .null)), .malformed),
            reject("session claim a string", F.token(payload: F.payload(setting: F.sessionClaim, to: .string("session"))), .malformed),
            reject("session claim an array", F.token(payload: F.payload(setting: F.sessionClaim, to: .array([]))), .malformed),
            reject("session claim null", F.token(payload: F.payload(setting: F.sessionClaim, to: .null)), .malformed),
            reject("organization claim a string", F.token(payload: F.payload(setting: F.organizationClaim, to: .string(F.organizationID))), .malformed),
            reject("session id a number", F.token(payload: F.payload(setting: F.sessionClaim, "id", to: F.int(1))), .malformed),
            reject("session id empty", F.token(payload: F.payload(setting: F.sessionClaim, "id", to: .string(""))), .malformed),
            reject("started_at with a space for T", F.token(payload: F.payload(setting: F.sessionClaim, "started_at", to: .string("2026-01-01 00:00:00Z"))), .malformed),
            reject("last_accessed_at as Unix seconds text", F.token(payload: F.payload(setting: F.sessionClaim, "last_accessed_at", to: .string("1767225600"))), .malformed),
            reject("expires_at without a zone", F.token(payload: F.payload(setting: F.sessionClaim, "expires_at", to: .string("2026-01-01T02:00:00"))), .malformed),
            reject("expires_at a number", F.token(payload: F.payload(setting: F.sessionClaim, "expires_at", to: F.int(F.sessionExpiresAt))), .malformed),
            reject("roles a string", F.token(payload: F.payload(setting: F.sessionClaim, "roles", to: .string("stytch_member"))), .malformed),
            reject("roles with a non-string", F.token(payload: F.payload(setting: F.sessionClaim, "roles", to: .array([.string("stytch_member"), F.int(1)]))), .malformed),
            reject("roles null", F.token(payload: F.payload(setting: F.sessionClaim, "roles", to: .null)), .malformed),
            reject("authentication_factors an object", F.token(payload: F.payload(setting: F.sessionClaim, "authentication_factors", to: F.defaultFactor)), .malformed),
            reject("factor a string", F.token(payload: F.payload(setting: F.sessionClaim, "authentication_factors", to: F.strings("password"))), .malformed),
            reject("factor type a number", F.token(payload: F.payload(setting: F.sessionClaim, "authentication_factors", "0", "type", to: F.int(1))), .malformed),
            reject("factor last_authenticated_at not RFC 3339", F.token(payload: F.payload(setting: F.sessionClaim, "authentication_factors", "0", "last_authenticated_at", to: .string("yesterday"))), .malformed),
            reject(
                "factor with two sub-objects",
                F.token(payload: F.payload(
                    setting: F.sessionClaim, "authentication_factors", "0", "phone_number_factor",
                    to: .object(["phone_id": .string("phone-number-test-1"), "phone_number": .string("+15555550123")]),
                    in: Payloads.emailFactor
                )),
                .malformed
            ),
            reject("organization_id empty", F.token(payload: F.payload(setting: F.organizationClaim, "organization_id", to: .string(""))), .malformed),
            reject("slug a number", F.token(payload: F.payload(setting: F.organizationClaim, "slug", to: F.int(1))), .malformed),
        ]
        // NumericDate claims: finite JSON numbers only (SPEC §4).
        let bad: [(String, JSONValue)] = [
            ("a string", .string(String(F.exp))), ("null", .null), ("true", .bool(true)), ("false", .bool(false)),
            ("1e400", F.number("1e400")), ("-1e400", F.number("-1e400")),
        ]
        for claim in ["exp", "iat", "nbf"] {
            for (label, value) in bad {
                cases.append(reject("\(claim) \(label)", F.token(payload: F.payload(setting: claim, to: value)), .malformed))
            }
        }
        return cases
    }()

    // MARK: unsupported_algorithm

    /// An HS256 token MACed with `secret`: the key-confusion attack with public key material.
    static func hs256Token(secret: [UInt8]) -> String {
        let input = Base64URL.encode(Array(F.text(header(setting: "alg", to: .string("HS256"))).utf8)) + "." + Base64URL.encode(Array(payloadText.utf8))
        return input + "." + Base64URL.encode(HMACSHA256.mac(key: secret, message: Array(input.utf8)))
    }

    static let algorithms: [VerificationCase] = {
        var cases: [VerificationCase] = [
            reject("alg none, empty signature", { () -> String in
                let p = F.segments(F.token(header: header(setting: "alg", to: .string("none"))))
                return p[0] + "." + p[1] + "."
            }(), .unsupportedAlgorithm),
            reject("HS256 MACed with the JWKS document", hs256Token(secret: Array(F.contents(of: "Keys/demo-jwks.json").utf8)), .unsupportedAlgorithm),
            reject("HS256 MACed with the public JWK JSON", hs256Token(secret: Array(F.signingKey.publicJWK(kid: F.kid).jsonText.utf8)), .unsupportedAlgorithm),
            reject("HS256 MACed with the modulus bytes", hs256Token(secret: F.signingKey.modulus), .unsupportedAlgorithm),
        ]
        for alg in ["none", "None", "NONE", "HS256", "HS512", "RS384", "RS512", "PS256", "ES256", "EdDSA", "rs256", "RS256 ", " RS256", "", "RS256\u{0}"] {
            cases.append(reject("alg \(alg.debugDescription), RS256-signed", F.token(header: header(setting: "alg", to: .string(alg))), .unsupportedAlgorithm))
        }
        return cases
    }()

    // MARK: unsupported_header

    static let headers: [VerificationCase] = [
        reject("crit [exp]", F.token(header: header(setting: "crit", to: F.strings("exp"))), .unsupportedHeader),
        reject("crit empty array", F.token(header: header(setting: "crit", to: .array([]))), .unsupportedHeader),
        reject("jku", F.token(header: header(setting: "jku", to: .string("https://evil.example/jwks"))), .unsupportedHeader),
        reject("x5u", F.token(header: header(setting: "x5u", to: .string("https://evil.example/cert.pem"))), .unsupportedHeader),
        reject(
            "jwk embedding the attacker's key, signed by it",
            F.token(header: header(setting: "jwk", to: F.otherKey.publicJWK(kid: F.kid)), key: F.otherKey),
            .unsupportedHeader
        ),
        reject("jwk embedding the demo key", F.token(header: header(setting: "jwk", to: F.signingKey.publicJWK(kid: F.kid))), .unsupportedHeader),
        reject("x5c", F.token(header: header(setting: "x5c", to: F.strings("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"))), .unsupportedHeader),
        reject("typ JOSE", F.token(header: header(setting: "typ", to: .string("JOSE"))), .unsupportedHeader),
        reject("typ at+jwt", F.token(header: header(setting: "typ", to: .string("at+jwt"))), .unsupportedHeader),
        reject("typ empty", F.token(header: header(setting: "typ", to: .string(""))), .unsupportedHeader),
        reject("typ a number", F.token(header: header(setting: "typ", to: F.int(1))), .unsupportedHeader),
        reject("typ null", F.token(header: header(setting: "typ", to: .null)), .unsupportedHeader),
        accept("typ jwt (lowercase)", F.token(header: header(setting: "typ", to: .string("jwt")))),
        accept("typ Jwt (mixed case)", F.token(header: header(setting: "typ", to: .string("Jwt")))),
        accept("typ absent", F.token(header: header(setting: "typ", to: nil))),
    ]

    // MARK: unknown_key, keys_unavailable

    static let keyLookup: [VerificationCase] = [
        reject("kid not in the set", F.token(header: header(setting: "kid", to: .string("jwk-test-22222222-2222-4222-8222-222222222222"))), .unknownKey),
        reject("kid in another case", F.token(header: header(setting: "kid", to: .string(F.kid.uppercased()))), .unknownKey),
        reject("kid with a trailing space", F.token(header: header(setting: "kid", to: .string(F.kid + " "))), .unknownKey),
        reject("attacker's key under its own kid", F.token(header: header(setting: "kid", to: .string("jwk-attacker")), key: F.otherKey), .unknownKey),
        VerificationCase(name: "empty key set", token: valid, expected: .keysUnavailable, keys: JWKSet(keys: [:])),
    ]

    // MARK: invalid_signature

    static let signatures: [VerificationCase] = [
        reject("signed by another key under the demo kid", F.token(key: F.otherKey), .invalidSignature),
        reject("one bit flipped in the middle of the signature", F.resigned(valid) { var s = $0; s[128] ^= 0x10; return s }, .invalidSignature),
        reject("last bit of the signature flipped", F.resigned(valid) { var s = $0; s[s.count - 1] ^= 0x01; return s }, .invalidSignature),
        reject(
            "payload altered after signing (sub changed)",
            parts[0] + "." + Base64URL.encode(Array(F.text(F.payload(setting: "sub", to: .string("member-test-evil"))).utf8)) + "." + parts[2],
            .invalidSignature
        ),
        reject(
            "header altered after signing (typ JWT → jwt)",
            Base64URL.encode(Array(F.text(header(setting: "typ", to: .string("jwt"))).utf8)) + "." + parts[1] + "." + parts[2],
            .invalidSignature
        ),
        reject("signature truncated by one byte", F.resigned(valid) { Array($0.dropLast()) }, .invalidSignature),
        reject("signature with a trailing zero byte", F.resigned(valid) { $0 + [0] }, .invalidSignature),
        reject("signature with a leading zero byte", F.resigned(valid) { [0] + $0 }, .invalidSignature),
        reject("signature of all zero bytes", F.resigned(valid) { [UInt8](repeating: 0, count: $0.count) }, .invalidSignature),
        reject("empty signature segment", parts[0] + "." + parts[1] + ".", .invalidSignature),
        reject("the fixture's signature on another payload", parts[0] + "." + parts[1] + "." + F.segments(F.fixtureToken)[2], .invalidSignature),
        reject(
            "signature over the payload segment only",
            parts[0] + "." + parts[1] + "." + Base64URL.encode(F.signingKey.sign(Array(parts[1].utf8))),
            .invalidSignature
        ),
    ]

    // MARK: expired, not_yet_valid, token_too_old

    static func timeCases(leeway: Double) -> [VerificationCase] {
        let iat = Double(F.iat), exp = Double(F.exp)
        let nbf = iat + 100
        let nbfLater = F.token(payload: F.payload(setting: "nbf", to: F.int(F.iat + 100)))
        let issuedLater = F.token(payload: F.payload(setting: "iat", to: F.int(F.iat + 100)))
        let sessionEnd = iat + 120  // 2026-01-01T00:02:00Z, well before the JWT's exp
        let sessionEnding = F.token(payload: F.payload(setting: F.sessionClaim, "expires_at", to: .string("2026-01-01T00:02:00Z")))
        let age = 120.0
        let l = Int(leeway)
        func c(_ name: String, _ token: String, _ now: Double, _ expected: StytchJWTError.Code?, maximumTokenAge: Double? = nil) -> VerificationCase {
            VerificationCase(name: "L=\(l): \(name)", token: token, expected: expected, now: now, leeway: leeway, maximumTokenAge: maximumTokenAge)
        }
        return [
            c("t = exp + L - 1", valid, exp + leeway - 1, nil),
            c("t = exp + L", valid, exp + leeway, .expired),
            c("t = exp + L + 3600", valid, exp + leeway + 3600, .expired),
            c("t + L = nbf - 1", nbfLater, nbf - leeway - 1, .notYetValid),
            c("t + L = nbf", nbfLater, nbf - leeway, nil),
            c("t + L = iat - 1 (iat in the future)", issuedLater, iat + 100 - leeway - 1, .notYetValid),
            c("t + L = iat", issuedLater, iat + 100 - leeway, nil),
            c("session expires_at + L - 1, JWT still valid", sessionEnding, sessionEnd + leeway - 1, nil),
            c("session expires_at + L, JWT still valid", sessionEnding, sessionEnd + leeway, .expired),
            c("t - iat = A - 1", valid, iat + age - 1, nil, maximumTokenAge: age),
            c("t - iat = A", valid, iat + age, .tokenTooOld, maximumTokenAge: age),
            c("A = 0 at t = iat", valid, iat, .tokenTooOld, maximumTokenAge: 0),
            c("A = 0 at t = iat + 1", valid, iat + 1, .tokenTooOld, maximumTokenAge: 0),
            // Within the leeway a token may be issued "in the future" (t < iat); A = 0 still refuses it.
            c("A = 0 at t + L = iat", issuedLater, iat + 100 - leeway, .tokenTooOld, maximumTokenAge: 0),
        ]
    }

    static let fractionalTimes: [VerificationCase] = {
        let fractionalExp = F.token(payload: F.payload(setting: "exp", to: F.number("1767225900.5")))
        let exponentExp = F.token(payload: F.payload(setting: "exp", to: F.number("1.7672259E9")))
        let fractionalNbf = F.token(payload: F.payload(setting: "nbf", to: F.number("1767225660.5")))
        let fractionalSession = F.token(payload: F.payload(setting: F.sessionClaim, "expires_at", to: .string("2026-01-01T00:02:00.5Z")))
        return [
            VerificationCase(name: "exp 1767225900.5 at t = 1767225900", token: fractionalExp, expected: nil, now: 1_767_225_900),
            VerificationCase(name: "exp 1767225900.5 at t = 1767225900.25", token: fractionalExp, expected: nil, now: 1_767_225_900.25),
            VerificationCase(name: "exp 1767225900.5 at t = 1767225900.5", token: fractionalExp, expected: .expired, now: 1_767_225_900.5),
            VerificationCase(name: "exp 1.7672259E9 at t = exp - 1", token: exponentExp, expected: nil, now: 1_767_225_899),
            VerificationCase(name: "exp 1.7672259E9 at t = exp", token: exponentExp, expected: .expired, now: 1_767_225_900),
            VerificationCase(name: "nbf 1767225660.5 at t = 1767225660", token: fractionalNbf, expected: .notYetValid, now: 1_767_225_660),
            VerificationCase(name: "nbf 1767225660.5 at t = 1767225660.5", token: fractionalNbf, expected: nil, now: 1_767_225_660.5),
            VerificationCase(name: "session expires_at …00:02:00.5Z at t = …00:02:00", token: fractionalSession, expected: nil, now: Double(F.iat + 120)),
            VerificationCase(name: "session expires_at …00:02:00.5Z at t = …00:02:00.5", token: fractionalSession, expected: .expired, now: Double(F.iat + 120) + 0.5),
        ]
    }()

    static let time: [VerificationCase] = timeCases(leeway: 0) + timeCases(leeway: 30) + fractionalTimes

    // MARK: issuer_mismatch

    static func withIssuer(_ issuer: String) -> String { F.token(payload: F.payload(setting: "iss", to: .string(issuer))) }

    static let liveProjectID = "project-live-00000000-0000-4000-8000-000000000000"
    static func liveToken(issuer: String) -> String {
        var payload = F.payload(setting: "aud", to: F.strings(liveProjectID))
        payload = F.payload(setting: "iss", to: .string(issuer), in: payload)
        return F.token(payload: payload)
    }

    static let issuers: [VerificationCase] = [
        reject("another project", withIssuer("stytch.com/project-test-11111111-1111-4111-8111-111111111111"), .issuerMismatch),
        reject("project ID as a prefix (-evil suffix)", withIssuer("stytch.com/\(F.projectID)-evil"), .issuerMismatch),
        reject("evil prefix before stytch.com/", withIssuer("evil.stytch.com/\(F.projectID)"), .issuerMismatch),
        reject("trailing slash after the project", withIssuer("stytch.com/\(F.projectID)/"), .issuerMismatch),
        reject("https:// before stytch.com/", withIssuer("https://stytch.com/\(F.projectID)"), .issuerMismatch),
        reject("bare project ID", withIssuer(F.projectID), .issuerMismatch),
        accept("https://test.stytch.com for a project-test ID", withIssuer("https://test.stytch.com")),
        reject("https://test.stytch.com/ (trailing slash)", withIssuer("https://test.stytch.com/"), .issuerMismatch),
        reject("HTTPS://TEST.STYTCH.COM (not exact)", withIssuer("HTTPS://TEST.STYTCH.COM"), .issuerMismatch),
        reject("https://api.stytch.com for a project-test ID", withIssuer("https://api.stytch.com"), .issuerMismatch),
        reject("https://test.stytch.com.evil.example", withIssuer("https://test.stytch.com.evil.example"), .issuerMismatch),
        VerificationCase(name: "https://api.stytch.com for a project-live ID", token: liveToken(issuer: "https://api.stytch.com"), expected: nil, projectID: liveProjectID),
        VerificationCase(name: "https://test.stytch.com for a project-live ID", token: liveToken(issuer: "https://test.stytch.com"), expected: .issuerMismatch, projectID: liveProjectID),
        reject("custom domain issuer without a configured base URL", withIssuer("https://login.example.com"), .issuerMismatch),
        VerificationCase(name: "custom domain issuer with that base URL", token: withIssuer("https://login.example.com"), expected: nil, baseURL: "https://login.example.com"),
        VerificationCase(name: "custom domain issuer, base URL configured with a trailing slash", token: withIssuer("https://login.example.com"), expected: nil, baseURL: "https://login.example.com/"),
        VerificationCase(name: "custom domain issuer with a trailing slash", token: withIssuer("https://login.example.com/"), expected: .issuerMismatch, baseURL: "https://login.example.com"),
        VerificationCase(name: "another custom domain", token: withIssuer("https://login.evil.example"), expected: .issuerMismatch, baseURL: "https://login.example.com"),
        VerificationCase(name: "custom domain with a suffix", token: withIssuer("https://login.example.com.evil.example"), expected: .issuerMismatch, baseURL: "https://login.example.com"),
        VerificationCase(name: "stytch.com form still accepted with a base URL", token: valid, expected: nil, baseURL: "https://login.example.com"),
    ]

    // MARK: audience_mismatch

    static func withAudience(_ audience: JSONValue) -> String { F.token(payload: F.payload(setting: "aud", to: audience)) }

    static let audiences: [VerificationCase] = [
        reject("string of another project", withAudience(.string("project-test-11111111-1111-4111-8111-111111111111")), .audienceMismatch),
        reject("array without the project", withAudience(F.strings("project-test-11111111-1111-4111-8111-111111111111")), .audienceMismatch),
        reject("empty array", withAudience(.array([])), .audienceMismatch),
        reject("project ID with a suffix", withAudience(F.strings(F.projectID + "x")), .audienceMismatch),
        reject("project ID as a prefix of a longer string", withAudience(.string(F.projectID + " project-test-other"))
            , .audienceMismatch),
        reject("project ID in another case", withAudience(F.strings(F.projectID.uppercased())), .audienceMismatch),
        accept("plain string of the project", withAudience(.string(F.projectID))),
        accept("array holding another project and this one", withAudience(F.strings("project-test-other", F.projectID))),
    ]

    // MARK: missing_claim

    /// (path to remove, the name the message must carry).
    static let requiredMembers: [([String], String)] = [
        (["iss"], "iss"), (["sub"], "sub"), (["aud"], "aud"), (["exp"], "exp"), (["iat"], "iat"), (["nbf"], "nbf"),
        ([F.sessionClaim], F.sessionClaim), ([F.organizationClaim], F.organizationClaim),
        ([F.sessionClaim, "id"], "id"), ([F.sessionClaim, "started_at"], "started_at"),
        ([F.sessionClaim, "last_accessed_at"], "last_accessed_at"), ([F.sessionClaim, "expires_at"], "expires_at"),
        ([F.sessionClaim, "authentication_factors"], "authentication_factors"),
        ([F.organizationClaim, "organization_id"], "organization_id"),
        ([F.sessionClaim, "authentication_factors", "0", "type"], "type"),
        ([F.sessionClaim, "authentication_factors", "0", "delivery_method"], "delivery_method"),
    ]

    static func removing(_ path: [String]) -> [String: JSONValue] {
        var payload = F.defaultPayload
        switch path.count {
        case 1: payload = F.payload(removing: path[0])
        case 2: payload = F.payload(removing: path[0], path[1])
        case 4: payload = F.payload(removing: path[0], path[1], path[2], path[3])
        default: fatalError("unsupported path")
        }
        return payload
    }

    static let missing: [VerificationCase] = requiredMembers.map { path, name in
        reject("\(path.joined(separator: " › ")) missing", F.token(payload: removing(path)), .missingClaim)
    }

    // MARK: verification order (SPEC §4: the first failing step decides)

    static let order: [VerificationCase] = [
        reject("payload not JSON and alg none", F.rawToken(header: F.text(header(setting: "alg", to: .string("none"))), payload: "x"), .malformed),
        reject("alg HS256 and unknown kid", F.token(header: ["alg": .string("HS256"), "kid": .string("nope")]), .unsupportedAlgorithm),
        reject("crit and unknown kid", F.token(header: ["alg": .string("RS256"), "kid": .string("nope"), "crit": F.strings("exp")]), .unsupportedHeader),
        reject("unknown kid and another key's signature", F.token(header: header(setting: "kid", to: .string("nope")), key: F.otherKey), .unknownKey),
        VerificationCase(name: "empty key set and a forged signature", token: F.token(key: F.otherKey), expected: .keysUnavailable, keys: JWKSet(keys: [:])),
        reject("forged signature on an expired token", F.token(payload: F.payload(setting: "exp", to: F.int(F.iat - 1000)), key: F.otherKey), .invalidSignature),
        reject("exp as a string, genuinely signed", F.token(payload: F.payload(setting: "exp", to: .string("never"))), .malformed),
        reject("forged signature, exp as a string", F.token(payload: F.payload(setting: "exp", to: .string("never")), key: F.otherKey), .invalidSignature),
        reject("forged signature, wrong issuer", F.token(payload: F.payload(setting: "iss", to: .string("stytch.com/evil")), key: F.otherKey), .invalidSignature),
        reject("forged signature, session claim missing", F.token(payload: F.payload(removing: F.sessionClaim), key: F.otherKey), .invalidSignature),
        VerificationCase(
            name: "expired JWT without a session claim",
            token: F.token(payload: F.payload(removing: F.sessionClaim)), expected: .expired, now: Double(F.exp)
        ),
    ]

    static let all: [VerificationCase] = structure + json + types + algorithms + headers + keyLookup + signatures + time + issuers + audiences + missing + order
    static let rejections: [VerificationCase] = all.filter { $0.expected != nil }
}

/// Payload variants shared by several tables.
enum Payloads {
    static let emailFactor = F.payload(
        setting: F.sessionClaim, "authentication_factors",
        to: .array([.object([
            "type": .string("magic_link"),
            "delivery_method": .string("email"),
            "last_authenticated_at": .string("2026-01-01T00:00:00Z"),
            "email_factor": .object(["email_id": .string("email-test-5c4e3b43"), "email_address": .string("ada@acme.example")]),
        ])])
    )
}

@Suite("StytchJWTVerifier rejections (SPEC §4)")
struct VerifierRejectionTests {
    @Test("The control token verifies, so every rejection below is about the one change it makes")
    func controlTokenVerifies() throws {
        let session = try F.verifier().verify(sessionJWT: Cases.valid)
        #expect(session.memberID == F.memberID)
        // Preconditions of the base64 tamperings: the signature has unused bits and uses - or _.
        #expect(Cases.parts[2].count % 4 != 0)
        #expect(Cases.parts[2].contains("-") || Cases.parts[2].contains("_"))
        #expect(Cases.parts[0].count % 4 == 0)
        // The size-limit tokens have exactly the sizes their names claim.
        #expect(Cases.token(ofLength: Cases.maximumBytes)?.utf8.count == Cases.maximumBytes)
        #expect(Cases.token(ofLength: Cases.maximumBytes + 1)?.utf8.count == Cases.maximumBytes + 1)
        let emailFactorSession = try F.verifier().verify(sessionJWT: F.token(payload: Payloads.emailFactor))
        #expect(emailFactorSession.authenticationFactors.first?.detail?.name == "email_factor")
    }

    @Test("malformed: size and segments", arguments: Cases.structure)
    func structure(_ c: VerificationCase) { c.check() }

    @Test("malformed: strict JSON", arguments: Cases.json)
    func json(_ c: VerificationCase) { c.check() }

    @Test("malformed: header members and claim types", arguments: Cases.types)
    func types(_ c: VerificationCase) { c.check() }

    @Test("unsupported_algorithm", arguments: Cases.algorithms)
    func algorithms(_ c: VerificationCase) { c.check() }

    @Test("unsupported_header", arguments: Cases.headers)
    func headers(_ c: VerificationCase) { c.check() }

    @Test("unknown_key and keys_unavailable", arguments: Cases.keyLookup)
    func keyLookup(_ c: VerificationCase) { c.check() }

    @Test("invalid_signature", arguments: Cases.signatures)
    func signatures(_ c: VerificationCase) { c.check() }

    @Test("expired, not_yet_valid, token_too_old boundaries", arguments: Cases.time)
    func time(_ c: VerificationCase) { c.check() }

    @Test("issuer_mismatch", arguments: Cases.issuers)
    func issuers(_ c: VerificationCase) { c.check() }

    @Test("audience_mismatch", arguments: Cases.audiences)
    func audiences(_ c: VerificationCase) { c.check() }

    @Test("missing_claim names the missing member", arguments: zip(Cases.missing, Cases.requiredMembers.map(\.1)))
    func missing(_ c: VerificationCase, name: String) {
        c.check()
        if case .failure(let error) = c.outcome() {
            #expect(error.message.contains(name), "message \(error.message.debugDescription) does not name \(name)")
        }
    }

    @Test("the first failing step decides", arguments: Cases.order)
    func order(_ c: VerificationCase) { c.check() }

    @Test("no message echoes the token, its payload or its signature")
    func messagesAreSafeToLog() {
        #expect(Cases.rejections.count > 150)
        for c in Cases.rejections {
            guard case .failure(let error) = c.outcome() else { continue }  // reported by the table tests
            let texts = [error.message, error.description, "\(error)"]
            #expect(!error.message.isEmpty, "\(c.name): empty message")
            var secrets = F.segments(c.token).filter { $0.count >= 16 }
            if !c.token.isEmpty { secrets.append(c.token) }
            for text in texts {
                for secret in secrets {
                    #expect(!text.contains(secret), "\(c.name): message echoes token material")
                }
            }
        }
    }

    @Test("Configuration refuses a base URL that is not https://host[:port]", arguments: [
        "http://login.example.com", "https://login.example.com/v1", "https://login.example.com/v1/", "login.example.com",
        "https://", "", "https://user:pass@login.example.com", "https://login.example.com?x=1", "https://login.example.com#f",
        "ftp://login.example.com",
    ])
    func baseURLValidation(_ url: String) {
        let error = #expect(throws: StytchJWTError.self) { _ = try F.verifier(baseURL: url) }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test("Configuration accepts https://host and https://host:port", arguments: ["https://login.example.com", "https://login.example.com:8443", "https://login.example.com/"])
    func baseURLAccepted(_ url: String) throws {
        let verifier = try F.verifier(baseURL: url)
        #expect(verifier.acceptedIssuers.contains(url.hasSuffix("/") ? String(url.dropLast()) : url))
    }

    @Test("Configuration refuses an empty project ID, negative leeway and negative maximum age")
    func configurationValidation() {
        #expect(throws: StytchJWTError.self) { _ = try F.verifier(projectID: "") }
        #expect(throws: StytchJWTError.self) { _ = try F.verifier(leeway: -1) }
        #expect(throws: StytchJWTError.self) { _ = try F.verifier(leeway: .infinity) }
        #expect(throws: StytchJWTError.self) { _ = try F.verifier(maximumTokenAge: -1) }
    }

    @Test("The HMAC-SHA256 helper behind the key-confusion tokens is correct (FIPS 180-4, RFC 4231)")
    func hmacHelper() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(HMACSHA256.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(HMACSHA256.sha256([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            hex(HMACSHA256.mac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        )
        // RFC 4231 test case 6: a key longer than the block size is hashed first.
        #expect(
            hex(HMACSHA256.mac(key: [UInt8](repeating: 0xAA, count: 131), message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        )
    }
}

@Suite("StytchJWTVerifier accepted tokens")
struct VerifierAcceptanceTests {
    @Test("The fixture token at iat + 60 yields every field")
    func fixture() throws {
        let session = try F.verifier(at: Double(F.iat + 60)).verify(sessionJWT: F.fixtureToken)
        #expect(session.memberID == F.memberID)
        #expect(session.organizationID == F.organizationID)
        #expect(session.organizationSlug == "acme")
        #expect(session.memberSessionID == F.sessionID)
        #expect(session.startedAt.secondsSince1970 == F.iat)
        #expect(session.startedAt.nanoseconds == 0)
        #expect(session.lastAccessedAt.secondsSince1970 == F.iat)
        #expect(session.expiresAt.secondsSince1970 == F.sessionExpiresAt)
        #expect(session.expiresAt.text == "2026-01-01T02:00:00Z")
        // Two expiries, never confused: the session's (2 h) and the JWT's (5 min).
        #expect(session.jwt.expiresAt == Double(F.exp))
        #expect(session.jwt.expiresAtDate == Date(timeIntervalSince1970: 1_767_225_900))
        #expect(session.expiresAt.date == Date(timeIntervalSince1970: 1_767_232_800))
        #expect(session.jwt.issuedAt == Double(F.iat))
        #expect(session.jwt.notBefore == Double(F.iat))
        #expect(session.jwt.keyID == F.kid)
        #expect(session.jwt.issuer == "stytch.com/\(F.projectID)")
        #expect(session.jwt.audience == [F.projectID])
        #expect(session.jwt.id == nil)
        #expect(session.roles == ["stytch_member", "editor"])
        try #require(session.authenticationFactors.count == 1)
        let factor = session.authenticationFactors[0]
        #expect(factor.type == .password)
        #expect(factor.deliveryMethod == .knowledge)
        #expect(factor.lastAuthenticatedAt?.secondsSince1970 == F.iat)
        #expect(factor.createdAt == nil)
        #expect(factor.detail == nil)
        #expect(session.hasFactor(.password))
        #expect(!session.hasFactor(.totp))
        #expect(session.customClaims == ["my_custom_claim": .string("value")])
    }

    @Test("The fixture token is rejected once its five minutes are up, though the session lives on")
    func fixtureExpires() {
        let error = #expect(throws: StytchJWTError.self) { _ = try F.verifier(at: Double(F.exp)).verify(sessionJWT: F.fixtureToken) }
        #expect(error?.code == .expired)
    }

    @Test("The fixture file's trailing newline is not part of the token")
    func fixtureFileNewline() {
        let raw = F.contents(of: "Fixtures/session.jwt")
        let error = #expect(throws: StytchJWTError.self) { _ = try F.verifier().verify(sessionJWT: raw) }
        #expect(error?.code == .malformed)
    }

    @Test("roles absent → []")
    func rolesAbsent() throws {
        let session = try F.verifier().verify(sessionJWT: F.token(payload: F.payload(removing: F.sessionClaim, "roles")))
        #expect(session.roles == [])
    }

    @Test("slug absent → nil")
    func slugAbsent() throws {
        let session = try F.verifier().verify(sessionJWT: F.token(payload: F.payload(removing: F.organizationClaim, "slug")))
        #expect(session.organizationSlug == nil)
        #expect(session.organizationID == F.organizationID)
    }

    @Test("aud as a plain string is reported as a one-element list")
    func audienceString() throws {
        let session = try F.verifier().verify(sessionJWT: F.token(payload: F.payload(setting: "aud", to: .string(F.projectID))))
        #expect(session.jwt.audience == [F.projectID])
    }

    @Test("Unknown factor types and delivery methods decode as .unknown, never fail")
    func unknownFactor() throws {
        let payload = F.payload(setting: F.sessionClaim, "authentication_factors", to: .array([.object([
            "type": .string("carrier_pigeon"), "delivery_method": .string("owl_post"),
        ])]))
        let session = try F.verifier().verify(sessionJWT: F.token(payload: payload))
        let factor = try #require(session.authenticationFactors.first)
        #expect(factor.type == .unknown("carrier_pigeon"))
        #expect(factor.deliveryMethod == .unknown("owl_post"))
        #expect(factor.type.rawValue == "carrier_pigeon")
        #expect(factor.lastAuthenticatedAt == nil)
    }

    @Test("Factors with sub-objects: OAuth, email, TOTP, SSO")
    func factorDetails() throws {
        let factors: JSONValue = .array([
            .object([
                "type": .string("oauth"), "delivery_method": .string("oauth_google"),
                "last_authenticated_at": .string("2026-01-01T00:00:00Z"),
                "google_oauth_factor": .object([
                    "id": .string("oauth-user-test-1"), "provider_subject": .string("1234567890"), "email_id": .string("email-test-2"),
                ]),
            ]),
            .object([
                "type": .string("magic_link"), "delivery_method": .string("email"),
                "created_at": .string("2025-12-01T09:30:00Z"), "updated_at": .string("2025-12-02T09:30:00Z"),
                "email_factor": .object(["email_id": .string("email-test-1"), "email_address": .string("ada@acme.example")]),
            ]),
            .object([
                "type": .string("totp"), "delivery_method": .string("authenticator_app"),
                "authenticator_app_factor": .object(["totp_id": .string("totp-test-1")]),
            ]),
            .object([
                "type": .string("sso"), "delivery_method": .string("sso_saml"),
                "saml_sso_factor": .object(["id": .string("saml-test-1"), "provider_id": .string("saml-connection-test-1"), "external_id": .string("ext-1")]),
            ]),
        ])
        let session = try F.verifier().verify(sessionJWT: F.token(payload: F.payload(setting: F.sessionClaim, "authentication_factors", to: factors)))
        let found = session.authenticationFactors
        try #require(found.count == 4)

        #expect(found[0].type == .oauth)
        #expect(found[0].deliveryMethod == .oauth(provider: "google"))
        #expect(found[0].detail?.name == "google_oauth_factor")
        #expect(found[0].detail?.id == "oauth-user-test-1")
        #expect(found[0].detail?.providerSubject == "1234567890")

        #expect(found[1].type == .magicLink)
        #expect(found[1].deliveryMethod == .email)
        #expect(found[1].detail?.id == "email-test-1")
        #expect(found[1].detail?.emailAddress == "ada@acme.example")
        #expect(found[1].createdAt?.text == "2025-12-01T09:30:00Z")
        #expect(found[1].updatedAt?.text == "2025-12-02T09:30:00Z")

        #expect(found[2].type == .totp)
        #expect(found[2].deliveryMethod == .authenticatorApp)
        #expect(found[2].detail?.id == "totp-test-1")
        #expect(session.hasFactor(.totp))

        #expect(found[3].type == .sso)
        #expect(found[3].deliveryMethod == .ssoSAML)
        #expect(found[3].detail?.providerID == "saml-connection-test-1")
        #expect(found[3].detail?.externalID == "ext-1")
    }

    @Test("Nanosecond session timestamps keep every digit")
    func nanosecondTimestamps() throws {
        var payload = F.payload(setting: F.sessionClaim, "started_at", to: .string("2021-08-28T00:41:58.935673870Z"))
        payload = F.payload(setting: F.sessionClaim, "last_accessed_at", to: .string("2026-01-01T00:00:59.999999999Z"), in: payload)
        let session = try F.verifier().verify(sessionJWT: F.token(payload: payload))
        // 2021-08-28T00:41:58Z is 1630111318 (date -u -d … +%s).
        #expect(session.startedAt.secondsSince1970 == 1_630_111_318)
        #expect(session.startedAt.nanoseconds == 935_673_870)
        #expect(session.startedAt.text == "2021-08-28T00:41:58.935673870Z")
        #expect(session.lastAccessedAt.secondsSince1970 == F.iat + 59)
        #expect(session.lastAccessedAt.nanoseconds == 999_999_999)
    }

    @Test("Custom claims keep their JSON exactly, big integers literally; registered claims and jti are left out")
    func customClaims() throws {
        var payload = F.payload(setting: "big", to: F.number("12345678901234567890"))
        payload = F.payload(setting: "decimal", to: F.number("1.50"), in: payload)
        payload = F.payload(setting: "nested", to: .object(["list": .array([.bool(true), .null, .string("ü")])]), in: payload)
        payload = F.payload(setting: "jti", to: .string("jwt-id-1"), in: payload)
        let session = try F.verifier().verify(sessionJWT: F.token(payload: payload))
        #expect(session.customClaims["big"]?.numberValue?.literal == "12345678901234567890")
        #expect(session.customClaims["decimal"]?.numberValue?.literal == "1.50")
        #expect(session.customClaims["nested"] == .object(["list": .array([.bool(true), .null, .string("ü")])]))
        #expect(session.customClaims["my_custom_claim"] == .string("value"))
        #expect(Set(session.customClaims.keys) == ["big", "decimal", "nested", "my_custom_claim"])
        #expect(session.jwt.id == "jwt-id-1")
    }

    /// None, one and two or more custom claims are kept in different forms (no dictionary for
    /// none or one); every form reads the same through `customClaims` and `customClaim(_:)`, and
    /// sessions with the same claims are equal and hash alike whatever their order in the token.
    @Test("Custom claims: none, one, two and three read alike; order does not matter to equality or hashing")
    func customClaimCounts() throws {
        let verifier = try F.verifier()
        let claims: [(String, JSONValue)] = [
            ("my_custom_claim", .string("value")), ("tier", F.int(3)), ("nested", .object(["a": .array([.null, .bool(false)])])),
        ]
        for count in 0...3 {
            var sessions: [VerifiedSession] = []
            for order in [Array(claims.prefix(count)), Array(claims.prefix(count).reversed())] {
                // Claims in this order, written into the token's text as given.
                var text = F.text(F.payload(removing: "my_custom_claim"))
                for (name, value) in order {
                    text = String(text.dropLast()) + ",\(JSONValue.string(name).jsonText):\(value.jsonText)}"
                }
                sessions.append(try verifier.verify(sessionJWT: F.rawToken(payload: text)))
            }
            let expected = Dictionary(uniqueKeysWithValues: claims.prefix(count))
            for session in sessions {
                #expect(session.customClaims == expected, "\(count) claims")
                for (name, value) in claims {
                    #expect(session.customClaim(name) == expected[name], "\(count) claims: \(name)")
                    #expect(expected[name] == nil || session.customClaim(name) == value)
                }
                #expect(session.customClaim("iss") == nil && session.customClaim("") == nil)
            }
            #expect(sessions[0] == sessions[1], "\(count) claims")
            #expect(sessions[0].hashValue == sessions[1].hashValue, "\(count) claims")
        }
        // Sessions that differ only in their custom claims differ.
        let one = try verifier.verify(sessionJWT: F.token(payload: F.payload(setting: "my_custom_claim", to: .string("value"))))
        let other = try verifier.verify(sessionJWT: F.token(payload: F.payload(setting: "my_custom_claim", to: .string("other"))))
        let two = try verifier.verify(sessionJWT: F.token(payload: F.payload(setting: "tier", to: F.int(3))))
        #expect(one != other && one != two && other != two)
    }

    /// A repeated custom claim name is refused as malformed, whether it repeats the first custom
    /// claim or one among several (the forms the claims are kept in change at two).
    @Test("A repeated custom claim name is refused, with one or several custom claims", arguments: [
        #","my_custom_claim":"again"}"#,
        #","tier":3,"my_custom_claim":"again"}"#,
        #","tier":3,"note":null,"tier":4}"#,
    ])
    func repeatedCustomClaim(_ ending: String) throws {
        let text = String(F.text(F.defaultPayload).dropLast()) + ending
        #expect(throws: StytchJWTError.self) { try F.verifier().verify(sessionJWT: F.rawToken(payload: text)) }
        do {
            _ = try F.verifier().verify(sessionJWT: F.rawToken(payload: text))
        } catch {
            #expect(error.code == .malformed)
        }
    }
}

// MARK: - A minimal HMAC-SHA256, only to forge HS256 key-confusion tokens

/// SHA-256 (FIPS 180-4) and HMAC (RFC 2104). The package has no SHA-256 API and Foundation ships
/// no HMAC on Linux; checked against published vectors in `hmacHelper()`.
enum HMACSHA256 {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    static func sha256(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var data = message + [0x80]
        while data.count % 64 != 56 { data.append(0) }
        let bitCount = UInt64(message.count) * 8
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bitCount >> UInt64(shift))) }
        var w = [UInt32](repeating: 0, count: 64)
        for chunk in stride(from: 0, to: data.count, by: 64) {
            for i in 0..<16 {
                w[i] = data[chunk + 4 * i..<chunk + 4 * i + 4].reduce(0) { $0 << 8 | UInt32($1) }
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
                let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            for (i, value) in [a, b, c, d, e, f, g, hh].enumerated() { h[i] &+= value }
        }
        return h.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32($0))) } }
    }

    static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? sha256(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = sha256(block.map { $0 ^ 0x36 } + message)
        return sha256(block.map { $0 ^ 0x5c } + inner)
    }
}

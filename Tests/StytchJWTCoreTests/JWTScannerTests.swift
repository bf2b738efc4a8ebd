import Foundation
import StytchJWTCore
import StytchJWTTestSupport
import Testing

/// Verification reads the usual header and payload with a fast scanner and anything else with the
/// general path (strict JSON members, then the header rules and claim readers). The scanner is an
/// optimisation, never a second set of rules: whatever it reads, the general path must read to the
/// same session or the same error, and the usual shapes must actually take the fast path.
@Suite struct JWTScannerTests {
    static let iss = "stytch.com/\(TokenFactory.projectID)"
    static let factor = #"{"type":"password","delivery_method":"knowledge","last_authenticated_at":"2026-01-01T00:00:00Z"}"#
    static let session = #"{"id":"\#(TokenFactory.sessionID)","started_at":"2026-01-01T00:00:00Z","last_accessed_at":"2026-01-01T00:00:00Z","expires_at":"2026-01-01T02:00:00Z","authentication_factors":[\#(factor)],"roles":["stytch_member","editor"]}"#
    static let organization = #"{"organization_id":"\#(TokenFactory.organizationID)","slug":"acme"}"#

    /// A payload in the fixture's shape, with members replaced or added by name (nil removes one).
    static func payload(_ changes: KeyValuePairs<String, String?> = [:], extra: String = "") -> String {
        var members: [(String, String)] = [
            ("aud", #"["\#(TokenFactory.projectID)"]"#), ("iss", #""\#(iss)""#), ("sub", #""\#(TokenFactory.memberID)""#),
            ("iat", "1767225600"), ("nbf", "1767225600"), ("exp", "1767225900"),
            ("https://stytch.com/session", session), ("https://stytch.com/organization", organization),
            ("my_custom_claim", #""value""#),
        ]
        for (name, value) in changes {
            if let index = members.firstIndex(where: { $0.0 == name }) {
                if let value { members[index].1 = value } else { members.remove(at: index) }
            } else if let value {
                members.append((name, value))
            }
        }
        return "{" + members.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",") + extra + "}"
    }

    /// Instants that exercise every time rule: valid, expired JWT, not yet valid, session ended.
    static let instants: [Double] = [TokenFactory.now, 1_767_225_900, 1_767_225_599, 1_767_232_800, 1_767_232_801]

    static let verifier = try! TokenFactory.verifier()
    static let strictVerifier = try! TokenFactory.verifier(leeway: 30, maximumTokenAge: 120, projectID: "project-test-other")

    /// Checks the scanner against the general path at every instant, with two configurations.
    static func agreement(_ text: String) -> (scanned: Bool, disagreement: String?) {
        var scanned = false
        for verifier in [verifier, strictVerifier] {
            for now in instants {
                let result = verifier.scannerAgreement(payload: Array(text.utf8), kid: TokenFactory.kid, now: now)
                if let disagreement = result.disagreement { return (result.scanned, disagreement) }
                scanned = result.scanned
            }
        }
        return (scanned, nil)
    }

    // MARK: Payloads

    /// The shapes Stytch issues take the fast path, and it reads them as the general path does.
    @Test(arguments: [
        payload(),
        payload(["jti": #""jwt-1""#]),
        payload(["aud": #""\#(TokenFactory.projectID)""#]),
        payload(["aud": #"["other","\#(TokenFactory.projectID)"]"#]),
        payload(["aud": "[]"]),
        payload(["my_custom_claim": nil]),
        payload(["my_custom_claim": #"{"nested":[1,2.5,-3e2,true,false,null,"x\u00e9"]}"#]),
        payload(["app_roles": #"["a","b"]"#, "tier": "3", "beta": "true", "note": "null"]),
        payload(["https://stytch.com/organization": #"{"organization_id":"org-1"}"#]),
        payload(["https://stytch.com/organization": #"{"organization_id":"org-1","slug":"","organization_name":"Acme"}"#]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #","roles":["stytch_member","editor"]"#, with: "")]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #""roles":["stytch_member","editor"]"#, with: #""roles":[]"#)]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: "[\(factor)]", with: "[]")]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: "[\(factor)]", with: "[\(factor),\(factor)]")]),
        payload(["https://stytch.com/session": session.replacingOccurrences(
            of: "[\(factor)]",
            with: #"[{"type":"magic_link","delivery_method":"email","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00.5+01:00","email_factor":{"email_id":"email-1","email_address":"a@example.com"}},{"type":"sso","delivery_method":"oauth_google","extra":[1,{"a":null}]}]"#
        )]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #""id":"#, with: #""attributes":{"ip_address":"","user_agent":""},"id":"#)]),
        // Whitespace everywhere JSON allows it.
        // (No string here holds `":`, `,"`, a bracket or a brace, so only structure changes.)
        " \n" + payload().replacingOccurrences(of: #"":"#, with: "\"\r\n :\t").replacingOccurrences(of: #",""#, with: ",\n \"")
            .replacingOccurrences(of: "{", with: "{ ").replacingOccurrences(of: "}", with: " }")
            .replacingOccurrences(of: "[", with: "[\t").replacingOccurrences(of: "]", with: "\n]") + " \n",
        // The rules still refuse, through the fast path.
        payload(["iss": #""https://evil.example""#]),
        payload(["aud": #""project-test-other""#]),
        payload(["exp": "1767225000"]),
        payload(["nbf": "1767229999"]),
        payload(["iat": "1767229999"]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: "2026-01-01T02:00:00Z", with: "2026-01-01T00:00:30Z")]),
    ])
    func usualShapesTakeTheFastPathAndAgree(_ text: String) {
        let result = Self.agreement(text)
        #expect(result.disagreement == nil)
        #expect(result.scanned, "the fast path gave up on a usual shape")
    }

    /// Anything the scanner is not sure of goes to the general path, which decides.
    @Test(arguments: [
        payload(["iss": #""stytch.com\/\#(TokenFactory.projectID)""#]),   // an escape
        payload(["sub": #""m\u00e9mber""#]),
        payload(["sub": "\"mémber\""]),                                      // non-ASCII
        payload(["exp": "1767225900.0"]),                                    // not a plain integer
        payload(["exp": "1.7672259e9"]),
        payload(["exp": "-1"]),
        payload(["exp": "01767225900"]),
        payload(["exp": "1000000000000000"]),                                // 16 digits
        payload(["exp": #""1767225900""#]),
        payload(["jti": "7"]),
        payload(["sub": #""""#]),
        payload(["iss": nil]),
        payload(["aud": "[1]"]),
        payload(["aud": "null"]),
        payload(["https://stytch.com/session": "[]"]),
        payload(["https://stytch.com/session": "{}"]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #""id":"#, with: #""id":"x","id":"#)]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #""roles":["stytch_member","editor"]"#, with: #""roles":["a",1]"#)]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: "2026-01-01T02:00:00Z", with: "2026-02-30T00:00:00Z")]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #""type":"password""#, with: #""type":"""#)]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #""type":"password""#, with: #""type":"password","type":"otp""#)]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #""type":"password""#, with: #""type":"password","a":{},"b":{}"#)]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #""type":"password""#, with: #""type":"password","last_authenticated_at":null"#)]),
        payload(["https://stytch.com/organization": #"{"slug":"acme"}"#]),
        payload(["https://stytch.com/organization": #"{"organization_id":"o","slug":5}"#]),
        payload(extra: #","iss":"again""#),                                  // duplicate registered claim
        payload(extra: #","my_custom_claim":"again""#),                      // duplicate custom claim
        payload(["tier": "3", "note": "null"], extra: #","tier":4"#),          // duplicate among several
        payload(["x": #"{"a":1,"a":2}"#]),                                   // duplicate deeper down
        payload(["x": String(repeating: "[", count: 16) + String(repeating: "]", count: 16)]),  // too deep
        payload() + "x",                                                     // trailing content
        "\u{FEFF}" + payload(),                                              // byte-order mark
        "[]", "", "{}",
    ])
    func unusualShapesFallBackToTheGeneralPath(_ text: String) {
        let result = Self.agreement(text)
        #expect(result.disagreement == nil)
        #expect(!result.scanned, "the fast path read a shape it should leave to the general path")
    }

    /// Seeded mutations of usual payloads (bytes replaced, inserted and deleted, chosen among the
    /// characters JSON structure turns on): wherever the scanner reads the result, it agrees.
    @Test func mutatedPayloadsAgree() {
        var random = SplitMix64(seed: 0x5717_C4)
        let alphabet = Array(#"{}[]":,\ 0123456789.-+eEtrufalsn/"#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xA9, 0xFF]
        let bases = [
            Self.payload(),
            Self.payload(["jti": #""j""#, "aud": #""\#(TokenFactory.projectID)""#, "x": #"{"y":[1,{"z":null}]}"#]),
        ].map { Array($0.utf8) }
        var scanned = 0
        var checked = 0
        for _ in 0..<4_000 {
            let bytes = Self.mutated(bases[Int(random.next() % UInt64(bases.count))], edits: 1...3, from: alphabet, &random)
            for now in [TokenFactory.now, 1_767_225_900] {
                let result = Self.verifier.scannerAgreement(payload: bytes, kid: TokenFactory.kid, now: now)
                #expect(result.disagreement == nil, "mutated payload \(checked)")
                if result.scanned { scanned += 1 }
                checked += 1
            }
        }
        // Many mutations land in values (names, IDs) and leave a readable payload: the fast path
        // must have been compared on a good share of them, not skipped wholesale.
        #expect(scanned > checked / 10)
    }

    /// `bytes` after a random number of edits in `edits`, each replacing, inserting or deleting
    /// one byte (inserted and replacing bytes drawn from `alphabet`).
    static func mutated(_ bytes: [UInt8], edits: ClosedRange<Int>, from alphabet: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int.random(in: edits, using: &random) where !bytes.isEmpty {
            let position = Int(random.next() % UInt64(bytes.count))
            let byte = alphabet[Int(random.next() % UInt64(alphabet.count))]
            switch random.next() % 3 {
            case 0: bytes[position] = byte
            case 1: bytes.insert(byte, at: position)
            default: bytes.remove(at: position)
            }
        }
        return bytes
    }

    // MARK: Headers

    @Test(arguments: [
        #"{"alg":"RS256","kid":"k1","typ":"JWT"}"#,
        #"{"alg":"RS256","kid":"k1"}"#,
        #"{"kid":"k1","typ":"jwt","alg":"RS256"}"#,
        #" { "typ" : "JwT" , "alg" : "RS256" , "kid" : "k1" } "#,
    ])
    func usualHeadersTakeTheFastPath(_ text: String) {
        // With no pinned kids, and with pinned kids the header's `kid` is one of or only resembles.
        for known in [[], ["k1"], ["k", "k10", "k1"], ["k", "K1", "k1 "]] {
            let result = StytchJWTVerifier.scannerAgreement(header: Array(text.utf8), knownKIDs: known)
            #expect(result.scanned)
            #expect(result.disagreement == nil, "known kids \(known)")
        }
    }

    @Test(arguments: [
        #"{"alg":"none","kid":"k1"}"#,
        #"{"alg":"RS256 ","kid":"k1"}"#,
        #"{"alg":"RS\u0032256","kid":"k1"}"#,
        #"{"alg":"RS256","kid":""}"#,
        #"{"alg":"RS256","kid":7}"#,
        #"{"alg":"RS256"}"#,
        #"{"kid":"k1"}"#,
        #"{"alg":"RS256","kid":"k1","typ":"JWS"}"#,
        #"{"alg":"RS256","kid":"k1","typ":"JWTS"}"#,
        #"{"alg":"RS256","kid":"k1","alg":"RS256"}"#,
        #"{"alg":"RS256","kid":"k1","crit":["b64"]}"#,
        #"{"alg":"RS256","kid":"k1","jku":"https://evil.example"}"#,
        #"{"alg":"RS256","kid":"k1","cty":"JWT"}"#,
        #"{"alg":"RS256","kid":"k1"}x"#,
        #"{"alg":"RS256","kid":"kï"}"#,
    ])
    func unusualHeadersFallBack(_ text: String) {
        let result = StytchJWTVerifier.scannerAgreement(header: Array(text.utf8))
        #expect(!result.scanned)
        #expect(result.disagreement == nil)
    }

    @Test func mutatedHeadersAgree() {
        var random = SplitMix64(seed: 0x4EAD)
        let alphabet = Array(#"{}[]":,\ RSJWTjwt256kidalgtyp"#.utf8) + [0x00, 0xC3]
        let base = Array(#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#.utf8)
        var scanned = 0
        for index in 0..<3_000 {
            let bytes = Self.mutated(base, edits: 1...2, from: alphabet, &random)
            let result = StytchJWTVerifier.scannerAgreement(header: bytes)
            #expect(result.disagreement == nil, "mutated header \(index)")
            if result.scanned { scanned += 1 }
            let pinned = StytchJWTVerifier.scannerAgreement(header: bytes, knownKIDs: ["k", "k1", "k11"])
            #expect(pinned.disagreement == nil && pinned.scanned == result.scanned, "mutated header \(index), pinned kids")
        }
        #expect(scanned > 100)
    }

    /// A pinned key's usual header, byte for byte, is known without scanning: the shortcut gives
    /// exactly the `kid` the scanner and the header rules read from it, only for that segment, and
    /// only for `kid`s the scanner reads in that form (no escapes, ASCII).
    @Test func usualHeaderShortcutAgreesWithTheScanner() {
        let kids = ["k1", TokenFactory.kid, "k\"q", "kï", "k\\n", "k/1", "jwk-live-0"]
        var shortcuts = 0
        for kid in kids {
            let header = Array(#"{"alg":"RS256","kid":\#(JSONValue.string(kid).jsonText),"typ":"JWT"}"#.utf8)
            let segment = Array(Base64URL.encode(header).utf8)
            let known = StytchJWTVerifier.usualHeaderKID(segment: segment, knownKIDs: kids)
            let scanned = StytchJWTVerifier.scannerAgreement(header: header, knownKIDs: kids)
            #expect(scanned.disagreement == nil, "kid \(kid)")
            // The shortcut applies exactly where the scanner reads the header (and gives its kid).
            #expect((known != nil) == scanned.scanned, "kid \(kid)")
            if let known {
                #expect(known == kid)
                shortcuts += 1
            }
            // Not for a key that is not pinned.
            #expect(StytchJWTVerifier.usualHeaderKID(segment: segment, knownKIDs: kids.filter { $0 != kid }) == nil)
        }
        #expect(shortcuts == 4)  // all but the three that need an escape or are not ASCII
        // The fixture's header segment is its pinned key's usual header.
        let fixtureHeader = Array(TokenFactory.segments(TokenFactory.fixtureToken)[0].utf8)
        #expect(StytchJWTVerifier.usualHeaderKID(segment: fixtureHeader, knownKIDs: [TokenFactory.kid]) == TokenFactory.kid)
        // Any other segment, however close, is decoded and scanned.
        var random = SplitMix64(seed: 0x5E6)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=.".utf8)
        for _ in 0..<2_000 {
            let mutated = Self.mutated(fixtureHeader, edits: 1...2, from: alphabet, &random)
            let known = StytchJWTVerifier.usualHeaderKID(segment: mutated, knownKIDs: [TokenFactory.kid])
            #expect(known == nil || mutated == fixtureHeader)
        }
    }

    // MARK: Authentication factors

    /// A factor read through the fast path as typed fields only has its `json` rebuilt from them;
    /// it must be the object as sent, equal to (and hash like) the general path's, and encode alike.
    @Test(arguments: [
        factor,
        #"{"type":"totp","delivery_method":"authenticator_app","last_authenticated_at":"2026-01-01T00:00:00.123456789Z","created_at":"2025-12-31T23:59:59Z","updated_at":"2026-01-01T01:00:00+01:00"}"#,
        #"{"delivery_method":"oauth_google","type":"oauth"}"#,
        #"{"type":"quantum","delivery_method":"telepathy","last_authenticated_at":"2026-01-01t00:00:00z"}"#,
        #"{"type":"magic_link","delivery_method":"email","last_authenticated_at":"2026-01-01T00:00:00Z","email_factor":{"email_id":"email-1","email_address":"a@example.com"}}"#,
        #"{"type":"sso","delivery_method":"sso_saml","sequence":2,"note":null}"#,
    ])
    func factorJSONIsTheObjectAsSent(_ factorText: String) throws {
        let sent = JSONValue.object(try StrictJSON.parseObject(Array(factorText.utf8), maximumDepth: 16))
        let session = Self.session.replacingOccurrences(of: "[\(Self.factor)]", with: "[\(factorText)]")
        let verifier = try TokenFactory.verifier()
        // A `jti` that is a number sends the payload down the general path.
        let fast = try verifier.verify(sessionJWT: TokenFactory.rawToken(payload: Self.payload(["https://stytch.com/session": session])))
        let general = try verifier.verify(sessionJWT: TokenFactory.rawToken(payload: Self.payload(["https://stytch.com/session": session, "jti": "7"])))
        let (a, b) = (try #require(fast.authenticationFactors.first), try #require(general.authenticationFactors.first))
        #expect(a.json == sent)
        #expect(b.json == sent)
        #expect(a == b && b == a)
        #expect(a.hashValue == b.hashValue)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(a) == encoder.encode(b))
    }

    /// The scanner reads a factor's `type` and `delivery_method` by matching their bytes against
    /// the known names; it must find exactly what `init(rawValue:)` finds for a known name, and
    /// nothing for anything else (which then goes through `init(rawValue:)`).
    @Test func knownFactorNamesMatchByBytes() {
        let types = ["magic_link", "otp", "oauth", "webauthn", "totp", "crypto", "password", "signature_challenge",
                     "sso", "imported", "recovery_codes", "email_otp", "impersonated", "trusted_auth_token"]
        let methods = ["email", "sms", "whatsapp", "embedded", "knowledge", "biometric", "authenticator_app", "recovery_code",
                       "sso_saml", "sso_oidc", "webauthn_registration", "crypto_wallet", "impersonation", "oauth_exchange"]
        func bytes<T>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T { Array(text.utf8).withUnsafeBufferPointer(body) }
        for name in types {
            let type = bytes(name) { FactorType.known(utf8: $0) }
            #expect(type == FactorType(rawValue: name) && type?.rawValue == name, "\(name)")
            if case .unknown = FactorType(rawValue: name) { Issue.record("\(name) is not a known type") }
        }
        for name in methods {
            let method = bytes(name) { DeliveryMethod.known(utf8: $0) }
            #expect(method == DeliveryMethod(rawValue: name) && method?.rawValue == name, "\(name)")
            if case .unknown = DeliveryMethod(rawValue: name) { Issue.record("\(name) is not a known method") }
        }
        for near in ["", "passwor", "passwordx", "PASSWORD", "password ", "xassword", "pa", "oauth_google", "magic_linK"] {
            #expect(bytes(near) { FactorType.known(utf8: $0) } == nil, "\(near)")
            #expect(bytes(near) { DeliveryMethod.known(utf8: $0) } == nil, "\(near)")
        }
        #expect(DeliveryMethod(rawValue: "oauth_google") == .oauth(provider: "google"))
    }

    /// Timestamps compare by instant, but a factor is its object as sent: two factors whose
    /// timestamps are the same instant written differently are different factors (on both paths).
    @Test func factorsDifferingOnlyInATimestampsTextAreNotEqual() throws {
        let verifier = try TokenFactory.verifier()
        func factor(_ lastAuthenticatedAt: String, general: Bool = false) throws -> AuthenticationFactor {
            let text = #"{"type":"password","delivery_method":"knowledge","last_authenticated_at":"\#(lastAuthenticatedAt)"}"#
            let session = Self.session.replacingOccurrences(of: "[\(Self.factor)]", with: "[\(text)]")
            let payload = Self.payload(general ? ["https://stytch.com/session": session, "jti": "7"] : ["https://stytch.com/session": session])
            return try #require(verifier.verify(sessionJWT: TokenFactory.rawToken(payload: payload)).authenticationFactors.first)
        }
        let canonical = try factor("2026-01-01T00:00:00Z"), fraction = try factor("2026-01-01T00:00:00.000Z")
        #expect(canonical.lastAuthenticatedAt == fraction.lastAuthenticatedAt)
        #expect(canonical != fraction)
        #expect(canonical != (try factor("2026-01-01T00:00:00.000Z", general: true)))
        #expect(canonical == (try factor("2026-01-01T00:00:00Z")))
        #expect(fraction == (try factor("2026-01-01T00:00:00.000Z", general: true)))
        #expect(canonical.json != fraction.json)
    }

    // MARK: End to end

    /// The fixture token verifies to the same session through the fast path as through the
    /// general path (forced by a payload the scanner leaves alone: a `jti` that is a number).
    @Test func fastAndGeneralPathsBuildTheSameSession() throws {
        let verifier = try TokenFactory.verifier()
        let fast = try verifier.verify(sessionJWT: TokenFactory.rawToken(payload: Self.payload(["jti": #""7""#])))
        let general = try verifier.verify(sessionJWT: TokenFactory.rawToken(payload: Self.payload(["jti": "7"])))
        #expect(fast.memberID == general.memberID && fast.roles == general.roles)
        #expect(fast.authenticationFactors == general.authenticationFactors)
        #expect(fast.customClaims == general.customClaims)
        #expect(fast.jwt.id == "7" && general.jwt.id == nil)
    }
}

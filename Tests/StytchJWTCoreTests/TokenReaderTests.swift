import Foundation
import StytchJWTCore
import StytchJWTTestSupport
import Testing

/// One reader reads every token (`TokenReader`, then the rules of `TokenRules`). The reference
/// reader of the tests (`ReferenceReader`, a plain reading of the same rules over a JSON tree) must
/// come to the same outcome on every input, through every entry point (session, M2M, Connected
/// Apps), at instants that exercise every time rule, in two configurations.
@Suite struct TokenReaderTests {
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

    /// Instants that exercise every time rule: valid, expired JWT, not yet valid, issued this second,
    /// session ended.
    static let instants: [Double] = [TokenFactory.now, 1_767_225_900, 1_767_225_599, 1_767_225_600, 1_767_232_800, 1_767_232_801]
    /// Two configurations: the defaults, and leeway, a maximum age and another project.
    static let settings: [(leeway: Double, maximumAge: Double?, projectID: String)] = [
        (0, nil, TokenFactory.projectID), (30, 120, "project-test-other"),
    ]
    static let defaultHeader = #"{"alg":"RS256","kid":"\#(TokenFactory.kid)","typ":"JWT"}"#

    /// The first place where the verifier and the reference reader disagree on a token of `header`
    /// and `payload` (signed with the demo key), or nil; `outcome` is the default verifier's for a
    /// session at the fixtures' instant.
    static func disagreement(
        header: String = defaultHeader, payload: String, instants: [Double] = instants, allSettings: Bool = true
    ) -> (disagreement: String?, outcome: ReferenceReader.Outcome?) {
        let token = TokenFactory.rawToken(header: header, payload: payload)
        var first: ReferenceReader.Outcome?
        for setting in allSettings ? settings : [settings[0]] {
            for now in instants {
                let verifier = try! TokenFactory.verifier(at: now, leeway: setting.leeway, maximumTokenAge: setting.maximumAge, projectID: setting.projectID)
                let reference = ReferenceReader(verifier, kids: [TokenFactory.kid])
                for entry in ReferenceReader.Entry.allCases {
                    let real = ReferenceReader.outcome(of: verifier, token, entry: entry)
                    let expected = reference.read(header: Array(header.utf8), payload: Array(payload.utf8), now: now, entry: entry)
                    if first == nil { first = real }
                    if real != expected { return ("\(entry) at \(now): verifier \(real), reference \(expected)", first) }
                }
            }
        }
        return (nil, first)
    }

    // MARK: Payloads

    /// The shapes Stytch issues, and variations every rule allows: they verify, as the reference reads them.
    @Test(arguments: [
        payload(),
        payload(["jti": #""jwt-1""#]),
        payload(["aud": #""\#(TokenFactory.projectID)""#]),
        payload(["aud": #"["other","\#(TokenFactory.projectID)"]"#]),
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
        // Escapes and non-ASCII text wherever a string may be.
        payload(["iss": #""stytch.com\/\#(TokenFactory.projectID)""#]),
        payload(["sub": #""m\u00e9mber""#]),
        payload(["sub": "\"mémber\""]),
        payload(["exp": "1767225900.0"]),
        payload(["exp": "1.7672259e9"]),
        payload(["jti": "7"]),
        #"{"\u0069ss":"\#(iss)","aud":["\#(TokenFactory.projectID)"],"sub":"m","iat":1767225600,"nbf":1767225600,"exp":1767225900,"https:\/\/stytch.com\/session":\#(session),"https://stytch.com/organization":\#(organization)}"#,
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #""type":"password""#, with: #""t\u0079pe":"pass\u0077ord""#)]),
        payload(["https://stytch.com/organization": #"{"organization_id":"org-\u00e9","slug":"\ud83d\ude00"}"#]),
        payload(["scope": #""read:users""#]),
    ])
    func acceptedShapesAgree(_ text: String) {
        let result = Self.disagreement(payload: text)
        #expect(result.disagreement == nil)
        if case .session = result.outcome {} else { Issue.record("a shape every rule allows was refused: \(result.outcome?.description ?? "-")") }
    }

    /// Every kind of refusal, and the other kinds of token: the same outcome, code for code.
    @Test(arguments: [
        payload(["iss": #""https://evil.example""#]),
        payload(["aud": #""project-test-other""#]),
        payload(["exp": "1767225000"]),
        payload(["nbf": "1767229999"]),
        payload(["iat": "1767229999"]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: "2026-01-01T02:00:00Z", with: "2026-01-01T00:00:30Z")]),
        payload(["exp": "-1"]),
        payload(["aud": "[]"]),
        payload(["exp": "1e400"]),
        payload(["exp": "true"]),
        payload(["exp": "01767225900"]),
        payload(["exp": "1000000000000000"]),                                // 16 digits
        payload(["exp": #""1767225900""#]),
        payload(["sub": #""""#]),
        payload(["sub": #""\u0000""#]),
        payload(["sub": "\"\u{01}\""]),                                      // a raw control character
        payload(["sub": #""\ud800""#]),                                     // a lone surrogate
        payload(["https://stytch.com/session": nil, "scope": #""read:users write""#]),                      // M2M
        payload(["https://stytch.com/session": nil, "scope": #""openid\u00a0profile""#, "client_id": #""c""#]),  // Connected Apps
        payload(["https://stytch.com/session": nil, "scope": "7"]),
        payload(["https://stytch.com/session": nil, "https://stytch.com/organization": nil, "scope": #""""#]),
        payload(["https://stytch.com/session": nil]),
        payload(["https://stytch.com/session": "7", "scope": #""a""#]),
        payload(["https://stytch.com/organization": "[]"]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: "[\(factor)]", with: "[\(factor),7]")]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: "[\(factor)]", with: "[7,\(factor)]")]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: "[\(factor)]", with: "{}")]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #""id":"#, with: #""x":1,"x":2,"id":"#)]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #""type":"password""#, with: #""type":7"#)]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #""type":"password""#, with: #""type":"password","e":{},"e":1"#)]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #""type":"password""#, with: #""type":"password","created_at":"""#)]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #""id":"#, with: #""started_at":"2026-01-01T00:00:00Z","id":"#)]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #""id":"#, with: #""deep":\#(String(repeating: "[", count: 15) + String(repeating: "]", count: 15)),"id":"#)]),
        payload(["https://stytch.com/session": session.replacingOccurrences(of: #""roles":["stytch_member","editor"]"#, with: #""roles":\#(String(repeating: "[", count: 15) + String(repeating: "]", count: 15))"#)]),
        payload(["Kelvin": "1", "\u{212A}elvin": "2"]),                      // canonically equivalent names
        payload(["x": #"{"\u212Aelvin":1,"Kelvin":2}"#]),
        payload(extra: #","\u0069ss":"again""#),
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
    func refusedShapesAgree(_ text: String) {
        #expect(Self.disagreement(payload: text).disagreement == nil)
    }

    /// Every name the reader knows, repeated (as sent, and spelt with an escape) in its object:
    /// a duplicate, refused as such, wherever the name sits.
    @Test func everyKnownNameRepeatedAgrees() {
        func twice(_ member: String, _ value: String) -> [String] {
            let escaped = "\\u00" + String(member.utf8.first!, radix: 16) + member.dropFirst()
            let plain = #""\#(member)":\#(value),"#
            return [plain + plain, #""\#(escaped)":\#(value),"# + plain]
        }
        var texts: [String] = []
        for (member, value) in [("iss", #""x""#), ("sub", #""x""#), ("aud", "[]"), ("exp", "1"), ("iat", "1"), ("nbf", "1"), ("jti", #""x""#),
                                ("https://stytch.com/session", "{}"), ("https://stytch.com/organization", "{}"), ("scope", #""x""#)] {
            texts += twice(member, value).map { "{" + $0 + Self.payload().dropFirst() }
        }
        for (member, value) in [("id", #""x""#), ("started_at", #""x""#), ("last_accessed_at", #""x""#), ("expires_at", #""x""#),
                                ("authentication_factors", "[]"), ("roles", "[]"), ("other", "1")] {
            texts += twice(member, value).map { Self.payload(["https://stytch.com/session": "{" + $0 + Self.session.dropFirst()]) }
        }
        for (member, value) in [("type", #""x""#), ("delivery_method", #""x""#), ("last_authenticated_at", #""x""#), ("created_at", #""x""#),
                                ("updated_at", #""x""#), ("email_factor", "{}")] {
            let factor = #"{"type":"password","delivery_method":"knowledge","email_factor":{},"created_at":"2026-01-01T00:00:00Z","last_authenticated_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}"#
            texts += twice(member, value).map {
                Self.payload(["https://stytch.com/session": Self.session.replacingOccurrences(of: "[\(Self.factor)]", with: "[{" + $0 + factor.dropFirst() + "]")])
            }
        }
        for (member, value) in [("organization_id", #""x""#), ("slug", #""x""#), ("other", "1")] {
            texts += twice(member, value).map { Self.payload(["https://stytch.com/organization": "{" + $0 + Self.organization.dropFirst()]) }
        }
        for (member, value) in [("alg", #""RS256""#), ("kid", #""x""#), ("typ", #""JWT""#), ("cty", "1")] {
            for text in twice(member, value) {
                #expect(Self.disagreement(header: "{" + text + #""cty":0,"# + Self.defaultHeader.dropFirst(), payload: Self.payload(), instants: [TokenFactory.now]).disagreement == nil, "header \(member)")
            }
        }
        for (index, text) in texts.enumerated() {
            let result = Self.disagreement(payload: text, instants: [TokenFactory.now], allSettings: false)
            #expect(result.disagreement == nil, "payload \(index)")
            #expect(result.outcome == .rejected(.malformed), "payload \(index): a repeated name was not refused as malformed")
        }
        #expect(texts.count == 2 * 26)
    }

    /// Seeded mutations of usual payloads (bytes replaced, inserted and deleted, chosen among the
    /// characters JSON structure turns on): the verifier and the reference reader always agree.
    @Test func mutatedPayloadsAgree() {
        var random = SplitMix64(seed: 0x5717_C4)
        let alphabet = Array(#"{}[]":,\ 0123456789.-+eEtrufalsn/u"#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xA9, 0xFF]
        let bases = [
            Self.payload(),
            Self.payload(["jti": #""j""#, "aud": #""\#(TokenFactory.projectID)""#, "x": #"{"y":[1,{"z":null}]}"#]),
            Self.payload(["https://stytch.com/session": nil, "scope": #""read:users""#]),
        ].map { Array($0.utf8) }
        var verified = 0
        for index in 0..<1_500 {
            let bytes = Self.mutated(bases[index % bases.count], edits: 1...3, from: alphabet, &random)
            let result = Self.disagreement(payload: String(decoding: bytes, as: UTF8.self), instants: [TokenFactory.now, 1_767_225_900], allSettings: false)
            #expect(result.disagreement == nil, "mutated payload \(index)")
            if case .session = result.outcome { verified += 1 }
        }
        // Many mutations land in values (names, IDs) and leave a token that verifies: the readers
        // must have been compared on a good share of verified results, not only on refusals.
        #expect(verified > 150)
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
        #"{"alg":"RS256","kid":"\#(TokenFactory.kid)","typ":"JWT"}"#,
        #"{"alg":"RS256","kid":"\#(TokenFactory.kid)"}"#,
        #"{"kid":"\#(TokenFactory.kid)","typ":"jwt","alg":"RS256"}"#,
        #" { "typ" : "JwT" , "alg" : "RS256" , "kid" : "\#(TokenFactory.kid)", "cty": "x" } "#,
        #"{"alg":"RS\u0032\u0035\u0036","k\u0069d":"\#(TokenFactory.kid)","typ":"J\u0057T"}"#,
        #"{"alg":"none","kid":"k1"}"#,
        #"{"alg":"RS256 ","kid":"k1"}"#,
        #"{"alg":"RS256","kid":""}"#,
        #"{"alg":"RS256","kid":7}"#,
        #"{"alg":7,"kid":7}"#,
        #"{"alg":"RS256"}"#,
        #"{"kid":"k1"}"#,
        #"{"alg":"RS256","kid":"k1"}"#,
        #"{"alg":"RS256","kid":"k1","typ":"JWS"}"#,
        #"{"alg":"RS256","kid":"k1","typ":"JWTS"}"#,
        #"{"alg":"RS256","kid":"k1","typ":null}"#,
        #"{"alg":"RS256","kid":"k1","alg":"RS256"}"#,
        #"{"alg":"RS256","kid":"k1","crit":["b64"]}"#,
        #"{"alg":"RS256","kid":"k1","jku":"https://evil.example","x5c":[]}"#,
        #"{"alg":"RS256","kid":"k1","x5u":null}"#,
        #"{"alg":"RS256","kid":"k1","jwk":{}}"#,
        #"{"alg":"RS256","kid":"k1","cty":1,"cty":2}"#,
        #"{"alg":"RS256","kid":"k1"}x"#,
        #"{"alg":"RS256","kid":"kï"}"#,
        #"[]"#, "", "\u{FEFF}{}",
    ])
    func headersAgree(_ text: String) {
        #expect(Self.disagreement(header: text, payload: Self.payload(), instants: [TokenFactory.now]).disagreement == nil)
    }

    @Test func mutatedHeadersAgree() {
        var random = SplitMix64(seed: 0x4EAD)
        let alphabet = Array(#"{}[]":,\ RSJWTjwt256kidalgtypu"#.utf8) + [0x00, 0xC3]
        let base = Array(Self.defaultHeader.utf8)
        var verified = 0
        for index in 0..<800 {
            let bytes = Self.mutated(base, edits: 1...2, from: alphabet, &random)
            let result = Self.disagreement(header: String(decoding: bytes, as: UTF8.self), payload: Self.payload(), instants: [TokenFactory.now], allSettings: false)
            #expect(result.disagreement == nil, "mutated header \(index)")
            if case .session = result.outcome { verified += 1 }
        }
        #expect(verified > 20)
    }

    // MARK: Authentication factors

    /// A factor read from a token keeps no JSON when it has only the five typed members; its `json`
    /// is rebuilt from them. It must be the object as sent, equal to (and hash like) the same
    /// factor decoded from an authenticate response, and encode alike.
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
        let fromToken = try #require(try verifier.verify(sessionJWT: TokenFactory.rawToken(payload: Self.payload(["https://stytch.com/session": session]))).authenticationFactors.first)
        let fromResponse = try JSONDecoder().decode(AuthenticationFactor.self, from: Data(factorText.utf8))
        #expect(fromToken.json == sent)
        #expect(fromResponse.json == sent)
        #expect(fromToken == fromResponse && fromResponse == fromToken)
        #expect(fromToken.hashValue == fromResponse.hashValue)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(fromToken) == encoder.encode(fromResponse))
    }

    /// The reader reads a factor's `type` and `delivery_method` by matching their bytes against
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
    /// timestamps are the same instant written differently are different factors.
    @Test func factorsDifferingOnlyInATimestampsTextAreNotEqual() throws {
        let verifier = try TokenFactory.verifier()
        func factor(_ lastAuthenticatedAt: String) throws -> AuthenticationFactor {
            let text = #"{"type":"password","delivery_method":"knowledge","last_authenticated_at":"\#(lastAuthenticatedAt)"}"#
            let session = Self.session.replacingOccurrences(of: "[\(Self.factor)]", with: "[\(text)]")
            return try #require(verifier.verify(sessionJWT: TokenFactory.rawToken(payload: Self.payload(["https://stytch.com/session": session]))).authenticationFactors.first)
        }
        let canonical = try factor("2026-01-01T00:00:00Z"), fraction = try factor("2026-01-01T00:00:00.000Z")
        #expect(canonical.lastAuthenticatedAt == fraction.lastAuthenticatedAt)
        #expect(canonical != fraction)
        #expect(canonical == (try factor("2026-01-01T00:00:00Z")))
        #expect(canonical.json != fraction.json)
    }
}

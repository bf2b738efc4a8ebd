import Foundation
public import StytchJWTCore

/// The reference reader: a deliberately plain second reading of a token's header and payload,
/// for tests and the fuzz targets' invariants only. It parses each document into a JSON tree with
/// the strict parser (the JSON rules themselves are tested on their own), then writes every rule
/// of SPEC §4 and §9 as directly as it can over the tree, in order. The one reader in
/// `StytchJWTCore` must reach the same outcome on every input: the same verified result, or the
/// same error code. Nothing here is fast, and nothing here is shared with the code under test
/// beyond the JSON tree and the RFC 3339 parser.
public struct ReferenceReader: Sendable {
    public var projectID: String
    public var issuers: [String]
    /// The `kid`s whose key signed the token (any other is `unknown_key`).
    public var kids: [String]
    public var leeway: Double
    public var maximumTokenAge: Double?

    public init(projectID: String, issuers: [String], kids: [String], leeway: Double = 0, maximumTokenAge: Double? = nil) {
        self.projectID = projectID
        self.issuers = issuers
        self.kids = kids
        self.leeway = leeway
        self.maximumTokenAge = maximumTokenAge
    }

    /// The reader for a verifier's settings (its accepted issuers, project, leeway, maximum age).
    public init(_ verifier: StytchJWTVerifier, kids: [String]) {
        self.init(
            projectID: verifier.configuration.projectID, issuers: Array(verifier.acceptedIssuers), kids: kids,
            leeway: verifier.configuration.leeway, maximumTokenAge: verifier.configuration.maximumTokenAge
        )
    }

    /// What a verification came to, in terms both readers can give.
    public enum Outcome: Equatable, CustomStringConvertible {
        case session(SessionSummary)
        case m2m(clientID: String, scopes: [String], custom: [String: JSONValue], jwt: [String])
        case accessToken(memberID: String, organization: [String?], scopes: [String], custom: [String: JSONValue], jwt: [String])
        case rejected(StytchJWTError.Code)

        /// Without content (for failure messages that must not echo fuzz input).
        public var description: String {
            switch self {
            case .session: "session"
            case .m2m: "m2m"
            case .accessToken: "access_token"
            case .rejected(let code): "rejected \(code)"
            }
        }
    }

    /// Everything a verified session carries, as plain values.
    public struct SessionSummary: Equatable {
        public var member: [String?], times: [String], roles: [String], factors: [JSONValue]
        public var custom: [String: JSONValue], jwt: [String]
    }

    /// The kinds of token the three entry points take.
    public enum Entry: CaseIterable, Sendable { case session, m2m, accessToken }

    // MARK: The real verifier's outcome

    /// `verifier`'s outcome for `token` through `entry`.
    public static func outcome(of verifier: StytchJWTVerifier, _ token: String, entry: Entry) -> Outcome {
        do {
            switch entry {
            case .session: return .session(summary(try verifier.verify(sessionJWT: token)))
            case .m2m:
                let m2m = try verifier.verify(m2mToken: token)
                return .m2m(clientID: m2m.clientID, scopes: m2m.scopes, custom: m2m.customClaims, jwt: jwt(m2m.jwt))
            case .accessToken:
                let access = try verifier.verify(accessToken: token)
                return .accessToken(memberID: access.memberID, organization: [access.organizationID, access.organizationSlug],
                                    scopes: access.scopes, custom: access.customClaims, jwt: jwt(access.jwt))
            }
        } catch {
            return .rejected(error.code)
        }
    }

    static func summary(_ session: VerifiedSession) -> SessionSummary {
        SessionSummary(
            member: [session.memberID, session.organizationID, session.organizationSlug, session.memberSessionID],
            times: [session.startedAt.text, session.lastAccessedAt.text, session.expiresAt.text],
            roles: session.roles, factors: session.authenticationFactors.map(\.json),
            custom: session.customClaims, jwt: jwt(session.jwt)
        )
    }

    static func jwt(_ jwt: JWTMetadata) -> [String] {
        [jwt.keyID, jwt.issuer, jwt.audience.joined(separator: "\u{0}"), "\(jwt.issuedAt)", "\(jwt.notBefore)", "\(jwt.expiresAt)", jwt.id ?? "<none>"]
    }

    // MARK: The reference reading

    private struct Refusal: Error { let code: StytchJWTError.Code }

    /// The outcome for a token of `header` and `payload` whose signature is good (when its `kid`
    /// is one of ``kids``), read through `entry` at `now`.
    public func read(header: [UInt8], payload: [UInt8], now: Double, entry: Entry) -> Outcome {
        do {
            return try reading(header: header, payload: payload, now: now, entry: entry)
        } catch let refusal as Refusal {
            return .rejected(refusal.code)
        } catch {
            return .rejected(.malformed)
        }
    }

    /// The code of the first step before the signature (structure, header, key lookup) that
    /// refuses a token of `header` and `payload`, or nil when they all pass.
    public func refusalBeforeTheSignature(header: [UInt8], payload: [UInt8]) -> StytchJWTError.Code? {
        do {
            _ = try stepsBeforeTheSignature(header: header, payload: payload)
            return nil
        } catch let refusal as Refusal {
            return refusal.code
        } catch {
            return .malformed
        }
    }

    private func refuse(_ code: StytchJWTError.Code) -> Refusal { Refusal(code: code) }
    private func same(_ a: String, _ b: String) -> Bool { Array(a.utf8) == Array(b.utf8) }

    /// Steps 1 to 3: strict JSON, the header rules, a known `kid`.
    private func stepsBeforeTheSignature(header headerBytes: [UInt8], payload payloadBytes: [UInt8]) throws -> (payload: [String: JSONValue], kid: String) {
        guard let header = try? StrictJSON.parseObject(headerBytes, maximumDepth: 16),
              let payload = try? StrictJSON.parseObject(payloadBytes, maximumDepth: 16)
        else { throw refuse(.malformed) }

        // The header.
        guard case .string(let alg)? = header["alg"] else { throw refuse(.malformed) }
        guard same(alg, "RS256") else { throw refuse(.unsupportedAlgorithm) }
        for name in ["crit", "jku", "x5u", "jwk", "x5c"] where header[name] != nil { throw refuse(.unsupportedHeader) }
        if let typ = header["typ"] {
            let spellings = ["jwt", "jwT", "jWt", "jWT", "Jwt", "JwT", "JWt", "JWT"]
            guard case .string(let text) = typ, spellings.contains(where: { same($0, text) }) else { throw refuse(.unsupportedHeader) }
        }
        guard case .string(let kid)? = header["kid"], !kid.isEmpty else { throw refuse(.malformed) }
        guard kids.contains(where: { same($0, kid) }) else { throw refuse(.unknownKey) }
        return (payload, kid)
    }

    private func reading(header headerBytes: [UInt8], payload payloadBytes: [UInt8], now: Double, entry: Entry) throws -> Outcome {
        let (payload, kid) = try stepsBeforeTheSignature(header: headerBytes, payload: payloadBytes)

        // The registered claims.
        func requiredString(_ value: JSONValue?) throws -> String {
            guard let value else { throw refuse(.missingClaim) }
            guard case .string(let string) = value, !string.isEmpty else { throw refuse(.malformed) }
            return string
        }
        func numericDate(_ value: JSONValue?) throws -> Double {
            guard let value else { throw refuse(.missingClaim) }
            guard case .number(let number) = value, number.doubleValue.isFinite else { throw refuse(.malformed) }
            return number.doubleValue
        }
        let issuer = try requiredString(payload["iss"])
        guard issuers.contains(where: { same($0, issuer) }) else { throw refuse(.issuerMismatch) }
        let audience: [String]
        switch payload["aud"] {
        case nil: throw refuse(.missingClaim)
        case .string(let one)?: audience = [one]
        case .array(let many)?:
            audience = try many.map { element in
                guard case .string(let string) = element else { throw refuse(.malformed) }
                return string
            }
        default: throw refuse(.malformed)
        }
        guard audience.contains(where: { same($0, projectID) }) else { throw refuse(.audienceMismatch) }
        let subject = try requiredString(payload["sub"])
        let exp = try numericDate(payload["exp"]), iat = try numericDate(payload["iat"]), nbf = try numericDate(payload["nbf"])
        if now >= exp + leeway { throw refuse(.expired) }
        if now + leeway < nbf || now + leeway < iat { throw refuse(.notYetValid) }
        if let maximumTokenAge, max(0, now - iat) >= maximumTokenAge { throw refuse(.tokenTooOld) }
        let jwt = [kid, issuer, audience.joined(separator: "\u{0}"), "\(iat)", "\(nbf)", "\(exp)", payload["jti"]?.stringValue ?? "<none>"]

        // The kind.
        let session = "https://stytch.com/session", organization = "https://stytch.com/organization"
        let kind: Entry? = payload[session] != nil ? .session : payload["scope"] == nil ? nil : payload[organization] != nil ? .accessToken : .m2m
        guard kind == entry else {
            if entry != .session, kind == nil { throw refuse(.missingClaim) }
            if entry == .session, kind == nil { throw refuse(.missingClaim) }
            throw refuse(.wrongTokenKind)
        }
        var custom = payload
        for name in ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", session, organization] { custom[name] = nil }
        func organizationClaim() throws -> [String?] {
            guard let value = payload[organization] else { throw refuse(.missingClaim) }
            guard case .object(let members) = value else { throw refuse(.malformed) }
            let id = try requiredString(members["organization_id"])
            if let slug = members["slug"], slug.stringValue == nil { throw refuse(.malformed) }
            return [id, members["slug"]?.stringValue]
        }
        if entry != .session {
            guard case .string(let scope)? = payload["scope"] else { throw refuse(.malformed) }
            custom["scope"] = nil
            if entry == .m2m {
                let scopes = scope.split(separator: " ").map(String.init)
                return .m2m(clientID: subject, scopes: scopes, custom: custom, jwt: jwt)
            }
            let scopes = scope.unicodeScalars.split(whereSeparator: ConnectedAppsScopes.separators.contains).map { String(String.UnicodeScalarView($0)) }
            return .accessToken(memberID: subject, organization: try organizationClaim(), scopes: scopes, custom: custom, jwt: jwt)
        }

        // The session claim.
        guard case .object(let claim)? = payload[session] else { throw refuse(.malformed) }
        func timestamp(_ value: JSONValue?, required: Bool) throws -> RFC3339Timestamp? {
            guard let value else {
                if required { throw refuse(.missingClaim) }
                return nil
            }
            guard case .string(let text) = value, let timestamp = RFC3339Timestamp(text) else { throw refuse(.malformed) }
            return timestamp
        }
        let sessionID = try requiredString(claim["id"])
        let startedAt = try timestamp(claim["started_at"], required: true)!
        let lastAccessedAt = try timestamp(claim["last_accessed_at"], required: true)!
        let expiresAt = try timestamp(claim["expires_at"], required: true)!
        guard let factorsValue = claim["authentication_factors"] else { throw refuse(.missingClaim) }
        guard case .array(let factors) = factorsValue else { throw refuse(.malformed) }
        for factor in factors {
            guard case .object(let members) = factor else { throw refuse(.malformed) }
            _ = try requiredString(members["type"])
            _ = try requiredString(members["delivery_method"])
            for name in ["last_authenticated_at", "created_at", "updated_at"] { _ = try timestamp(members[name], required: false) }
            guard members.values.filter({ $0.objectValue != nil }).count <= 1 else { throw refuse(.malformed) }
        }
        var roles: [String] = []
        if let value = claim["roles"] {
            guard case .array(let elements) = value else { throw refuse(.malformed) }
            roles = try elements.map { element in
                guard case .string(let role) = element else { throw refuse(.malformed) }
                return role
            }
        }
        if now >= expiresAt.timeIntervalSince1970 + leeway { throw refuse(.expired) }
        let organizationParts = try organizationClaim()
        return .session(SessionSummary(
            member: [subject, organizationParts[0], organizationParts[1], sessionID],
            times: [startedAt.text, lastAccessedAt.text, expiresAt.text], roles: roles, factors: factors,
            custom: custom, jwt: jwt
        ))
    }
}

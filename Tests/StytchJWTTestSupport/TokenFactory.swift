public import Foundation
public import StytchJWT
public import StytchJWTTesting

/// Signed test tokens made with the test-only demo key, and verifiers with a fixed clock.
///
/// The default payload mirrors `Fixtures/make_fixtures.py` (SPEC §2); every mutation starts from it,
/// so a test changes exactly one thing and the signature stays valid unless the test breaks it.
public enum TokenFactory {
    // MARK: Fixture facts (from Fixtures/make_fixtures.py)

    public static let projectID = "project-test-00000000-0000-4000-8000-000000000000"
    public static let kid = "jwk-test-11111111-1111-4111-8111-111111111111"
    public static let memberID = "member-test-fde03dd1-fff7-4b3c-9b31-ead3fbc224de"
    public static let sessionID = "member-session-test-e26a0ccb-0dc0-4edb-a4bb-e70210f43555"
    public static let organizationID = "organization-test-bd49f916-180c-46fe-9535-d9acd5e30519"
    public static let slug = "acme"
    /// 2026-01-01T00:00:00Z.
    public static let iat: Int64 = 1_767_225_600
    /// The JWT lives five minutes.
    public static let exp: Int64 = iat + 300
    /// The session claim's `expires_at`, 2026-01-01T02:00:00Z.
    public static let sessionExpiresAt: Int64 = iat + 7200
    /// The instant the fixture is verified at by default.
    public static let now = Double(iat + 60)

    public static let sessionClaim = "https://stytch.com/session"
    public static let organizationClaim = "https://stytch.com/organization"

    // MARK: Files

    /// The package root (``PackageFiles``).
    public static var packageRoot: URL { PackageFiles.root }

    public static func contents(of relativePath: String) -> String {
        let path = packageRoot.appendingPathComponent(relativePath).path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            fatalError("cannot read fixture \(relativePath)")
        }
        return text
    }

    /// The test-only demo signing key, matching `Keys/demo-jwks.json`.
    public static let signingKey: TestingSigningKey = {
        guard let key = TestingSigningKey(pem: contents(of: "Keys/TEST-ONLY-demo-signing-key.pem")) else {
            fatalError("cannot read the test-only signing key")
        }
        return key
    }()

    /// Another key: an attacker's, or a rotated-out one. Generated once (slow).
    public static let otherKey = TestingSigningKey()

    /// The pinned demo JWKS.
    public static let keys: JWKSet = {
        do {
            return try JWKSet(contentsOfFile: packageRoot.appendingPathComponent("Keys/demo-jwks.json").path)
        } catch {
            fatalError("cannot read the demo JWKS: \(error)")
        }
    }()

    /// `Fixtures/session.jwt`, without its trailing newline.
    public static let fixtureToken = contents(of: "Fixtures/session.jwt").trimmingCharacters(in: .whitespacesAndNewlines)

    // MARK: JSON values

    public static func string(_ value: String) -> JSONValue { .string(value) }
    public static func int(_ value: Int64) -> JSONValue { .number(JSONNumber(value)) }
    /// A number from its JSON literal, used byte for byte (`1e400`, `1767225900.5`).
    public static func number(_ literal: String) -> JSONValue { .number(JSONNumber(uncheckedLiteral: literal)) }
    public static func strings(_ values: String...) -> JSONValue { .array(values.map(JSONValue.string)) }

    /// Compact JSON text of an object (members sorted by name, numbers as their literals).
    public static func text(_ object: [String: JSONValue]) -> String { JSONValue.object(object).jsonText }

    // MARK: Defaults

    public static let defaultHeader: [String: JSONValue] = [
        "alg": .string("RS256"), "kid": .string(kid), "typ": .string("JWT"),
    ]

    public static let defaultFactor: JSONValue = .object([
        "type": .string("password"),
        "delivery_method": .string("knowledge"),
        "last_authenticated_at": .string("2026-01-01T00:00:00Z"),
    ])

    public static let defaultPayload: [String: JSONValue] = [
        "aud": strings(projectID),
        "iss": .string("stytch.com/\(projectID)"),
        "sub": .string(memberID),
        "iat": int(iat),
        "nbf": int(iat),
        "exp": int(exp),
        sessionClaim: .object([
            "id": .string(sessionID),
            "started_at": .string("2026-01-01T00:00:00Z"),
            "last_accessed_at": .string("2026-01-01T00:00:00Z"),
            "expires_at": .string("2026-01-01T02:00:00Z"),
            "authentication_factors": .array([defaultFactor]),
            "roles": strings("stytch_member", "editor"),
        ]),
        organizationClaim: .object(["organization_id": .string(organizationID), "slug": .string(slug)]),
        "my_custom_claim": .string("value"),
    ]

    // MARK: Tokens

    /// A compact JWS of `header` and `payload`, signed with `key` (the demo key by default).
    public static func token(
        header: [String: JSONValue] = defaultHeader,
        payload: [String: JSONValue] = defaultPayload,
        key: TestingSigningKey = signingKey
    ) -> String {
        key.compactJWS(header: text(header), payload: text(payload))
    }

    /// A compact JWS of raw header and payload texts, used byte for byte: duplicate members, odd
    /// numbers, byte-order marks, anything.
    public static func rawToken(header: String = text(defaultHeader), payload: String = text(defaultPayload), key: TestingSigningKey = signingKey) -> String {
        key.compactJWS(header: header, payload: payload)
    }

    /// `text` with `insertion` placed right after the first `anchor`. Traps if `anchor` is absent,
    /// so a test can never silently build the unmutated text.
    public static func inserting(_ insertion: String, after anchor: String, in text: String) -> String {
        guard let range = text.range(of: anchor) else { fatalError("anchor \(anchor) not found") }
        return text.replacingCharacters(in: range, with: anchor + insertion)
    }

    /// The three segments of a compact token.
    public static func segments(_ token: String) -> [String] {
        token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    /// `token` with its signature bytes replaced by `transform(signature)`, re-encoded canonically.
    public static func resigned(_ token: String, _ transform: ([UInt8]) -> [UInt8]) -> String {
        let parts = segments(token)
        guard let signature = Base64URL.decode(parts[2]) else { fatalError("not a canonical signature") }
        return parts[0] + "." + parts[1] + "." + Base64URL.encode(transform(signature))
    }

    // MARK: Payload mutation

    /// `base` with the member at `path` set to `value`; `nil` removes it. Components name object
    /// members; a numeric component indexes an array (e.g. `sessionClaim, "authentication_factors", "0", "type"`).
    public static func payload(setting path: String..., to value: JSONValue?, in base: [String: JSONValue] = defaultPayload) -> [String: JSONValue] {
        guard case .object(let result)? = set(path[...], to: value, in: .object(base)) else { fatalError("path must not be empty") }
        return result
    }

    /// `base` without the member at `path`.
    public static func payload(removing path: String..., from base: [String: JSONValue] = defaultPayload) -> [String: JSONValue] {
        guard case .object(let result)? = set(path[...], to: nil, in: .object(base)) else { fatalError("path must not be empty") }
        return result
    }

    private static func set(_ path: ArraySlice<String>, to value: JSONValue?, in json: JSONValue) -> JSONValue? {
        guard let name = path.first else { return value }
        switch json {
        case .object(var members):
            members[name] = set(path.dropFirst(), to: value, in: members[name] ?? .object([:]))
            return .object(members)
        case .array(var elements):
            guard let index = Int(name), elements.indices.contains(index) else { fatalError("no element \(name)") }
            if let element = set(path.dropFirst(), to: value, in: elements[index]) {
                elements[index] = element
            } else {
                elements.remove(at: index)
            }
            return .array(elements)
        default:
            fatalError("\(name) is not inside an object or array")
        }
    }

    /// A value nested `levels` containers deep (objects `{"d":…}`, or arrays), innermost empty.
    public static func nested(levels: Int, arrays: Bool = false) -> JSONValue {
        var value: JSONValue = arrays ? .array([]) : .object([:])
        for _ in 1..<max(levels, 1) { value = arrays ? .array([value]) : .object(["d": value]) }
        return value
    }

    // MARK: Verifiers

    /// A verifier whose clock is fixed at `now` (seconds since 1970).
    public static func verifier(
        at now: Double = TokenFactory.now,
        leeway: TimeInterval = 0,
        maximumTokenAge: TimeInterval? = nil,
        projectID: String = TokenFactory.projectID,
        baseURL: String? = nil,
        keys: JWKSet = TokenFactory.keys
    ) throws(StytchJWTError) -> StytchJWTVerifier {
        try StytchJWTVerifier(
            configuration: .init(
                projectID: projectID, baseURL: baseURL, leeway: leeway, maximumTokenAge: maximumTokenAge,
                clock: { Date(timeIntervalSince1970: now) }
            ),
            keys: keys
        )
    }
}

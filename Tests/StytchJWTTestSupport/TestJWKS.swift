public import StytchJWT
package import StytchJWTTesting

/// JWKS documents and signing keys for tests, shaped like Stytch's (SPEC §3).
///
/// `TestingSigningKey` has `package` access, so the members that mention it do too.
public enum TestJWKS {
    /// Fresh 2048-bit signing keys, generated once per process (generation is slow).
    package static let keyA = TestingSigningKey()
    package static let keyB = TestingSigningKey()
    package static let keyC = TestingSigningKey()
    /// A 1024-bit key: below the admission policy's minimum.
    package static let weak1024 = TestingSigningKey(bits: 1024)

    /// The members Stytch puts next to `keys`, which a parser must ignore.
    public static let stytchExtraMembers: [String: JSONValue] = [
        "request_id": .string("request-id-test-0f4c3d6e-2f7b-4c43-9a52-5b8e3c9d1a77"),
        "status_code": .number(JSONNumber(200)),
    ]

    /// One public JWK for `key`, as Stytch publishes it, with `overrides` applied (nil removes a member).
    package static func jwk(kid: String, key: TestingSigningKey, overriding overrides: [String: JSONValue?] = [:]) -> JSONValue {
        var members = key.publicJWK(kid: kid).objectValue ?? [:]
        members["x5tS256"] = .string("test-thumbprint-not-checked")
        for (name, value) in overrides { members[name] = value }
        return .object(members)
    }

    /// A JWKS document holding `keys` (then `extraKeys` verbatim), plus `extraMembers`.
    package static func document(
        _ keys: [(kid: String, key: TestingSigningKey)],
        extraKeys: [JSONValue] = [],
        extraMembers: [String: JSONValue] = stytchExtraMembers
    ) -> JSONValue {
        var members = extraMembers
        members["keys"] = .array(keys.map { jwk(kid: $0.kid, key: $0.key) } + extraKeys)
        return .object(members)
    }

    /// The compact text of `document`, as bytes.
    public static func bytes(_ document: JSONValue) -> [UInt8] { Array(document.jsonText.utf8) }

    /// A `kid` shaped like Stytch's, unique to this call site and run.
    public static func randomKid(_ prefix: String = "jwk-test") -> String {
        "\(prefix)-\(UInt64.random(in: 0...UInt64.max))-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// The B2B JWKS path for a test project with a random ID.
    public static func randomJWKSPath() -> String {
        "/v1/b2b/sessions/jwks/project-test-\(UInt64.random(in: 0...UInt64.max))"
    }
}

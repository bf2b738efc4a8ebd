import Foundation
public import StytchJWT
package import StytchJWTTesting

/// Signed Stytch B2B session JWTs for the middleware tests, shaped like the fixture (SPEC §2).
///
/// The payload mirrors `Fixtures/make_fixtures.py`; every option changes one thing, so a test that
/// asks for an admin in another organization gets exactly that and a valid signature.
///
/// ```swift
/// let key = TestJWKS.keyA
/// let token = TestTokens.token(kid: "kid-a", key: key, roles: ["admin"])
/// ```
public enum TestTokens {
    /// The fixture's project ID.
    public static let projectID = TokenFactory.projectID
    /// The fixture's member ID (`sub`).
    public static let memberID = TokenFactory.memberID
    /// The fixture's member session ID.
    public static let sessionID = TokenFactory.sessionID
    /// The fixture's organization ID.
    public static let organizationID = TokenFactory.organizationID
    /// The fixture's organization slug.
    public static let slug = TokenFactory.slug
    /// 2026-01-01T00:00:00Z: `iat`, `nbf`, the session start and the factor's last use.
    public static let issuedAt: Int64 = TokenFactory.iat
    /// The instant in-memory tests verify at: one minute after issue.
    public static let now = Double(issuedAt + 60)

    static let sessionClaim = TokenFactory.sessionClaim
    static let organizationClaim = TokenFactory.organizationClaim

    /// A B2B payload. `issuedAt` sets `iat`, `nbf`, the session's `started_at`/`last_accessed_at`
    /// and each factor's `last_authenticated_at`; `exp` is `iat + jwtLifetime`, the session's
    /// `expires_at` is `iat + sessionLifetime`.
    public static func payload(
        projectID: String = projectID,
        issuedAt: Int64 = issuedAt,
        memberID: String = memberID,
        organizationID: String = organizationID,
        slug: String? = slug,
        roles: [String] = ["stytch_member"],
        factors: [String] = ["password"],
        jwtLifetime: Int64 = 300,
        sessionLifetime: Int64 = 7200
    ) -> [String: JSONValue] {
        let started = rfc3339(issuedAt)
        var organization: [String: JSONValue] = ["organization_id": .string(organizationID)]
        if let slug { organization["slug"] = .string(slug) }
        return [
            "aud": .array([.string(projectID)]),
            "iss": .string("stytch.com/\(projectID)"),
            "sub": .string(memberID),
            "iat": .number(JSONNumber(issuedAt)),
            "nbf": .number(JSONNumber(issuedAt)),
            "exp": .number(JSONNumber(issuedAt + jwtLifetime)),
            sessionClaim: .object([
                "id": .string(sessionID),
                "started_at": .string(started),
                "last_accessed_at": .string(started),
                "expires_at": .string(rfc3339(issuedAt + sessionLifetime)),
                "authentication_factors": .array(factors.map { type in
                    .object([
                        "type": .string(type),
                        "delivery_method": .string(type == "totp" ? "authenticator_app" : "knowledge"),
                        "last_authenticated_at": .string(started),
                    ])
                }),
                "roles": .array(roles.map(JSONValue.string)),
            ]),
            organizationClaim: .object(organization),
            "my_custom_claim": .string("value"),
        ]
    }

    /// A compact JWS over `payload` with header `{"alg":"RS256","kid":kid,"typ":"JWT"}`, signed by `key`.
    package static func token(kid: String, key: TestingSigningKey, payload: [String: JSONValue]) -> String {
        let header = JSONValue.object(["alg": .string("RS256"), "kid": .string(kid), "typ": .string("JWT")])
        return key.compactJWS(header: header.jsonText, payload: JSONValue.object(payload).jsonText)
    }

    /// A compact JWS over ``payload(projectID:issuedAt:memberID:organizationID:slug:roles:factors:jwtLifetime:sessionLifetime:)``
    /// with the given options, signed by `key`.
    package static func token(
        kid: String,
        key: TestingSigningKey,
        issuedAt: Int64 = issuedAt,
        memberID: String = memberID,
        organizationID: String = organizationID,
        slug: String? = slug,
        roles: [String] = ["stytch_member"],
        factors: [String] = ["password"]
    ) -> String {
        token(kid: kid, key: key, payload: payload(
            issuedAt: issuedAt, memberID: memberID, organizationID: organizationID, slug: slug, roles: roles, factors: factors
        ))
    }

    /// A key set holding `key`'s public half under `kid`.
    package static func keySet(kid: String, key: TestingSigningKey) throws(StytchJWTError) -> JWKSet {
        JWKSet(keys: [kid: try key.publicKey()])
    }

    /// `token` with its signature replaced by one over other bytes (same length, wrong value).
    public static func withBrokenSignature(_ token: String) -> String {
        var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, var signature = Base64URL.decode(parts[2]), !signature.isEmpty else { return token }
        signature[signature.count / 2] ^= 0x01
        parts[2] = Base64URL.encode(signature)
        return parts.joined(separator: ".")
    }

    /// The signature segment of `token`: no log line or response body may contain it.
    public static func signatureSegment(of token: String) -> String {
        String(token.split(separator: ".", omittingEmptySubsequences: false).last ?? "")
    }

    /// The current time in whole seconds, for tokens a live server with a real clock accepts.
    public static func currentUnixTime() -> Int64 {
        Int64(Date().timeIntervalSince1970)
    }

    private static func rfc3339(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

import Foundation

// What StytchB2BAPI's session refresher needs from the token reader: the identity a token names
// once its signature verified (time rules aside), and the claim checks of a JWT received from
// Stytch over TLS. Kept here so every rule about a token stays in the core.

/// Whom a token whose signature verified names (its time rules aside).
package struct SignedIdentity: Sendable {
    package let memberID: String
    package let memberSessionID: String
    package let organizationID: String
}

extension StytchJWTVerifier {
    /// Whom `token` names, after its header and RS256 signature verified with a held key; the time
    /// rules are not applied (the token is known to have expired).
    package func signedIdentity(of token: String) async throws(StytchJWTError) -> SignedIdentity {
        var (jws, payload, kid) = try read(token)
        let key: RSAPublicKey
        switch keySource {
        case .pinned(let keys):
            guard let held = keys.key(for: kid) else { throw StytchJWTError(.unknownKey, "no key matches header.kid") }
            key = held
        case .provider(let provider):
            key = try await provider.key(for: kid)
        }
        try jws.checkSignature(with: key)
        let session = try session(&payload, kid: kid, now: 0, timeRules: false)
        return SignedIdentity(memberID: session.memberID, memberSessionID: session.memberSessionID, organizationID: session.organizationID)
    }

    /// Every check but the signature, for a JWT received straight from Stytch's API over TLS when
    /// no key can be had (``StytchSessionRefresher/Configuration/refreshOnKeysUnavailable``).
    package func verifyTrustingSignature(sessionJWT token: String) throws(StytchJWTError) -> VerifiedSession {
        var (_, payload, kid) = try read(token)
        return try session(&payload, kid: kid, now: configuration.clock().timeIntervalSince1970)
    }

    /// Every rule that can be checked without a key, for a token about to be sent to Stytch's API
    /// while no key can be had: size and structure, the header, `iss`, `aud`, `sub`, the claim
    /// types, the Stytch claims, and the time rules, of which only `expired` and `token_too_old`
    /// (what a refresh is for) are let through.
    package func checkWithoutKey(sessionJWT token: String) throws(StytchJWTError) {
        let (_, payload, kid) = try read(token)
        let now = configuration.clock().timeIntervalSince1970
        do {
            var fields = payload
            _ = try session(&fields, kid: kid, now: now)
        } catch where error.code == .expired || error.code == .tokenTooOld {
            // Expired or old is what a refresh is for; the rules after the time rules still apply.
            var fields = payload
            _ = try session(&fields, kid: kid, now: now, timeRules: false)
        }
    }
}

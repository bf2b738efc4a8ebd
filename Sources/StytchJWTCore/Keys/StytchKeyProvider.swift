/// Where a ``StytchJWTVerifier`` gets keys when they are not a fixed ``JWKSet``: StytchJWKS's
/// `StytchJWKSCache` (remote keys, rotation, outages) or your own source.
///
/// A lookup of a key held now never waits; ``key(for:)`` may fetch when that can help.
public protocol StytchKeyProvider: Sendable {
    /// The key for `kid` among the keys held now, without waiting on anything; nil when none is.
    func heldKey(for kid: String) -> RSAPublicKey?

    /// The error for a `kid` no held key has: `unknown_key` while any usable key is held,
    /// `keys_unavailable` otherwise.
    func missingKeyError() -> StytchJWTError

    /// The key for `kid`, fetching when that can help.
    ///
    /// - Throws: `unknown_key` or `keys_unavailable`.
    func key(for kid: String) async throws(StytchJWTError) -> RSAPublicKey
}

extension StytchKeyProvider {
    /// The held key, or ``missingKeyError()``: for providers that never fetch.
    public func key(for kid: String) async throws(StytchJWTError) -> RSAPublicKey {
        guard let key = heldKey(for: kid) else { throw missingKeyError() }
        return key
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension String {
    /// Whether `self` and `other` have the same UTF-8 bytes.
    ///
    /// Every comparison that decides trust (issuer, audience, `kid`, cache keys, organization IDs,
    /// roles, scopes, resource and action names, cookie names) uses this, never `==`: Swift's
    /// `String ==` is Unicode canonical equivalence, under which `"\u{212A}"` (KELVIN SIGN) equals `"K"`.
    public func hasSameUTF8(as other: String) -> Bool {
        // Read in place (no copy of either string, so no reference count): lengths first.
        let lhs = utf8, rhs = other.utf8
        guard lhs.count == rhs.count else { return false }
        let same = lhs.withContiguousStorageIfAvailable { a in
            rhs.withContiguousStorageIfAvailable { b in a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
        }
        return (same ?? nil) ?? lhs.elementsEqual(rhs)
    }
}

extension Sequence where Element == String {
    /// Whether an element has the same UTF-8 bytes as `string` (``Swift/String/hasSameUTF8(as:)``).
    @inlinable
    public func containsUTF8(_ string: String) -> Bool {
        contains { $0.hasSameUTF8(as: string) }
    }
}

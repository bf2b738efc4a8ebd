public import Foundation
public import Logging

/// A set of verification keys looked up by `kid`, built from a JWKS document under the key
/// admission policy.
///
/// A key that fails the policy is left out with a logged reason (see ``rejectedKeys``); it never
/// fails the whole set. Two keys that share a `kid` are both left out: which one a token meant is
/// ambiguous. The policy: `kty` `RSA`; `use` absent or `sig`; `key_ops` absent or containing
/// `verify`; `alg` absent or `RS256`; a non-empty `kid`; no private-key members; a modulus of
/// 2048 to 16384 bits without the ROCA fingerprint; an odd exponent of at least 65537.
///
/// ```swift
/// let keys = try JWKSet(contentsOfFile: "Keys/demo-jwks.json")
/// ```
public struct JWKSet: Sendable {
    /// A key the admission policy left out, and why.
    public struct RejectedKey: Sendable, Hashable {
        /// The position of the key in the document's `keys` array.
        public let index: Int
        /// The key's `kid`, when it had a string one.
        public let kid: String?
        /// Why it was left out.
        public let reason: String
    }

    /// Limits on a JWKS document, checked before and while parsing.
    public struct Limits: Sendable, Hashable {
        /// The largest document accepted, in bytes. Default 1 MiB.
        public var maximumDocumentBytes: Int = 1 << 20
        /// The largest number of entries in `keys`; further entries are left out. Default 100.
        public var maximumKeyCount: Int = 100
        /// The deepest JSON nesting accepted. Default 16.
        public var maximumDepth: Int = 16

        /// The defaults listed on each setting.
        public init() {}
    }

    /// The admitted keys by `kid`.
    public let keys: [String: RSAPublicKey]
    /// The keys the policy left out, in document order.
    public let rejectedKeys: [RejectedKey]

    /// The admitted keys in a list, when there are at most eight (a project has one or two): for
    /// so few, comparing `kid`s is cheaper than hashing the one looked up.
    private let fewKeys: [(kid: String, key: RSAPublicKey)]?

    private static func fewKeys(_ keys: [String: RSAPublicKey]) -> [(kid: String, key: RSAPublicKey)]? {
        keys.count <= 8 ? keys.map { (kid: $0.key, key: $0.value) } : nil
    }

    /// The admitted key with this `kid`, if any.
    public func key(for kid: String) -> RSAPublicKey? {
        guard let fewKeys else {
            // The dictionary finds a canonically equivalent `kid` too: confirm it byte for byte.
            guard let index = keys.index(forKey: kid), keys[index].key.hasSameUTF8(as: kid) else { return nil }
            return keys[index].value
        }
        for entry in fewKeys where entry.kid.hasSameUTF8(as: kid) { return entry.key }
        return nil
    }

    /// Whether no key was admitted.
    public var isEmpty: Bool { keys.isEmpty }

    /// The admitted `kid`s, sorted.
    public var kids: [String] { keys.keys.sorted() }

    /// A set of already-built keys by `kid`.
    public init(keys: [String: RSAPublicKey]) {
        self.keys = keys
        self.fewKeys = Self.fewKeys(keys)
        self.rejectedKeys = []
    }

    /// Parses a JWKS document (`{"keys":[…]}`; unknown top-level members such as `request_id`
    /// are ignored) and admits its keys under the policy.
    ///
    /// - Throws: ``StytchJWTError`` with code `keys_unavailable` when the document is too large,
    ///   not strict JSON, or has no `keys` array. An empty result is not an error here: check
    ///   ``isEmpty``, or let the verifier report `keys_unavailable`.
    public init(jwks document: [UInt8], limits: Limits = Limits(), logger: Logger? = nil) throws(StytchJWTError) {
        guard document.count <= limits.maximumDocumentBytes else {
            throw StytchJWTError(.keysUnavailable, "JWKS document is larger than \(limits.maximumDocumentBytes) bytes")
        }
        let root: [String: JSONValue]
        do {
            root = try StrictJSON.parseObject(document, maximumDepth: limits.maximumDepth)
        } catch {
            throw StytchJWTError(.keysUnavailable, "JWKS document is not valid JSON: \(error)")
        }
        guard let entries = root["keys"]?.arrayValue else {
            throw StytchJWTError(.keysUnavailable, "JWKS document has no \"keys\" array")
        }

        let considered = entries.prefix(limits.maximumKeyCount)
        var kidCounts: [String: Int] = [:]
        for entry in considered {
            if let kid = entry["kid"]?.stringValue { kidCounts[kid, default: 0] += 1 }
        }

        var admitted: [String: RSAPublicKey] = [:]
        var rejected: [RejectedKey] = []
        for (index, entry) in entries.enumerated() {
            let kid = entry["kid"]?.stringValue
            if index >= limits.maximumKeyCount {
                rejected.append(RejectedKey(index: index, kid: kid, reason: "more than \(limits.maximumKeyCount) keys in the set"))
                continue
            }
            if let kid, kidCounts[kid, default: 0] > 1 {
                // Which of two keys with one kid a token meant is ambiguous: keep neither.
                rejected.append(RejectedKey(index: index, kid: kid, reason: "another key in the set has the same kid"))
                continue
            }
            do {
                let (admittedKid, key) = try Self.admit(entry)
                admitted[admittedKid] = key
            } catch {
                rejected.append(RejectedKey(index: index, kid: kid, reason: error.message))
            }
        }
        self.keys = admitted
        self.fewKeys = Self.fewKeys(admitted)
        self.rejectedKeys = rejected

        if let logger {
            for key in rejected {
                logger.warning("JWKS key left out", metadata: [
                    "jwks.key_index": "\(key.index)",
                    "jwks.kid": "\(key.kid.map(Self.loggable) ?? "-")",
                    "jwks.reason": "\(key.reason)",
                ])
            }
            logger.debug("JWKS parsed", metadata: ["jwks.keys_admitted": "\(admitted.count)", "jwks.keys_rejected": "\(rejected.count)"])
        }
    }

    /// Parses a JWKS document from `data`.
    public init(jwks data: Data, limits: Limits = Limits(), logger: Logger? = nil) throws(StytchJWTError) {
        try self.init(jwks: [UInt8](data), limits: limits, logger: logger)
    }

    /// Reads and parses a pinned JWKS file. No network is involved.
    ///
    /// - Throws: ``StytchJWTError`` with code `keys_unavailable` when the file cannot be read or parsed.
    public init(contentsOfFile path: String, limits: Limits = Limits(), logger: Logger? = nil) throws(StytchJWTError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StytchJWTError(.keysUnavailable, "cannot open the JWKS file")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            // Read one byte past the cap so an oversize file is detected without reading it all.
            data = try handle.read(upToCount: limits.maximumDocumentBytes + 1) ?? Data()
        } catch {
            throw StytchJWTError(.keysUnavailable, "cannot read the JWKS file")
        }
        try self.init(jwks: [UInt8](data), limits: limits, logger: logger)
    }

    private static let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    /// Applies the admission policy to one entry of `keys`.
    static func admit(_ entry: JSONValue) throws(StytchJWTError) -> (kid: String, key: RSAPublicKey) {
        guard let members = entry.objectValue else { throw StytchJWTError(.malformed, "key is not a JSON object") }
        guard let kty = members["kty"]?.stringValue else { throw StytchJWTError(.malformed, "kty is missing or not a string") }
        guard kty.hasSameUTF8(as: "RSA") else { throw StytchJWTError(.malformed, "kty is not RSA") }
        guard case .string(let kid)? = members["kid"], !kid.isEmpty else {
            throw StytchJWTError(.malformed, "kid is missing, empty or not a string")
        }
        if let use = members["use"] {
            guard use.stringValue?.hasSameUTF8(as: "sig") == true else { throw StytchJWTError(.malformed, "use is not sig") }
        }
        if let keyOps = members["key_ops"] {
            guard let operations = keyOps.arrayValue, operations.allSatisfy({ $0.stringValue != nil }) else {
                throw StytchJWTError(.malformed, "key_ops is not an array of strings")
            }
            guard operations.contains(where: { $0.stringValue?.hasSameUTF8(as: "verify") == true }) else { throw StytchJWTError(.malformed, "key_ops does not contain verify") }
        }
        if let alg = members["alg"] {
            guard alg.stringValue?.hasSameUTF8(as: "RS256") == true else { throw StytchJWTError(.malformed, "alg is not RS256") }
        }
        if let member = privateMembers.first(where: { members[$0] != nil }) {
            throw StytchJWTError(.malformed, "key carries private member \"\(member)\": a published private key is compromised")
        }
        guard let nText = members["n"]?.stringValue, let n = Base64URL.decode(nText) else {
            throw StytchJWTError(.malformed, "n is missing or not base64url")
        }
        guard let eText = members["e"]?.stringValue, let e = Base64URL.decode(eText) else {
            throw StytchJWTError(.malformed, "e is missing or not base64url")
        }
        return (kid, try RSAPublicKey(modulus: n, exponent: e))
    }

    /// A `kid` from a key set is configuration, not a secret; still, bound what reaches a log.
    static func loggable(_ kid: String) -> String {
        let cleaned = String(kid.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.prefix(80).map(Character.init))
        return cleaned
    }
}

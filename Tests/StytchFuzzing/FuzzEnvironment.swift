import Foundation
import StytchJWT
import StytchJWTTestSupport
import StytchJWTTesting

/// The fixed world every fuzz input is judged in: the pinned demo key set (`Keys/demo-jwks.json`),
/// the fixtures' project, and a clock stopped one minute after the fixture token was issued, so a
/// run is reproducible on any date and every crash replays exactly.
final class FuzzEnvironment: Sendable {
    static let projectID = "project-test-00000000-0000-4000-8000-000000000000"
    /// 2026-01-01T00:01:00Z: one minute after the fixtures' `iat`, as in the README's smoke test.
    static let now: Double = 1_767_225_660

    /// Built once per process: the first input pays for it, every later one reuses it.
    static let shared = FuzzEnvironment()

    let configuration: StytchJWTVerifier.Configuration
    let keys: JWKSet
    /// The verifier as users get it (its verified-token cache on).
    let verifier: StytchJWTVerifier
    /// The same without the verified-token cache: every verification parses and checks the RSA
    /// signature, so each one copies and frees an `EVP_MD_CTX`.
    let uncachedVerifier: StytchJWTVerifier
    /// The demo key, as admitted from `Keys/demo-jwks.json`.
    let demoKey: RSAPublicKey
    /// The `kid` of the demo key.
    let fixtureKid: String
    /// `Fixtures/session.jwt`, which verifies at ``now``.
    let fixtureToken: String
    /// The test-only demo signing key (public knowledge, never trusted by anything real).
    let signingKey: TestingSigningKey
    /// The header the claims target signs with, and its base64url.
    let header: [UInt8]
    let encodedHeader: String
    /// The reference reader (the tests' oracle) with the verifiers' settings and the demo key's `kid`.
    let reference: ReferenceReader
    /// `Keys/demo-jwks.json` as bytes.
    let demoJWKSDocument: [UInt8]

    private init() {
        let root = FuzzEnvironment.packageRoot
        func read(_ relativePath: String) -> Data {
            guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(relativePath).path) else {
                fatalError("fuzz harness: cannot read \(relativePath) under \(root.path) (set STYTCH_JWT_PACKAGE_ROOT)")
            }
            return data
        }
        demoJWKSDocument = [UInt8](read("Keys/demo-jwks.json"))
        do {
            keys = try JWKSet(jwks: demoJWKSDocument)
        } catch {
            fatalError("fuzz harness: the demo JWKS does not parse: \(error)")
        }
        guard keys.keys.count == 1, let (kid, key) = keys.keys.first else {
            fatalError("fuzz harness: the demo JWKS must hold exactly one admitted key")
        }
        fixtureKid = kid
        demoKey = key
        configuration = StytchJWTVerifier.Configuration(
            projectID: Self.projectID,
            clock: { Date(timeIntervalSince1970: FuzzEnvironment.now) }
        )
        var uncached = configuration
        uncached.tokenCache = nil
        do {
            verifier = try StytchJWTVerifier(configuration: configuration, keys: keys)
            uncachedVerifier = try StytchJWTVerifier(configuration: uncached, keys: keys)
        } catch {
            fatalError("fuzz harness: cannot build the verifier: \(error)")
        }
        fixtureToken = String(decoding: read("Fixtures/session.jwt"), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard let signingKey = TestingSigningKey(pem: String(decoding: read("Keys/TEST-ONLY-demo-signing-key.pem"), as: UTF8.self)) else {
            fatalError("fuzz harness: cannot read the test-only signing key")
        }
        self.signingKey = signingKey
        header = Array(#"{"alg":"RS256","kid":"\#(kid)","typ":"JWT"}"#.utf8)
        encodedHeader = Base64URL.encode(header)
        reference = ReferenceReader(uncachedVerifier, kids: [kid])
    }

    /// A compact JWS of the standard header and `payload` (raw bytes, used as they are), signed
    /// with the demo key.
    func signedToken(payload: [UInt8]) -> String {
        let signingInput = encodedHeader + "." + Base64URL.encode(payload)
        let signature = signingKey.sign(Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// The package root: `STYTCH_JWT_PACKAGE_ROOT`, or ``PackageFiles/root``.
    static var packageRoot: URL {
        if let root = ProcessInfo.processInfo.environment["STYTCH_JWT_PACKAGE_ROOT"], !root.isEmpty {
            return URL(fileURLWithPath: root)
        }
        return PackageFiles.root
    }
}

import Foundation
import StytchJWT
import StytchJWTTestSupport

/// The fuzz targets: each takes arbitrary bytes and must never crash, hang, leak or break one of
/// the invariants checked here. A broken invariant traps (`fatalError`), which libFuzzer records
/// as a crash. Nothing an input contains is ever printed.
///
/// The same entry points serve libFuzzer (`Tests/fuzz.sh`, built with `-sanitize=fuzzer,address`
/// and `-D FUZZING`) and the ordinary build, where each `stytch-jwt-fuzz-*` executable and the
/// `StytchFuzzingTests` suite replay the committed corpus under `Tests/FuzzCorpus/`.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Token verification end to end: the input is a compact JWS, verified with the pinned demo
    /// keys at a fixed instant (size, structure, base64url, strict JSON, header, key lookup, signature).
    case token
    /// JWKS parsing and key admission: the input is a JWKS document for `JWKSet(jwks:)`.
    case jwks
    /// Authenticate responses: the input is a response body for `B2BAuthenticateResponse(json:)`,
    /// then `verify(authenticateResponse:)` (session JWT verification and the cross-check).
    case response
    /// Claims: the input is a JWT payload, signed by the harness with the test-only demo key so that
    /// verification reaches the registered and Stytch claim rules (which a mutated signature never would).
    case claims

    /// Runs one input through this target.
    public func run(_ bytes: UnsafeRawBufferPointer) {
        switch self {
        case .token: FuzzTargets.token(bytes)
        case .jwks: FuzzTargets.jwks(bytes)
        case .response: FuzzTargets.response(bytes)
        case .claims: FuzzTargets.claims(bytes)
        }
    }

    /// Runs one input through this target.
    public func run(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { run($0) }
    }
}

enum FuzzTargets {
    static func token(_ input: UnsafeRawBufferPointer) {
        let token = String(decoding: input, as: UTF8.self)
        let environment = FuzzEnvironment.shared
        let outcome: ReferenceReader.Outcome
        do {
            let session = try environment.verifier.verify(sessionJWT: token)
            checkVerified(session, environment: environment)
            // The unverified decoder applies the same strict rules: what verifies must decode.
            invariant((try? UnverifiedToken(token)) != nil, "a verified token does not decode as UnverifiedToken")
            outcome = ReferenceReader.outcome(of: environment.uncachedVerifier, token, entry: .session)
        } catch {
            checkRejection(error, input: token)
            outcome = .rejected(error.code)
        }
        // The reference reader must come to the same outcome, where the token decodes: the same
        // session, or the same code; after an invalid signature, no refusal before the key.
        let segments = input.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard input.count <= 16 * 1024, segments.count == 3, let header = Base64URL.decode(Array(segments[0])),
              let payload = Base64URL.decode(Array(segments[1])), Base64URL.decode(Array(segments[2])) != nil
        else { return }
        if outcome == .rejected(.invalidSignature) {
            let early = environment.reference.refusalBeforeTheSignature(header: header, payload: payload)
            invariant(early == nil, "reference reader refused with \(early.map { "\($0)" } ?? "") before the key a token the verifier took to the signature")
        } else {
            let reference = environment.reference.read(header: header, payload: payload, now: FuzzEnvironment.now, entry: .session)
            invariant(reference == outcome, "reference reader: \(reference) where the verifier: \(outcome)")
        }
    }

    static func jwks(_ input: UnsafeRawBufferPointer) {
        let document = Array(input)
        let keys: JWKSet
        do {
            keys = try JWKSet(jwks: document)
        } catch {
            invariant(error.code == .keysUnavailable, "JWKSet threw \(error.code), not keys_unavailable")
            return
        }
        let limits = JWKSet.Limits()
        invariant(keys.keys.count <= limits.maximumKeyCount, "more keys admitted than the key-count cap")
        for (kid, key) in keys.keys {
            invariant(!kid.isEmpty, "a key was admitted with an empty kid")
            invariant(key.modulusBits >= RSAPublicKey.minimumModulusBits, "a key under 2048 bits was admitted")
            invariant(key.modulusBits <= RSAPublicKey.maximumModulusBits, "a key over 16384 bits was admitted")
            invariant(keys.key(for: kid) == key, "key(for:) disagrees with keys")
        }
        for rejected in keys.rejectedKeys where rejected.reason.contains("same kid") {
            invariant(rejected.kid.map { keys.keys[$0] == nil } ?? true, "a kid is both admitted and refused as a duplicate")
        }
        // Use the admitted keys: the fixture token verifies exactly when the set holds the demo key
        // under the fixture's kid (the signature cannot verify under any other key).
        let environment = FuzzEnvironment.shared
        guard let verifier = try? StytchJWTVerifier(configuration: environment.configuration, keys: keys) else {
            fatalError("a verifier could not be built over a parsed key set")
        }
        do {
            _ = try verifier.verify(sessionJWT: environment.fixtureToken)
            invariant(keys.key(for: environment.fixtureKid) == environment.demoKey,
                      "the fixture token verified without the demo key under its kid")
        } catch {
            let allowed: Set<StytchJWTError.Code> = [.keysUnavailable, .unknownKey, .invalidSignature]
            invariant(allowed.contains(error.code), "the fixture token was rejected with \(error.code)")
            if error.code == .keysUnavailable { invariant(keys.isEmpty, "keys_unavailable with admitted keys") }
            if keys.key(for: environment.fixtureKid) == environment.demoKey {
                fatalError("the fixture token was rejected (\(error.code)) although the demo key is held under its kid")
            }
        }
    }

    static func response(_ input: UnsafeRawBufferPointer) {
        let body = Array(input)
        let environment = FuzzEnvironment.shared
        let decoded: B2BAuthenticateResponse
        do {
            decoded = try B2BAuthenticateResponse(json: body)
        } catch {
            invariant(error.code == .malformed, "decoding a response threw \(error.code), not malformed")
            checkRejection(error, input: String(decoding: body, as: UTF8.self))
            // The one-call form must refuse the body the same way.
            do {
                _ = try environment.verifier.verify(authenticateResponse: body)
                fatalError("verify(authenticateResponse: bytes) accepted a body that does not decode")
            } catch let again {
                invariant(again.code == error.code, "the one-call form rejected an undecodable body with another code")
            }
            return
        }
        invariant((200...299).contains(decoded.statusCode), "a response with a non-2xx status_code decoded")
        let twoStep = outcome { () throws(StytchJWTError) in try environment.verifier.verify(authenticateResponse: decoded) }
        let oneCall = outcome { () throws(StytchJWTError) in try environment.verifier.verify(authenticateResponse: body) }
        invariant(twoStep == oneCall, "decode-then-verify and the one-call form disagree")
        switch twoStep {
        case .authenticated(let memberID, let organizationID):
            invariant(decoded.memberAuthenticated, "authenticated although member_authenticated is false")
            invariant(memberID == decoded.memberID && memberID == decoded.member.memberID
                      && memberID == decoded.memberSession?.memberID, "authenticated with disagreeing member IDs")
            invariant(organizationID == decoded.organizationID && organizationID == decoded.organization.organizationID
                      && organizationID == decoded.memberSession?.organizationID, "authenticated with disagreeing organization IDs")
        case .mfaRequired:
            invariant(!decoded.memberAuthenticated, "MFA outcome although member_authenticated is true")
            invariant(!decoded.intermediateSessionToken.isEmpty, "MFA outcome without an intermediate session token")
        case .rejected(let code):
            invariant(code != .mfaRequired, "verify(authenticateResponse:) threw mfa_required instead of returning the outcome")
        }
    }

    static func claims(_ input: UnsafeRawBufferPointer) {
        let environment = FuzzEnvironment.shared
        let token = environment.signedToken(payload: Array(input))
        // Every entry point must come to the reference reader's outcome on the same payload.
        for entry in ReferenceReader.Entry.allCases {
            let real = ReferenceReader.outcome(of: environment.uncachedVerifier, token, entry: entry)
            let reference = environment.reference.read(header: environment.header, payload: Array(input), now: FuzzEnvironment.now, entry: entry)
            invariant(real == reference, "reference reader (\(entry)): \(reference) where the verifier: \(real)")
        }
        do {
            let session = try environment.verifier.verify(sessionJWT: token)
            checkVerified(session, environment: environment)
        } catch {
            // The signature is always good: the rejection must come from the payload.
            let allowed: Set<StytchJWTError.Code> = [
                .malformed, .expired, .notYetValid, .issuerMismatch, .audienceMismatch, .missingClaim, .wrongTokenKind,
            ]
            invariant(allowed.contains(error.code), "a correctly signed token was rejected with \(error.code)")
            checkRejection(error, input: token)
        }
    }

    // MARK: Invariants

    /// What a verified session must satisfy at the fixed instant.
    static func checkVerified(_ session: VerifiedSession, environment: FuzzEnvironment) {
        let now = FuzzEnvironment.now
        invariant(!session.memberID.isEmpty, "verified with an empty sub")
        invariant(environment.verifier.acceptedIssuers.contains(session.jwt.issuer), "verified with an unaccepted iss")
        invariant(session.jwt.audience.contains(FuzzEnvironment.projectID), "verified without the project in aud")
        invariant(now < session.jwt.expiresAt, "verified after exp")
        invariant(now >= session.jwt.notBefore && now >= session.jwt.issuedAt, "verified before nbf or iat")
        invariant(now < session.expiresAt.timeIntervalSince1970, "verified after the session's expires_at")
        invariant(session.jwt.keyID == environment.fixtureKid, "verified with a kid the key set does not hold")
        for name in ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "https://stytch.com/session", "https://stytch.com/organization"] {
            invariant(session.customClaims[name] == nil, "a registered claim leaked into custom_claims")
        }
    }

    /// Error messages are safe to log: they never echo the token's signature or a long run of the input.
    static func checkRejection(_ error: StytchJWTError, input: String) {
        invariant(!error.message.isEmpty, "an error without a message")
        invariant(error.message.utf8.count <= 512, "an error message longer than 512 bytes (does it echo input?)")
        // Byte-level search: Foundation's String.contains ignores some characters (NUL among them),
        // which made "1\0\0…" look contained in any message with a "1" in it.
        let segments = input.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        if segments.count == 3, let signature = segments.last, signature.count >= 24 {
            invariant(error.message.utf8.firstRange(of: signature) == nil, "an error message echoes the token's signature")
        }
    }

    enum Outcome: Equatable {
        case authenticated(memberID: String, organizationID: String)
        case mfaRequired
        case rejected(StytchJWTError.Code)
    }

    static func outcome(_ body: () throws(StytchJWTError) -> AuthenticateOutcome) -> Outcome {
        do {
            switch try body() {
            case .authenticated(let member): return .authenticated(memberID: member.session.memberID, organizationID: member.session.organizationID)
            case .mfaRequired: return .mfaRequired
            }
        } catch {
            return .rejected(error.code)
        }
    }
}

/// Traps with `message` (which never contains input) when `condition` is false.
@inline(__always)
func invariant(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fatalError("fuzz invariant broken: \(message())", file: file, line: line) }
}

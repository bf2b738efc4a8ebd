// vapor/jwt 5 doing what the StytchJWTVapor example does on /health, /maybe and /me, for the HTTP load
// benchmark (Benchmarks/http/run-http-benchmark.sh):
//
//   STYTCH_PROJECT_ID=project-test-… STYTCH_JWKS_URL=http://127.0.0.1:…/jwks.json [PORT=8080] vapor-jwt-peer
//
// The JWKS is fetched once at start-up (RS256 keys only, as jwt-kit adds them); a session JWT must
// carry a valid RS256 signature by a key of the set named by its `kid`, `iss` = stytch.com/<project>
// (or the test base URL), `aud` including the project ID, `exp` in the future and `nbf` in the past.
// No log line per request (LOG_LEVEL=info shows them), as in our examples.
import Foundation
import JWT
import Vapor

let environment = ProcessInfo.processInfo.environment
guard let projectID = environment["STYTCH_PROJECT_ID"], !projectID.isEmpty,
      let jwksURL = environment["STYTCH_JWKS_URL"] else {
    FileHandle.standardError.write(Data("STYTCH_PROJECT_ID and STYTCH_JWKS_URL are required\n".utf8))
    exit(2)
}
let port = Int(environment["PORT"] ?? "8080") ?? 8080

/// What the claims are checked against (static: a payload type cannot capture top-level values).
enum Expected {
    static let projectID = ProcessInfo.processInfo.environment["STYTCH_PROJECT_ID"] ?? ""
    static let issuers: Set<String> = ["stytch.com/\(projectID)", "https://test.stytch.com", "https://api.stytch.com"]
}

/// The claims of a Stytch B2B session JWT that /me answers with, and the registered claims checked.
struct StytchSessionPayload: JWTPayload, Authenticatable {
    struct Session: Codable, Sendable {
        let id: String
        let roles: [String]
    }
    struct Organization: Codable, Sendable {
        let organizationID: String
        enum CodingKeys: String, CodingKey { case organizationID = "organization_id" }
    }

    let subject: SubjectClaim
    let issuer: IssuerClaim
    let audience: AudienceClaim
    let expiration: ExpirationClaim
    let notBefore: NotBeforeClaim
    let issuedAt: IssuedAtClaim
    let session: Session
    let organization: Organization

    enum CodingKeys: String, CodingKey {
        case subject = "sub", issuer = "iss", audience = "aud", expiration = "exp", notBefore = "nbf", issuedAt = "iat"
        case session = "https://stytch.com/session", organization = "https://stytch.com/organization"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {
        guard Expected.issuers.contains(issuer.value) else { throw JWTError.claimVerificationFailure(failedClaim: issuer, reason: "wrong issuer") }
        try audience.verifyIntendedAudience(includes: Expected.projectID)
        try expiration.verifyNotExpired()
        try notBefore.verifyNotBefore()
    }
}

/// The body of `GET /me`, as the examples answer it.
struct Me: Content {
    let memberID: String
    let organizationID: String
    let roles: [String]

    enum CodingKeys: String, CodingKey {
        case memberID = "member_id", organizationID = "organization_id", roles
    }
}

let app = try await Application.make(Environment(name: "production", arguments: ["vapor-jwt-peer"]))
app.logger.logLevel = Logger.Level(rawValue: environment["LOG_LEVEL"] ?? "") ?? .notice
let jwks = try await app.client.get(URI(string: jwksURL)).get()
guard jwks.status == .ok, let body = jwks.body else {
    FileHandle.standardError.write(Data("cannot fetch the JWKS\n".utf8))
    exit(3)
}
try await app.jwt.keys.add(jwksJSON: String(buffer: body))

app.get("health") { _ in "ok" }
// Optional: a valid token's member ID, "anonymous" without one (a bad token is refused).
app.grouped(StytchSessionPayload.authenticator()).get("maybe") { req in
    req.auth.get(StytchSessionPayload.self)?.subject.value ?? "anonymous"
}
app.grouped(StytchSessionPayload.authenticator(), StytchSessionPayload.guardMiddleware()).get("me") { req -> Me in
    let payload = try req.auth.require(StytchSessionPayload.self)
    return Me(memberID: payload.subject.value, organizationID: payload.organization.organizationID, roles: payload.session.roles)
}

app.http.server.configuration.hostname = "127.0.0.1"
app.http.server.configuration.port = port
try await app.startup()
FileHandle.standardOutput.write(Data("listening on http://127.0.0.1:\(app.http.server.shared.localAddress?.port ?? port)\n".utf8))

// Serve until SIGTERM or SIGINT (the signal sources are kept alive until then).
let (stop, stopped) = AsyncStream.makeStream(of: Int32.self)
let signalSources = [SIGTERM, SIGINT].map { number in
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler { stopped.yield(number) }
    source.resume()
    return source
}
for await _ in stop { break }
signalSources.forEach { $0.cancel() }
try await app.asyncShutdown()

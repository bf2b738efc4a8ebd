import ArgumentParser
import Dispatch
import Foundation
import StytchJWT

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a session JWT, or an authenticate response and its session JWT.",
        discussion: """
            Give exactly one input: a TOKEN argument, --token-file (- for standard input), or
            --response (a Stytch B2B authenticate response JSON file, verified and cross-checked).
            A token that starts with "-" goes after -- (stytch-jwt verify [options] -- TOKEN).
            Keys come from a pinned JWKS file (--jwks, no network), a JWKS URL (--jwks-url), or by
            default Stytch's B2B JWKS endpoint for the project (test or live by the project ID's
            prefix, or --base-url). STYTCH_PROJECT_ID and STYTCH_BASE_URL stand in for
            --project-id and --base-url when those are not given.
            Exit codes: 0 verified, 1 rejected, 2 usage or unreadable input (a configuration that
            cannot work included), 3 keys unavailable. With --json, an error that has a stable
            code is the JSON object too: keys_unavailable (3), invalid_configuration (2); other
            usage errors print to standard error only.
            """
    )

    @Argument(help: "The session JWT.")
    var token: String?

    @Option(name: .customLong("token-file"), help: ArgumentHelp("Read the session JWT from a file; - reads standard input.", valueName: "path"))
    var tokenFile: String?

    @Option(help: ArgumentHelp("A B2B authenticate response JSON file to verify and cross-check.", valueName: "path"))
    var response: String?

    @Option(help: ArgumentHelp("A pinned JWKS file (offline).", valueName: "path"))
    var jwks: String?

    @Option(name: .customLong("jwks-url"), help: ArgumentHelp("Fetch the JWKS from this URL (https; http only to loopback).", valueName: "url"))
    var jwksURL: String?

    @OptionGroup var project: ProjectOptions

    @Option(help: ArgumentHelp("Evaluate every time rule at this instant (Unix seconds). Default: the clock.", valueName: "unix-seconds"))
    var now: Double?

    @Option(help: ArgumentHelp("Clock-skew tolerance in seconds.", valueName: "seconds"))
    var leeway: Double = 0

    @Option(name: .customLong("max-token-age"), help: ArgumentHelp("Reject tokens issued this many seconds ago or earlier.", valueName: "seconds"))
    var maxTokenAge: Double?

    @Flag(help: "Print one JSON object on standard output.")
    var json = false

    @Flag(help: "Verify many tokens, one per line (--token-file PATH, or standard input), writing one JSON object per line in input order.")
    var batch = false

    @Option(help: ArgumentHelp("The kind of token (SPEC §9): a member session JWT, an M2M access token, or a Connected Apps access token. With it, the JSON names the kind.", valueName: "session|m2m|access-token"))
    var kind: TokenKindArgument?

    @Option(name: .customLong("scope"), help: ArgumentHelp("With --kind m2m: a scope the token must grant (repeatable).", valueName: "scope"))
    var scopes: [String] = []

    @Option(help: ArgumentHelp("With --batch: how many threads verify (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    /// The shape of the arguments. The values the library checks (project ID, URLs, leeway,
    /// maximum age) are checked in ``execute()``, where a refusal keeps its stable code.
    func validate() throws {
        if batch {
            guard token == nil, response == nil else {
                throw ValidationError("--batch reads tokens from --token-file or standard input, not TOKEN or --response")
            }
        } else {
            let inputs = [token != nil, tokenFile != nil, response != nil].filter { $0 }.count
            guard inputs == 1 else {
                throw ValidationError("give exactly one input: TOKEN, --token-file or --response")
            }
            guard jobs == nil else { throw ValidationError("--jobs goes with --batch") }
        }
        if !scopes.isEmpty, kind != .m2m { throw ValidationError("--scope goes with --kind m2m") }
        if response != nil, let kind, kind != .session { throw ValidationError("--response holds a session JWT: it goes with --kind session") }
        if let jobs, !(1...1024).contains(jobs) { throw ValidationError("--jobs must be between 1 and 1024") }
        if let now, !now.isFinite { throw ValidationError("--now must be a finite number of seconds") }
        try KeySelection.validate(jwksPath: jwks, jwksURL: jwksURL)
    }

    func run() async throws {
        let status: ExitStatus
        do {
            status = try await execute()
        } catch let failure as CommandFailure {
            if json, let code = failure.code {
                print(Output.json(StytchJWTError(code, failure.message)))
            } else {
                Output.standardError("stytch-jwt: \(failure.message)")
            }
            throw failure.status.exitCode
        }
        throw status.exitCode
    }

    private func execute() async throws -> ExitStatus {
        // The configuration first: a value that cannot work is a usage error before any input is
        // read or any request is sent.
        let project = try self.project.resolved()
        let keySelection = KeySelection(jwksPath: jwks, jwksURL: jwksURL, project: project)
        let fetcher = try keySelection.fetcher()
        let configuration = try verifierConfiguration(project)
        if batch {
            return try await executeBatch(configuration, keys: keySelection, fetcher: fetcher)
        }
        // Then the input: an unreadable input is a usage error whatever the keys.
        let input = try readInput()
        let verifier = try makeVerifier(configuration, keys: await keySelection.load(with: fetcher).keys)

        do {
            switch input {
            case .token(let token):
                return report(try Self.verify(token, with: verifier, kind: kind, scopes: scopes))
            case .response(let response):
                switch try await verifier.verify(authenticateResponse: response) {
                case .authenticated(let authenticated):
                    return report(authenticated.session)
                case .mfaRequired(let pending):
                    return reportMFA(pending)
                }
            }
        } catch {
            return try report(error)
        }
    }

    /// The verifier's configuration, after the library's checks of it (with no keys yet).
    private func verifierConfiguration(_ project: ProjectOptions.Resolved) throws(CommandFailure) -> StytchJWTVerifier.Configuration {
        let fixedNow = now
        let configuration = StytchJWTVerifier.Configuration(
            projectID: project.projectID,
            baseURL: project.baseURL,
            leeway: leeway,
            maximumTokenAge: maxTokenAge,
            clock: { fixedNow.map { Date(timeIntervalSince1970: $0) } ?? Date() }
        )
        _ = try configured(nil) { () throws(StytchJWTError) in try StytchJWTVerifier(configuration: configuration, keys: JWKSet(keys: [:])) }
        return configuration
    }

    private func makeVerifier(_ configuration: StytchJWTVerifier.Configuration, keys: JWKSet) throws(CommandFailure) -> StytchJWTVerifier {
        guard !keys.isEmpty else {
            throw CommandFailure(StytchJWTError(.keysUnavailable, "the JWKS has no usable key"))
        }
        return try configured(nil) { () throws(StytchJWTError) in try StytchJWTVerifier(configuration: configuration, keys: keys) }
    }

    /// `--batch`: every line a token, every output line the `--json` object for it, in input order.
    private func executeBatch(
        _ configuration: StytchJWTVerifier.Configuration, keys: KeySelection, fetcher: StytchJWKSFetcher?
    ) async throws -> ExitStatus {
        let lines = try BatchReader(path: tokenFile ?? "-")
        // No verified-token cache: a batch is mostly distinct tokens, for which it costs an insert
        // and an eviction per line (about 3 µs, an eighth of a line's time) and helps only lines
        // that repeat a token.
        var configuration = configuration
        configuration.tokenCache = nil
        let verifier = try makeVerifier(configuration, keys: await keys.load(with: fetcher).keys)
        let jobs = self.jobs ?? ProcessInfo.processInfo.activeProcessorCount
        let outputs = BatchOutputs(workers: jobs)
        // Read once: an argument-parser property read costs a lookup on every line.
        let (kind, scopes) = (self.kind, self.scopes)
        var allVerified = true
        var lineCount = 0
        // Chunks keep memory flat for large logs and let output start early. Each worker verifies
        // a contiguous block of the chunk into its own buffer; the buffers are written in order.
        while let chunk = try lines.next() {
            lineCount += chunk.count
            let workers = min(jobs, chunk.count)
            let verifyBlock = { @Sendable (worker: Int) in
                outputs.fill(worker) { writer in
                    var verified = true
                    for index in BatchOutputs.block(worker, of: workers, lineCount: chunk.count) {
                        verified = Self.writeLine(chunk[index], with: verifier, kind: kind, scopes: scopes, to: &writer) && verified
                    }
                    return verified
                }
            }
            if workers == 1 {
                verifyBlock(0)
            } else {
                DispatchQueue.concurrentPerform(iterations: workers, execute: verifyBlock)
            }
            allVerified = try outputs.flush(workers: workers) && allVerified
        }
        // SPEC §6: exit 0 only when every token given was verified; none given is a usage error.
        guard lineCount > 0 else { throw CommandFailure.usage("--batch: the input holds no token (not one line)") }
        return allVerified ? .verified : .rejected
    }

    /// Writes the `--json` object for `token` and a line break; whether the token verified.
    private static func writeLine(
        _ token: String, with verifier: StytchJWTVerifier, kind: TokenKindArgument?, scopes: [String], to writer: inout JSONWriter
    ) -> Bool {
        let verified: Bool
        do {
            writer.credential(try verify(token, with: verifier, kind: kind, scopes: scopes), kind: kind != nil)
            verified = true
        } catch {
            writer.json(Output.json(error))
            verified = false
        }
        writer.raw("\n")
        return verified
    }

    private enum Input {
        case token(String)
        case response(B2BAuthenticateResponse)
    }

    /// The largest input file read (1 MiB): far above any real token or response.
    private static let maximumInputBytes = 1 << 20

    private func readInput() throws -> Input {
        if let token { return .token(token) }
        if let tokenFile {
            let bytes = try Self.read(tokenFile, what: "--token-file")
            // Tokens are ASCII; tolerate the trailing newline of a file or a pipe, nothing else.
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw CommandFailure.usage("--token-file: input is not UTF-8 text")
            }
            return .token(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let path = response!
        let bytes = try Self.read(path, what: "--response")
        do {
            return .response(try B2BAuthenticateResponse(json: bytes))
        } catch {
            throw CommandFailure.usage("--response: \(error.message)")
        }
    }

    private static func read(_ path: String, what: String) throws -> [UInt8] {
        let handle: FileHandle?
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            handle = FileHandle(forReadingAtPath: path)
        }
        guard let handle else { throw CommandFailure.usage("\(what): cannot open the file") }
        var data = Data()
        do {
            while data.count <= maximumInputBytes, let chunk = try handle.read(upToCount: 64 * 1024), !chunk.isEmpty {
                data.append(chunk)
            }
        } catch {
            throw CommandFailure.usage("\(what): cannot read the input")
        }
        guard data.count <= maximumInputBytes else {
            throw CommandFailure.usage("\(what): input is larger than \(maximumInputBytes) bytes")
        }
        return [UInt8](data)
    }

    /// `token` verified as `kind` (a session JWT when none is given), with the keys held.
    private static func verify(
        _ token: String, with verifier: StytchJWTVerifier, kind: TokenKindArgument?, scopes: [String]
    ) throws(StytchJWTError) -> StytchCredential {
        switch kind ?? .session {
        case .session: .session(try verifier.verify(sessionJWT: token))
        case .m2m: .m2m(try verifier.verify(m2mToken: token, requiredScopes: scopes))
        case .accessToken: .accessToken(try verifier.verify(accessToken: token))
        }
    }

    private func report(_ session: VerifiedSession) -> ExitStatus {
        report(.session(session))
    }

    private func report(_ credential: StytchCredential) -> ExitStatus {
        print(json ? Output.json(credential, kind: kind != nil) : Output.summary(credential))
        return .verified
    }

    /// A verdict on the token (exit 1); any other error (keys, configuration) ends the command.
    private func report(_ error: StytchJWTError) throws(CommandFailure) -> ExitStatus {
        guard ExitStatus(for: error.code) == .rejected else { throw CommandFailure(error) }
        print(json ? Output.json(error) : "REJECTED  \(error.code): \(Output.printable(error.message))")
        return .rejected
    }

    private func reportMFA(_ pending: MFARequiredOutcome) -> ExitStatus {
        let error = pending.error
        if json {
            print(Output.json(error, extra: [
                ("intermediate_session_token", Output.string(pending.intermediateSessionToken)),
                ("mfa_required", Output.encoded(pending.mfaRequired)),
            ]))
        } else {
            print("""
                MFA REQUIRED  member \(Output.printable(pending.memberID)) of organization \(Output.printable(pending.organizationID))
                  no session exists yet: complete MFA with the intermediate session token
                """)
        }
        return .rejected
    }
}

/// `--kind`: which of SPEC §9's kinds of token `verify` expects.
enum TokenKindArgument: String, ExpressibleByArgument, CaseIterable, Sendable {
    case session
    case m2m
    case accessToken = "access-token"
}

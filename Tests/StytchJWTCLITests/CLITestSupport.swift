import Foundation
import StytchJWT
import StytchJWTTestSupport
import StytchJWTTesting
import Testing

// Support for the stytch-jwt CLI tests: finding the built binary, running it as a subprocess,
// the fixture facts, signing new tokens with the test-only key, and temporary files.

// MARK: - Fixture facts (from Fixtures/make_fixtures.py)

/// The fixture facts of `Fixtures/make_fixtures.py`, as the test support states them once
/// (``TokenFactory``), plus what only the CLI's tests need.
enum Fixture {
    static let projectID = TokenFactory.projectID
    static let kid = TokenFactory.kid
    static let memberID = TokenFactory.memberID
    static let sessionID = TokenFactory.sessionID
    static let organizationID = TokenFactory.organizationID
    static let slug = TokenFactory.slug
    static let intermediateSessionToken = "SeiGwdj5lKkrEVgcEY3QNJXt6srxS3IK2Nwkar6mXD4"
    /// 2026-01-01T00:00:00Z: the fixture's `iat` and `nbf`.
    static let iat = Int(TokenFactory.iat)
    /// The JWT lives five minutes.
    static let exp = iat + 300
    /// The instant the README's main command verifies at (`--now`).
    static let now = iat + 60

    /// The package root (``PackageFiles``).
    static var packageRoot: URL { PackageFiles.root }

    static let responsePath = "Fixtures/password-authenticate-response.json"
    static let mfaResponsePath = "Fixtures/mfa-required-response.json"
    static let jwksPath = "Keys/demo-jwks.json"

    static func url(_ relativePath: String) -> URL {
        packageRoot.appendingPathComponent(relativePath)
    }

    static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: url(relativePath))
    }

    /// `Fixtures/session.jwt` without its trailing newline.
    static func token() throws -> String {
        String(decoding: try data("Fixtures/session.jwt"), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The fixture token's signature segment: no output may ever contain it.
    static func signatureSegment() throws -> String {
        try #require(try token().split(separator: ".").last.map(String.init))
    }

    /// A JSON file of the package as a mutable object.
    static func jsonObject(_ relativePath: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data(relativePath)) as? [String: Any])
    }
}

// MARK: - Tokens

enum Tokens {
    private static let key: TestingSigningKey? = {
        guard let pem = try? String(contentsOf: Fixture.url("Keys/TEST-ONLY-demo-signing-key.pem"), encoding: .utf8) else {
            return nil
        }
        return TestingSigningKey(pem: pem)
    }()

    /// The test-only demo key, matching `Keys/demo-jwks.json`.
    static func signingKey() throws -> TestingSigningKey {
        try #require(key, "cannot load Keys/TEST-ONLY-demo-signing-key.pem")
    }

    /// The fixture token's payload, as a mutable object.
    static func fixturePayload() throws -> [String: Any] {
        let segments = try Fixture.token().split(separator: ".")
        try #require(segments.count == 3)
        let payload = try #require(TestBase64URL.decode(String(segments[1])))
        return try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
    }

    /// A token signed with `key` (default: the demo key) over the given header and payload objects.
    static func sign(
        header: [String: Any] = ["alg": "RS256", "kid": Fixture.kid, "typ": "JWT"],
        payload: [String: Any],
        with key: TestingSigningKey? = nil
    ) throws -> String {
        let signer = try key ?? signingKey()
        return signer.compactJWS(header: try jsonText(header), payload: try jsonText(payload))
    }

    /// The fixture payload with `changes` applied (a nil value removes the member), signed.
    static func fixtureVariant(
        header: [String: Any] = ["alg": "RS256", "kid": Fixture.kid, "typ": "JWT"],
        changes: [String: Any?]
    ) throws -> String {
        var payload = try fixturePayload()
        for (name, value) in changes { payload[name] = value }
        return try sign(header: header, payload: payload)
    }
}

func jsonText(_ object: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
}

/// `object` with `value` stored at `path` (nested objects are created when absent).
func setting(_ value: Any, at path: ArraySlice<String>, in object: [String: Any]) -> [String: Any] {
    guard let first = path.first else { return object }
    var copy = object
    if path.count == 1 {
        copy[first] = value
    } else {
        copy[first] = setting(value, at: path.dropFirst(), in: object[first] as? [String: Any] ?? [:])
    }
    return copy
}

/// Base64url through Foundation, independent of the code under test.
enum TestBase64URL {
    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

// MARK: - Temporary files

/// A fresh directory under the system temporary directory; call `remove()` when done.
struct TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("stytch-jwt-cli-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `data` to `name` in the directory and returns the file's path.
    @discardableResult
    func write(_ name: String, _ data: Data) throws -> String {
        let file = url.appendingPathComponent(name)
        try data.write(to: file)
        return file.path
    }

    @discardableResult
    func write(_ name: String, text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    /// Writes a JSON object to `name` and returns the file's path.
    @discardableResult
    func write(_ name: String, json object: Any) throws -> String {
        try write(name, text: jsonText(object))
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

// MARK: - Running the binary

struct BinaryNotFound: Error, CustomStringConvertible {
    let tried: [String]
    var description: String {
        "the stytch-jwt executable was not found next to the test bundle; tried:\n  " + tried.joined(separator: "\n  ")
    }
}

/// What one run of `stytch-jwt` produced.
struct RunResult: Sendable, CustomStringConvertible {
    let arguments: [String]
    let status: Int32
    let stdout: String
    let stderr: String

    var description: String {
        "stytch-jwt \(arguments.joined(separator: " "))\n-- exit \(status)\n-- stdout:\n\(stdout)\n-- stderr:\n\(stderr)"
    }

    /// Standard output parsed as exactly one JSON object.
    func json(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let parsed = try? JSONSerialization.jsonObject(with: Data(stdout.utf8))
        return try #require(parsed as? [String: Any], "stdout is not one JSON object\n\(self)", sourceLocation: sourceLocation)
    }

    /// The top-level member `key` of the JSON output when it is a JSON boolean (`true`/`false`,
    /// not a number: JSONSerialization would let `0` pass for `false`).
    func jsonBool(_ key: String) -> Bool? {
        struct StrictBool: Decodable {
            let value: Bool?
            init(from decoder: any Decoder) throws { value = try? decoder.singleValueContainer().decode(Bool.self) }
        }
        let members = try? JSONDecoder().decode([String: StrictBool].self, from: Data(stdout.utf8))
        return members?[key]?.value
    }

    /// The `error` object of a `--json` rejection, after checking the shape
    /// `{"valid":false,"error":{"code":…,"message":…}}` (plus `extraMembers` at the top level).
    func rejection(
        extraMembers: Set<String> = [], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (code: String, message: String) {
        let object = try json(sourceLocation: sourceLocation)
        #expect(Set(object.keys) == Set(["valid", "error"]).union(extraMembers), "\(self)", sourceLocation: sourceLocation)
        #expect(jsonBool("valid") == false, "\(self)", sourceLocation: sourceLocation)
        let error = try #require(object["error"] as? [String: Any], "\(self)", sourceLocation: sourceLocation)
        #expect(Set(error.keys) == ["code", "message"], "\(self)", sourceLocation: sourceLocation)
        let code = try #require(error["code"] as? String, "\(self)", sourceLocation: sourceLocation)
        let message = try #require(error["message"] as? String, "\(self)", sourceLocation: sourceLocation)
        #expect(!message.isEmpty, "\(self)", sourceLocation: sourceLocation)
        return (code, message)
    }
}

enum CLI {
    /// The built `stytch-jwt`, found beside the test bundle (SwiftPM puts every product of the
    /// package in the same build directory).
    static func executable() throws -> URL {
        var directories: [URL] = []
        let selfExe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        directories.append(selfExe.deletingLastPathComponent())
        directories.append(selfExe.deletingLastPathComponent().deletingLastPathComponent())
        let bundle = Bundle.main.bundleURL
        directories.append(bundle)
        directories.append(bundle.deletingLastPathComponent())
        if let executableURL = Bundle.main.executableURL {
            directories.append(executableURL.deletingLastPathComponent())
        }
        var tried: [String] = []
        for directory in directories {
            let candidate = directory.appendingPathComponent("stytch-jwt")
            guard !tried.contains(candidate.path) else { continue }
            tried.append(candidate.path)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw BinaryNotFound(tried: tried)
    }

    /// The common tail of a `verify` invocation: the pinned demo keys and the fixture's project.
    static let keysAndProject = ["--jwks", Fixture.jwksPath, "--project-id", Fixture.projectID]

    /// The environment variables that stand in for flags (SPEC §6): never inherited from the
    /// environment the tests run in, only set by a test that means to.
    static let flagVariables: Set<String> = ["STYTCH_PROJECT_ID", "STYTCH_BASE_URL"]

    /// Runs `stytch-jwt arguments` in the package root with `stdin` on a pipe (EOF after it), or
    /// the file `standardInput` when given, waits for it (at most `timeout`), and checks that no
    /// output contains a token signature. `environment` is added to the inherited environment
    /// (without ``flagVariables``). With `dataLimitMiB`, the process runs under that limit on its
    /// data segment (`ulimit -d`, which covers heap and anonymous mappings): a way to show memory
    /// stays bounded without measuring it.
    static func run(
        _ arguments: [String],
        stdin: Data = Data(),
        standardInput: String? = nil,
        environment: [String: String] = [:],
        dataLimitMiB: Int? = nil,
        timeout: Duration = .seconds(30),
        checkNoTokenEcho: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> RunResult {
        let binary = try executable()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let stdoutPath = try scratch.write("stdout", Data())
        let stderrPath = try scratch.write("stderr", Data())
        let stdoutHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        let stderrHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        defer {
            try? stdoutHandle.close()
            try? stderrHandle.close()
        }

        // The whole input is written (into the pipe's buffer) and the write end closed before the
        // child starts: no writer thread, no SIGPIPE, and the child reads EOF after the input.
        try #require(stdin.count <= 32 * 1024, "stdin input larger than a pipe buffer", sourceLocation: sourceLocation)
        let input = Pipe()
        if !stdin.isEmpty { try input.fileHandleForWriting.write(contentsOf: stdin) }
        try input.fileHandleForWriting.close()

        let process = Process()
        // A sanitizer build (Tests/sanitizers.sh sets ASAN_OPTIONS or TSAN_OPTIONS) reserves its
        // shadow memory up front, which a data-segment limit refuses: there the test runs without
        // the limit (it still checks what is written), and the ordinary build proves the bound.
        let sanitized = ProcessInfo.processInfo.environment.keys.contains { $0 == "ASAN_OPTIONS" || $0 == "TSAN_OPTIONS" }
        if let dataLimitMiB, !sanitized {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -d \(dataLimitMiB * 1024) && exec \"$0\" \"$@\"", binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        var inherited = ProcessInfo.processInfo.environment
        for name in flagVariables { inherited[name] = nil }
        process.environment = inherited.merging(environment) { $1 }
        process.currentDirectoryURL = Fixture.packageRoot
        try #require(standardInput == nil || stdin.isEmpty, "give stdin or standardInput, not both", sourceLocation: sourceLocation)
        let inputFile = try standardInput.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) }
        defer { try? inputFile?.close() }
        if let inputFile { process.standardInput = inputFile } else { process.standardInput = input }
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle

        let watchdog = Task {
            try await Task.sleep(for: timeout)
            if process.isRunning { process.terminate() }
        }
        let (status, reason): (Int32, Process.TerminationReason) = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in
                continuation.resume(returning: (finished.terminationStatus, finished.terminationReason))
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        watchdog.cancel()

        let result = RunResult(
            arguments: arguments,
            status: reason == .exit ? status : -status,
            stdout: String(decoding: try Data(contentsOf: URL(fileURLWithPath: stdoutPath)), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: URL(fileURLWithPath: stderrPath)), as: UTF8.self)
        )
        if reason != .exit {
            Issue.record("stytch-jwt ended by signal \(status) (timeout \(timeout)?)\n\(result)", sourceLocation: sourceLocation)
        }
        // SPEC §4: messages never echo a token. Check every run against the fixture's signature
        // and the signature segment of every token-like argument or input.
        for signature in try signatureSegments(in: arguments + [String(decoding: stdin, as: UTF8.self)]) where checkNoTokenEcho {
            #expect(!result.stdout.contains(signature), "stdout echoes a token signature\n\(result)", sourceLocation: sourceLocation)
            #expect(!result.stderr.contains(signature), "stderr echoes a token signature\n\(result)", sourceLocation: sourceLocation)
        }
        return result
    }

    /// `verify` with the pinned demo keys and the fixture's project ID.
    static func verify(
        _ arguments: [String],
        stdin: Data = Data(),
        checkNoTokenEcho: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> RunResult {
        try await run(
            ["verify"] + arguments + keysAndProject, stdin: stdin,
            checkNoTokenEcho: checkNoTokenEcho, sourceLocation: sourceLocation
        )
    }

    /// The fixture's signature plus the third segment of every token-like word in `texts`.
    static func signatureSegments(in texts: [String]) throws -> Set<String> {
        var signatures: Set<String> = [try Fixture.signatureSegment()]
        for text in texts {
            for word in text.split(whereSeparator: { $0.isWhitespace }) {
                let segments = word.split(separator: ".", omittingEmptySubsequences: false)
                if segments.count == 3, segments[2].count >= 40 { signatures.insert(String(segments[2])) }
            }
        }
        return signatures
    }
}

/// Whether `message` names `field` as a whole word (so `member_id` is not found inside
/// `member_session.member_id`); words are separated by whitespace, trailing punctuation ignored.
func names(_ message: String, _ field: String) -> Bool {
    message.split(whereSeparator: \.isWhitespace)
        .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"'`()[],;:")) }
        .contains(field)
}

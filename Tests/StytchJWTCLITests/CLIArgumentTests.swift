import Foundation
import StytchJWT
import Testing

/// SPEC §6: `verify` exits 0 only when it verified every token it was given. A help request mixed
/// with other arguments, a positional that starts with `-`, and an empty batch are usage errors.
@Suite("stytch-jwt: exit 0 only for a verification or a help request alone")
struct CLIArgumentTests {
    static let now = ["--now", String(Fixture.now)]

    /// Argument lists that must end in a usage error: exit 2, a message on standard error, nothing
    /// on standard output (with and without `--json`).
    enum Misuse: String, CaseIterable, Sendable {
        // A token that starts with `-` is read by ArgumentParser as a cluster of short flags; one
        // holding `h` was a help request (exit 0, help on stdout, nothing verified).
        case dashTokenWithH, dashTokenWithoutH, dashTokenBeforeOptions, dashTokenInspect, dashTokenInspectJSON,
             dashTokenBatch
        // A help (or version) request next to arguments that would otherwise be verified.
        case helpAfterToken, helpBeforeToken, shortHelpAfterToken, singleDashHelp, helpWithBatch, helpSubcommandWithToken,
             helpOnKeysPull, hiddenHelpAfterToken, dumpHelpAfterToken, versionAfterToken, versionBeforeSubcommand,
             inspectHelpAfterToken

        var arguments: [String] {
            let token = (try? Fixture.token()) ?? "missing-fixture"
            let keys = CLI.keysAndProject + CLIArgumentTests.now
            switch self {
            case .dashTokenWithH: return ["verify", "-hello.world.x"] + keys
            case .dashTokenWithoutH: return ["verify", "-abc.def.ghi"] + keys
            case .dashTokenBeforeOptions: return ["verify"] + keys + ["-" + token]
            case .dashTokenInspect: return ["inspect", "-hello.world.x"]
            case .dashTokenInspectJSON: return ["inspect", "--json", "-hello.world.x"]
            case .dashTokenBatch: return ["verify", "--batch", "-hello.world.x"] + keys
            case .helpAfterToken: return ["verify", token, "--help"] + keys
            case .helpBeforeToken: return ["verify", "--help", token] + keys
            case .shortHelpAfterToken: return ["verify", token, "-h"] + keys
            case .singleDashHelp: return ["verify", token, "-help"] + keys
            case .helpWithBatch: return ["verify", "--batch", "--help"] + keys
            case .helpSubcommandWithToken: return ["help", "verify", token]
            case .helpOnKeysPull: return ["keys", "pull", "--project-id", Fixture.projectID, "-o", "/nonexistent/x", "--help"]
            case .hiddenHelpAfterToken: return ["verify", token, "--help-hidden"] + keys
            case .dumpHelpAfterToken: return ["verify", token, "--experimental-dump-help"] + keys
            case .versionAfterToken: return ["verify", token, "--version"] + keys
            case .versionBeforeSubcommand: return ["--version", "verify", token] + keys
            case .inspectHelpAfterToken: return ["inspect", token, "--help"]
            }
        }

        /// What the message on standard error must mention (case-insensitive).
        var mentions: [String] {
            switch self {
            case .dashTokenWithH, .dashTokenWithoutH, .dashTokenBeforeOptions, .dashTokenInspect, .dashTokenInspectJSON,
                 .dashTokenBatch:
                ["--token-file", "after --"]
            case .versionAfterToken, .versionBeforeSubcommand: ["--version"]
            default: ["--help"]
            }
        }
    }

    @Test("usage error: exit 2, message on stderr, nothing on stdout", arguments: Misuse.allCases, [false, true])
    func misuse(_ misuse: Misuse, json: Bool) async throws {
        // `help` takes subcommand names only: ArgumentParser refuses a --json after it on its own.
        let result = try await CLI.run(misuse.arguments + (json && misuse != .helpSubcommandWithToken ? ["--json"] : []))
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        for word in misuse.mentions {
            #expect(result.stderr.lowercased().contains(word.lowercased()), "stderr does not mention \(word)\n\(result)")
        }
    }

    @Test("help or version alone: exit 0 with the text on stdout", arguments: [
        ["--help"], ["-h"], ["-help"], ["help"], ["verify", "--help"], ["verify", "-h"], ["help", "verify"],
        ["inspect", "--help"], ["keys", "--help"], ["keys", "pull", "--help"], ["help", "keys", "pull"], ["--version"],
    ])
    func alone(_ arguments: [String]) async throws {
        let result = try await CLI.run(arguments)
        #expect(result.status == 0, "\(result)")
        #expect(!result.stdout.isEmpty, "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
    }

    @Test("--version prints the version alone on its line")
    func version() async throws {
        let result = try await CLI.run(["--version"])
        #expect(result.status == 0, "\(result)")
        let line = result.stdout.trimmingCharacters(in: .newlines)
        #expect(line.split(separator: ".").count == 3 && line.allSatisfy { $0.isNumber || $0 == "." }, "\(result)")
    }

    @Test("a token after -- is verified, after the options or before them")
    func tokenAfterTerminator() async throws {
        let token = try Fixture.token()
        for arguments in [["verify"] + CLI.keysAndProject + Self.now + ["--json", "--", token],
                          ["verify", "--json"] + CLI.keysAndProject + Self.now + ["--", token]] {
            let result = try await CLI.run(arguments)
            #expect(result.status == 0, "\(result)")
            #expect(result.jsonBool("valid") == true, "\(result)")
        }
    }

    @Test("a token that starts with - is verified (and rejected) after -- or from --token-file")
    func dashTokenThroughTheRightDoor() async throws {
        let afterTerminator = try await CLI.run(["verify"] + CLI.keysAndProject + Self.now + ["--json", "--", "-hello.world.x"])
        try expectOutcome(afterTerminator, status: 1, code: "malformed")
        let inspected = try await CLI.run(["inspect", "--json", "--", "-hello.world.x"])
        try expectOutcome(inspected, status: 1, code: "malformed")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("token.jwt", text: "-hello.world.x\n")
        let fromFile = try await CLI.run(["verify", "--token-file", path, "--json"] + CLI.keysAndProject + Self.now)
        try expectOutcome(fromFile, status: 1, code: "malformed")
    }

    @Test("negative numbers after an option still reach its check (exit 2 naming the option)", arguments: [
        ["--leeway", "-1"], ["--max-token-age", "-5"],
    ])
    func negativeNumber(_ option: [String]) async throws {
        let result = try await CLI.run(["verify", try Fixture.token()] + CLI.keysAndProject + Self.now + option)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains(option[0]), "\(result)")
        #expect(!result.stderr.contains("after --"), "not taken for a token\n\(result)")
    }

    enum EmptyBatch: String, CaseIterable, Sendable { case emptyFile, emptyStandardInput, emptyStandardInputDash }

    @Test("an empty batch is a usage error: exit 2, nothing on stdout", arguments: EmptyBatch.allCases, [false, true])
    func emptyBatch(_ input: EmptyBatch, json: Bool) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source: [String]
        switch input {
        case .emptyFile: source = ["--token-file", try directory.write("tokens.txt", Data())]
        case .emptyStandardInput: source = []
        case .emptyStandardInputDash: source = ["--token-file", "-"]
        }
        let result = try await CLI.run(["verify", "--batch"] + source + CLI.keysAndProject + Self.now + (json ? ["--json"] : []))
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderr.contains("no token"), "\(result)")
    }

    @Test("a batch of one empty line is not empty: one malformed line, exit 1")
    func batchOfOneEmptyLine() async throws {
        let result = try await CLI.run(["verify", "--batch"] + CLI.keysAndProject + Self.now, stdin: Data("\n".utf8))
        #expect(result.status == 1, "\(result)")
        #expect(try result.rejection().code == "malformed", "\(result)")
    }
}

import ArgumentParser
import Foundation

/// `stytch-jwt`: verify Stytch B2B session JWTs and authenticate responses from the shell.
///
/// Exit codes (SPEC §6): 0 verified; 1 the token or response was rejected; 2 usage or unreadable
/// input; 3 keys unavailable.
@main
struct StytchJWTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stytch-jwt",
        abstract: "Verify Stytch B2B session JWTs.",
        discussion: """
            Exit codes: 0 verified, 1 rejected, 2 usage or unreadable input, 3 keys unavailable.
            """,
        subcommands: [Verify.self, Inspect.self, Keys.self]
    )

    /// Runs the command, mapping every parse or usage error to exit code 2 (ArgumentParser's own
    /// default would be 64) so scripts can rely on the documented codes.
    static func main() async {
        do {
            var command = try await asyncParseAsRoot(nil)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            Output.standardError(redactingTokens(in: fullMessage(for: error)))
            Foundation.exit(ExitStatus.usage.rawValue)
        }
    }
}

/// `message` with every command-line argument that could be a token replaced: ArgumentParser
/// quotes unexpected arguments in its errors, and a token must never reach a log.
func redactingTokens(in message: String) -> String {
    var redacted = message
    for argument in CommandLine.arguments.dropFirst() where argument.count >= 16 && argument.contains(".") && !argument.hasPrefix("-") {
        redacted = redacted.replacingOccurrences(of: argument, with: "<token redacted>")
    }
    return redacted
}

/// The documented exit codes.
enum ExitStatus: Int32 {
    case verified = 0
    case rejected = 1
    case usage = 2
    case keysUnavailable = 3

    var exitCode: ExitCode { ExitCode(rawValue) }
}

/// A failure that ends the command with a documented exit code after its message is printed.
struct CommandFailure: Error {
    let status: ExitStatus
    let message: String
}

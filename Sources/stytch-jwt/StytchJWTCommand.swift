import ArgumentParser
import Foundation
import StytchJWT

/// `stytch-jwt`: verify Stytch B2B session JWTs and authenticate responses from the shell.
///
/// Exit codes (SPEC §6): 0 verified; 1 the token or response was rejected; 2 usage or unreadable
/// input; 3 keys unavailable.
@main
struct StytchJWTCommand: AsyncParsableCommand {
    /// The tool's version (`--version`): the package's release.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "stytch-jwt",
        abstract: "Verify Stytch B2B session JWTs.",
        discussion: """
            Exit codes: 0 verified, 1 rejected, 2 usage or unreadable input, 3 keys unavailable.
            STYTCH_PROJECT_ID and STYTCH_BASE_URL stand in for --project-id and --base-url when
            those are not given.
            """,
        version: version,
        subcommands: [Verify.self, Inspect.self, Keys.self]
    )

    /// Runs the command, mapping every parse or usage error to exit code 2 (ArgumentParser's own
    /// default would be 64) so scripts can rely on the documented codes. Exit 0 comes only from a
    /// command that succeeded, or from a help or version request made alone (see ``Arguments``).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let misuse = Arguments.misuse(in: arguments) {
            Output.standardError("stytch-jwt: \(misuse)")
            Foundation.exit(ExitStatus.usage.rawValue)
        }
        do {
            var command = try await asyncParseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            if exitCode(for: error) == .success {
                // Help, version, a completion script: ArgumentParser finds these anywhere, even in
                // a cluster of short flags, and would skip the command. Alone, they are answered.
                guard Arguments.isInformationRequestAlone(arguments) else {
                    Output.standardError("stytch-jwt: \(Arguments.informationRequestNotAlone)")
                    Foundation.exit(ExitStatus.usage.rawValue)
                }
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

    /// The exit code for an error of the library: a configuration that cannot work is a usage
    /// error, keys that cannot be had are 3, anything else is a verdict on the token.
    init(for code: StytchJWTError.Code) {
        switch code {
        case .invalidConfiguration: self = .usage
        case .keysUnavailable: self = .keysUnavailable
        default: self = .rejected
        }
    }
}

/// A failure that ends the command with a documented exit code after its message is printed.
struct CommandFailure: Error {
    let status: ExitStatus
    let message: String
    /// SPEC §4's stable code, when the failure has one (`keys_unavailable`,
    /// `invalid_configuration`): `verify --json` then prints the error object with it. Usage
    /// errors without one (arguments, unreadable input) print to standard error only.
    let code: StytchJWTError.Code?

    /// A usage error: exit 2, no stable code.
    static func usage(_ message: String) -> CommandFailure {
        CommandFailure(status: .usage, message: message, code: nil)
    }

    /// `error` ending the command: its exit code by its code, the message saying what it is about
    /// (`about`: the flag or variable a configuration value came from).
    init(_ error: StytchJWTError, about subject: String? = nil) {
        let detail = subject.map { "\($0): \(error.message)" } ?? error.message
        switch error.code {
        case .keysUnavailable: message = "keys unavailable: \(detail)"
        case .invalidConfiguration: message = "invalid configuration: \(detail)"
        default: message = detail
        }
        status = ExitStatus(for: error.code)
        code = error.code
    }

    private init(status: ExitStatus, message: String, code: StytchJWTError.Code?) {
        self.status = status
        self.message = message
        self.code = code
    }
}

/// Runs `body`, turning the library's refusal of a value into a failure naming where the value
/// came from (a flag or an environment variable).
func configured<T>(_ subject: String?, _ body: () throws(StytchJWTError) -> T) throws(CommandFailure) -> T {
    do {
        return try body()
    } catch {
        throw CommandFailure(error, about: subject)
    }
}

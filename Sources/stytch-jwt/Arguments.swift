import ArgumentParser

/// What ArgumentParser would read as something other than it is (SPEC §6: `verify` exits 0 only
/// when it verified every token it was given).
///
/// - An argument that starts with one `-` is a cluster of short flags to ArgumentParser: a token
///   such as `-hello.world.x` holds `-h` and was answered with help and exit 0, nothing verified.
///   Before `--`, such an argument is refused unless it is a short option (`-h`, `-o`: two
///   characters), `-help`, or a number (a negative value for an option, which the option's own
///   check then refuses). A token that starts with `-` goes after `--` or in a file.
/// - A help, version or completion-script request is answered only when it is the whole command
///   line after the subcommand names (`stytch-jwt verify --help`, `stytch-jwt help keys pull`).
enum Arguments {
    static let dashPositional = """
        an argument starts with "-" but is not an option: give a token that starts with "-" \
        after -- (stytch-jwt verify [options] -- TOKEN) or with --token-file
        """

    static let informationRequestNotAlone = """
        --help and --version go alone after the subcommand (stytch-jwt verify --help): \
        nothing was verified
        """

    /// The usage error in `arguments` found before parsing, if any.
    static func misuse(in arguments: [String]) -> String? {
        let dashed = arguments.prefix(while: { $0 != "--" }).contains { argument in
            argument.hasPrefix("-") && !argument.hasPrefix("--") && argument.count > 2 && argument != "-help" && Double(argument) == nil
        }
        return dashed ? dashPositional : nil
    }

    /// Flags ArgumentParser answers instead of running the command.
    private static let informationFlags: Set<String> = [
        "-h", "-help", "--help", "--help-hidden", "--version", "--experimental-dump-help", "--generate-completion-script",
    ]

    /// Whether `arguments` are subcommand names followed by one information flag (or `help`
    /// followed by subcommand names), and nothing else.
    static func isInformationRequestAlone(_ arguments: [String]) -> Bool {
        if arguments.first == "help" { return subcommandPaths.contains(Array(arguments.dropFirst())) }
        guard let last = arguments.last else { return false }
        let flag = last.hasPrefix("--generate-completion-script=") ? "--generate-completion-script" : last
        return informationFlags.contains(flag) && subcommandPaths.contains(Array(arguments.dropLast()))
    }

    /// Every chain of subcommand names, the empty one (the root) included.
    static let subcommandPaths: Set<[String]> = {
        var paths: Set<[String]> = []
        func visit(_ command: any ParsableCommand.Type, path: [String]) {
            paths.insert(path)
            for subcommand in command.configuration.subcommands {
                visit(subcommand, path: path + [subcommand._commandName])
            }
        }
        visit(StytchJWTCommand.self, path: [])
        return paths
    }()
}

// Memory-growth and leak driver (Tests/memcheck.sh; StytchFuzzing.MemoryCheck).
import Foundation
import StytchFuzzing

@main
enum MemCheck {
    static func main() {
        guard let options = MemoryCheck.options(from: Array(CommandLine.arguments.dropFirst())) else {
            FileHandle.standardError.write(Data("""
                usage: stytch-jwt-memcheck [--keys N] [--key-sets N] [--verifications N] [--rounds N] [--allowed-growth-mib X]
                defaults: 100000 keys, 10000 key sets, 1000000 verifications, 2 rounds, 16 MiB

                """.utf8))
            exit(2)
        }
        exit(MemoryCheck.run(options))
    }
}

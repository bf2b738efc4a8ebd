import ArgumentParser
import Foundation
import StytchJWT

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage pinned keys.",
        subcommands: [Pull.self]
    )

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch a JWKS, check it with the key admission policy, and pin it to a file.",
            discussion: """
                Fetches Stytch's B2B JWKS for the project (test or live by the project ID's prefix, or
                --base-url), or --jwks-url; reports each key kept and each key left out with the reason,
                and writes the kept keys to FILE, ready for `stytch-jwt verify --jwks FILE`.
                Exit codes: 0 written, 2 usage or a configuration that cannot work, 3 keys unavailable
                (fetch failed or no usable key).
                """
        )

        @OptionGroup var project: ProjectOptions

        @Option(name: .customLong("jwks-url"), help: ArgumentHelp("Fetch from this URL instead.", valueName: "url"))
        var jwksURL: String?

        @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Where to write the pinned JWKS.", valueName: "file"))
        var output: String

        func run() async throws {
            do {
                try await pull()
            } catch let failure as CommandFailure {
                Output.standardError("stytch-jwt: \(failure.message)")
                throw failure.status.exitCode
            }
        }

        private func pull() async throws {
            let selection = KeySelection(jwksPath: nil, jwksURL: jwksURL, project: try project.resolved())
            let (document, keys) = try await selection.load(with: try selection.fetcher())
            // Key IDs and reasons come from the network: shown escaped (Output.printable).
            for rejected in keys.rejectedKeys {
                let kid = rejected.kid.map(Output.printable) ?? "(none)"
                print("left out  key #\(rejected.index) kid \(kid): \(Output.printable(rejected.reason))")
            }
            guard !keys.isEmpty else {
                throw CommandFailure(StytchJWTError(.keysUnavailable, "the JWKS has no usable key; nothing written"))
            }
            // Keep the admitted entries exactly as published, in document order.
            let rejectedIndices = Set(keys.rejectedKeys.map(\.index))
            let entries = (try? StrictJSON.parseObject(document, maximumDepth: JWKSet.Limits().maximumDepth))?["keys"]?.arrayValue ?? []
            let kept = entries.enumerated().filter { !rejectedIndices.contains($0.offset) }.map(\.element)
            let pinned = "{\"keys\":[\n" + kept.map { "  " + $0.jsonText }.joined(separator: ",\n") + "\n]}\n"
            // Check what is written loads back to the same keys before replacing anything.
            guard let reloaded = try? JWKSet(jwks: Array(pinned.utf8)), reloaded.kids == keys.kids else {
                throw CommandFailure(StytchJWTError(.keysUnavailable, "the pinned document did not reload to the same keys"))
            }
            do {
                try Data(pinned.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw CommandFailure.usage("-o: cannot write the file")
            }
            for kid in keys.kids {
                let bits = keys.key(for: kid)?.modulusBits ?? 0
                print("kept      kid \(Output.printable(kid)) (RSA \(bits) bits)")
            }
            print("wrote \(keys.kids.count) key(s) to \(Output.printable(output))")
        }
    }
}

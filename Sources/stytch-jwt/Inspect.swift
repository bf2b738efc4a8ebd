import ArgumentParser
import Foundation
import StytchJWT

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode a token's header and claims WITHOUT verifying anything.",
        discussion: "The output is UNVERIFIED: nothing in it may be trusted. Use `verify` to verify."
    )

    @Argument(help: "The token to decode.")
    var token: String

    @Flag(help: "Print one JSON object on standard output.")
    var json = false

    func run() throws {
        let decoded: UnverifiedToken
        do {
            decoded = try UnverifiedToken(token)
        } catch {
            print(json ? Output.json(error) : "MALFORMED  \(error.code): \(Output.printable(error.message))")
            throw ExitStatus.rejected.exitCode
        }
        if json {
            print(Output.object([
                ("verified", "false"),
                ("header", JSONValue.object(decoded.header).jsonText),
                ("payload", JSONValue.object(decoded.payload).jsonText),
            ]))
        } else {
            // Shown as JSON text, with every terminal control escaped as JSON escapes it.
            print("""
                UNVERIFIED: the signature and claims below were NOT checked. Do not trust them.
                header:  \(Output.terminalSafe(json: JSONValue.object(decoded.header).jsonText))
                payload: \(Output.terminalSafe(json: JSONValue.object(decoded.payload).jsonText))
                """)
        }
    }
}

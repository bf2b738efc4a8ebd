import Foundation
import StytchJWT
import Testing

/// `stytch-jwt verify --batch`: one token per line in, one JSON object per line out, in order.
@Suite("stytch-jwt verify --batch")
struct CLIBatchTests {
    static let tail = CLI.keysAndProject + ["--now", String(Fixture.now)]

    /// `count` distinct valid tokens (each with its own custom claim), signed with the demo key.
    static func tokens(_ count: Int) throws -> [String] {
        try (0..<count).map { try Tokens.fixtureVariant(changes: ["line": $0]) }
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }

    @Test("mixed input: one object per line, in input order, exit 1; each object equals verify --json's")
    func mixed() async throws {
        let valid = try Self.tokens(3)
        let expired = try Tokens.fixtureVariant(changes: ["exp": Fixture.now])
        let input = [valid[0], "garbage", valid[1], expired, "", valid[2]]
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("tokens.txt", text: input.joined(separator: "\n") + "\n")

        let result = try await CLI.run(["verify", "--batch", "--token-file", path] + Self.tail)
        #expect(result.status == 1, "\(result)")
        let output = Self.lines(result.stdout)
        try #require(output.count == input.count, "\(result)")
        let codes = try output.map { line -> String in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if object["valid"] as? Bool == true { return "valid" }
            return ((object["error"] as? [String: Any])?["code"] as? String) ?? "?"
        }
        #expect(codes == ["valid", "malformed", "valid", "expired", "malformed", "valid"])

        for (index, token) in input.enumerated() where !token.isEmpty {
            let single = try await CLI.run(["verify", token, "--json"] + Self.tail)
            #expect(single.stdout.trimmingCharacters(in: .newlines) == output[index], "line \(index) differs from verify --json")
        }
    }

    @Test("every token verified: exit 0; --jobs 1 and --jobs 2 and the default write the same lines")
    func jobsAgree() async throws {
        let tokens = try Self.tokens(300) + [try Fixture.token(), try Fixture.token()]
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("tokens.txt", text: tokens.joined(separator: "\r\n"))
        var outputs: [String] = []
        for jobs in [["--jobs", "1"], ["--jobs", "2"], []] {
            let result = try await CLI.run(["verify", "--batch", "--token-file", path] + jobs + Self.tail, timeout: .seconds(120))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(Self.lines(result.stdout).count == tokens.count)
            outputs.append(result.stdout)
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0] == outputs[2])
        // Input order is kept: line i carries custom claim line = i.
        let third = try #require(try JSONSerialization.jsonObject(with: Data(Self.lines(outputs[1])[2].utf8)) as? [String: Any])
        #expect((third["custom_claims"] as? [String: Any])?["line"] as? Int == 2)
    }

    @Test("standard input is read when no --token-file is given, and with --token-file -")
    func standardInput() async throws {
        let input = Data(((try Self.tokens(2)).joined(separator: "\n") + "\n").utf8)
        for arguments in [["verify", "--batch"], ["verify", "--batch", "--token-file", "-"]] {
            let result = try await CLI.run(arguments + Self.tail, stdin: input)
            #expect(result.status == 0, "\(result)")
            #expect(Self.lines(result.stdout).count == 2)
        }
    }

    @Test("usage errors exit 2", arguments: [
        ["verify", "--batch", "a.b.c"],
        ["verify", "--batch", "--response", Fixture.responsePath],
        ["verify", "--jobs", "2", "a.b.c"],
        ["verify", "--batch", "--jobs", "0"],
        ["verify", "--batch", "--token-file", "/nonexistent/tokens.txt"],
    ])
    func usage(_ arguments: [String]) async throws {
        let result = try await CLI.run(arguments + Self.tail)
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
    }

    @Test("keys unavailable exits 3 before reading any token")
    func keysUnavailable() async throws {
        let result = try await CLI.run(
            ["verify", "--batch", "--jwks", "/nonexistent/jwks.json", "--project-id", Fixture.projectID], stdin: Data("a.b.c\n".utf8)
        )
        #expect(result.status == 3, "\(result)")
        #expect(!result.stdout.contains("\"valid\":true"))
    }
}

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

    @Test("factors and custom claims are written in key order, from typed fields or as sent")
    func factorAndClaimText() async throws {
        var payload = try Tokens.fixturePayload()
        var session = try #require(payload["https://stytch.com/session"] as? [String: Any])
        session["authentication_factors"] = [
            // Stytch's usual factor, with all five typed members (a timestamp with a fraction).
            ["updated_at": "2026-01-01T00:00:00.5Z", "type": "password", "last_authenticated_at": "2026-01-01T00:00:00Z",
             "delivery_method": "knowledge", "created_at": "2025-12-31T23:00:00Z"],
            // A factor with a member besides those: kept as sent.
            ["type": "email", "delivery_method": "email", "email_factor": ["email_address": "a@example.com", "email_id": "email-1"]],
        ]
        payload["https://stytch.com/session"] = session
        payload["my_custom_claim"] = nil
        payload["zeta"] = 1
        payload["alpha"] = ["b": true, "a": NSNull()]
        let token = try Tokens.sign(payload: payload)
        let result = try await CLI.run(["verify", token, "--json"] + Self.tail)
        #expect(result.status == 0, "\(result)")
        let factors = #"["authentication_factors":[{"created_at":"2025-12-31T23:00:00Z","delivery_method":"knowledge","#
            + #""last_authenticated_at":"2026-01-01T00:00:00Z","type":"password","updated_at":"2026-01-01T00:00:00.5Z"},"#
            + #"{"delivery_method":"email","email_factor":{"email_address":"a@example.com","email_id":"email-1"},"type":"email"}]"#
        #expect(result.stdout.contains(String(factors.dropFirst())), "\(result)")
        #expect(result.stdout.contains(#""custom_claims":{"alpha":{"a":null,"b":true},"zeta":1}"#), "\(result)")
        let batch = try await CLI.run(["verify", "--batch"] + Self.tail, stdin: Data((token + "\n").utf8))
        #expect(batch.stdout == result.stdout, "\(batch)")
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

    /// The output lines' codes: `valid`, or the error code.
    static func codes(_ output: String) throws -> [String] {
        try lines(output).map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line.prefix(200))")
            if object["valid"] as? Bool == true { return "valid" }
            return ((object["error"] as? [String: Any])?["code"] as? String) ?? "?"
        }
    }

    /// The `error.message` of one output line.
    static func message(_ line: String) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return (object?["error"] as? [String: Any])?["message"] as? String
    }

    /// SPEC §4's token limit, which a batch line is held to.
    static let tokenLimit = 16 * 1024

    @Test("lines over the token limit: one malformed line each, in order, and the batch goes on")
    func longLines() async throws {
        let good = try Self.tokens(3)
        let longLines = [
            String(repeating: "A", count: 1 << 20),
            // A token-shaped line of 3 MiB: three segments of base64url.
            [String](repeating: String(repeating: "x", count: 1 << 20), count: 3).joined(separator: "."),
            // Just over the limit, and just over it once a CR and spaces are trimmed.
            String(repeating: "B", count: Self.tokenLimit + 1),
            "  " + String(repeating: "C", count: Self.tokenLimit + 1) + " \r",
        ]
        let input = [good[0], longLines[0], good[1], longLines[1], longLines[2], longLines[3], good[2]]
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("tokens.txt", text: input.joined(separator: "\n") + "\n")
        let result = try await CLI.run(["verify", "--batch", "--token-file", path, "--jobs", "2"] + Self.tail)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(try Self.codes(result.stdout) == ["valid", "malformed", "valid", "malformed", "malformed", "malformed", "valid"])
        for line in Self.lines(result.stdout) where line.contains("malformed") {
            #expect(Self.message(line)?.contains("larger than") == true, "\(line)")
        }
        #expect(result.stdout.utf8.count < 10_000, "output lines are short: nothing of a long line is echoed")
    }

    @Test("a line at the limit once trimmed is read whole (not cut, not taken as too long)")
    func lineAtTheLimit() async throws {
        // 16 KiB of content, then spaces and a CR: within the limit once trimmed, so the verifier
        // reads it (malformed for its shape, not for its size).
        let atLimit = String(repeating: "A", count: Self.tokenLimit) + String(repeating: " ", count: 40_000) + "\r"
        let good = try Self.tokens(1)[0]
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("tokens.txt", text: [atLimit, good].joined(separator: "\n"))
        let result = try await CLI.run(["verify", "--batch", "--token-file", path] + Self.tail)
        #expect(try Self.codes(result.stdout) == ["malformed", "valid"], "\(result.stderr)")
        let message = try #require(Self.message(Self.lines(result.stdout)[0]))
        #expect(!message.contains("larger than"), "\(message)")
    }

    enum HugeLineSource: String, CaseIterable, Sendable { case tokenFile, standardInput }

    /// A line of 320 MiB (a hole in a sparse file: NUL bytes that take no disk space) between two
    /// good tokens, read under a 192 MiB limit on the data segment: a reader that keeps the line,
    /// or rescans it at each refill, fails (out of memory, or the watchdog).
    @Test("a 320 MiB line is one malformed line, read with memory bounded", arguments: HugeLineSource.allCases)
    func hugeLine(_ source: HugeLineSource) async throws {
        let tokens = try Self.tokens(2)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("huge.txt")
        try #require(FileManager.default.createFile(atPath: path, contents: Data((tokens[0] + "\n").utf8)))
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try file.seek(toOffset: 320 << 20)
        try file.write(contentsOf: Data(("\n" + tokens[1] + "\n").utf8))
        try file.close()

        let result: RunResult
        switch source {
        case .tokenFile:
            result = try await CLI.run(["verify", "--batch", "--token-file", path] + Self.tail, dataLimitMiB: 192, timeout: .seconds(60))
        case .standardInput:
            result = try await CLI.run(["verify", "--batch"] + Self.tail, standardInput: path, dataLimitMiB: 192, timeout: .seconds(60))
        }
        #expect(result.status == 1, "\(result.stderr)")
        #expect(try Self.codes(result.stdout) == ["valid", "malformed", "valid"], "\(result.stderr)")
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

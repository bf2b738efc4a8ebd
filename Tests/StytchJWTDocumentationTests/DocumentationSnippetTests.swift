import Foundation
import StytchJWTTestSupport
import Testing

/// Every ```swift block of README.md and of the DocC articles (`Sources/*/Documentation.docc`)
/// appears verbatim in this target's snippet files, which `swift build --build-tests` compiles: a
/// snippet that is edited in the documentation only, or in code only, fails here.
///
/// "Verbatim": the snippet's leading `import` lines are import lines of the file, and the rest
/// appears line for line, consecutively, each line indented by the same number of spaces (the
/// enclosing function's indentation), blank lines matching blank lines.
@Suite("Documentation snippets")
struct DocumentationSnippetTests {
    /// The snippet files of this target (this file holds no snippet).
    static let snippetFiles = ["CoreSnippets.swift", "HummingbirdSnippets.swift", "VaporSnippets.swift"]

    /// README.md and every Markdown file of every DocC catalogue under Sources/.
    static func documentationFiles() throws -> [String] {
        var files = ["README.md"]
        let sources = PackageFiles.url("Sources")
        for module in try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted() {
            let catalogue = "Sources/\(module)/Documentation.docc"
            guard let enumerator = FileManager.default.enumerator(atPath: PackageFiles.url(catalogue).path) else { continue }
            for case let path as String in enumerator where path.hasSuffix(".md") {
                files.append("\(catalogue)/\(path)")
            }
        }
        return files.sorted()
    }

    /// The bodies of the fenced blocks whose info string starts with `swift`, each as lines, with
    /// the opening fence's indentation removed.
    static func swiftBlocks(in markdown: String) -> [[String]] {
        enum State { case outside, swift(fence: String, indent: Int, lines: [String]), other(fence: String) }
        var blocks: [[String]] = []
        var state = State.outside
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            switch state {
            case .outside:
                guard trimmed.hasPrefix("```") else { continue }
                let fence = String(trimmed.prefix { $0 == "`" })
                let info = trimmed.dropFirst(fence.count).split(separator: " ").first.map(String.init) ?? ""
                let indent = line.prefix { $0 == " " }.count
                state = info == "swift" ? .swift(fence: fence, indent: indent, lines: []) : .other(fence: fence)
            case .swift(let fence, let indent, var lines):
                if trimmed == fence {
                    blocks.append(lines)
                    state = .outside
                } else {
                    let leading = line.prefix { $0 == " " }.count
                    lines.append(String(line.dropFirst(min(indent, leading))))
                    state = .swift(fence: fence, indent: indent, lines: lines)
                }
            case .other(let fence):
                if trimmed == fence { state = .outside }
            }
        }
        return blocks
    }

    /// Whether `snippet` appears in `file` as described on the type.
    static func appears(_ snippet: [String], in file: [String]) -> Bool {
        let isBlank = { (line: String) in line.allSatisfy { $0 == " " } }
        var lines = snippet[...]
        var imports: [String] = []
        while let first = lines.first, first.hasPrefix("import ") || (isBlank(first) && !imports.isEmpty) {
            if !isBlank(first) { imports.append(first) }
            lines = lines.dropFirst()
        }
        while let first = lines.first, isBlank(first) { lines = lines.dropFirst() }
        while let last = lines.last, isBlank(last) { lines = lines.dropLast() }
        guard imports.allSatisfy(file.contains) else { return false }
        guard let first = lines.first else { return true }
        let body = Array(lines)
        for start in file.indices where file[start].hasSuffix(first) {
            let indent = file[start].dropLast(first.count)
            guard indent.allSatisfy({ $0 == " " }), start + body.count <= file.count else { continue }
            let matches = body.indices.allSatisfy { offset in
                let line = file[start + offset]
                return isBlank(body[offset]) ? isBlank(line) : line == indent + body[offset]
            }
            if matches { return true }
        }
        return false
    }

    static func snippetSources() throws -> [String: [String]] {
        var sources: [String: [String]] = [:]
        for name in snippetFiles {
            let text = String(decoding: try PackageFiles.data("Tests/StytchJWTDocumentationTests/\(name)"), as: UTF8.self)
            sources[name] = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        return sources
    }

    @Test("every Swift snippet of the README and the articles is compiled code of this target")
    func everySnippetIsCompiled() throws {
        let sources = try Self.snippetSources()
        var checked = 0
        for path in try Self.documentationFiles() {
            let markdown = String(decoding: try PackageFiles.data(path), as: UTF8.self)
            for (index, block) in Self.swiftBlocks(in: markdown).enumerated() {
                checked += 1
                let found = sources.values.contains { Self.appears(block, in: $0) }
                #expect(found, "\(path), Swift block \(index + 1) is not in Tests/StytchJWTDocumentationTests:\n\(block.joined(separator: "\n"))")
            }
        }
        // The README alone has one snippet per use case; the articles have more.
        #expect(checked >= 20, "only \(checked) Swift blocks found: is the documentation where the test looks?")
    }

    @Test("the README and the catalogues of the core, the umbrella and both adapters are read")
    func documentationIsFound() throws {
        let files = try Self.documentationFiles()
        for catalogue in ["StytchJWTCore", "StytchJWT", "StytchJWTHummingbird", "StytchJWTVapor"] {
            #expect(files.contains { $0.hasPrefix("Sources/\(catalogue)/Documentation.docc/") }, "no article in \(catalogue)'s catalogue")
        }
        #expect(files.contains("README.md"))
    }

    @Test("the matcher refuses an edited line, a missing import and lines out of order")
    func matcherRefusesDrift() {
        let file = [
            "import StytchJWT",
            "",
            "func example(token: String) throws {",
            "    let verifier = try makeVerifier()",
            "",
            "    let session = try verifier.verify(sessionJWT: token)",
            "}",
        ]
        let snippet = ["import StytchJWT", "", "let verifier = try makeVerifier()", "", "let session = try verifier.verify(sessionJWT: token)"]
        #expect(Self.appears(snippet, in: file))
        #expect(!Self.appears(["let verifier = try makeVerifier() // edited"], in: file))
        #expect(!Self.appears(["import Vapor", "let verifier = try makeVerifier()"], in: file))
        #expect(!Self.appears(["let session = try verifier.verify(sessionJWT: token)", "let verifier = try makeVerifier()"], in: file))
        // A snippet line indented differently from its neighbours is not the compiled code.
        #expect(!Self.appears(["let verifier = try makeVerifier()", "", "    let session = try verifier.verify(sessionJWT: token)"], in: file))
    }

    @Test("only swift blocks are taken, with their fence's indentation removed")
    func blocksAreExtracted() {
        let markdown = """
            Text.

            ```sh
            swift test
            ```

              ```swift
              let a = 1
              ```

            ````swift
            let b = "```"
            ````
            """
        #expect(Self.swiftBlocks(in: markdown) == [["let a = 1"], ["let b = \"```\""]])
    }
    @Test("the README's quick start is the two commands CI runs")
    func quickStartIsWhatCIRuns() throws {
        let readme = String(decoding: try PackageFiles.data("README.md"), as: UTF8.self)
        let start = try #require(readme.range(of: "## Quick start"))
        let fence = try #require(readme.range(of: "```sh\n", range: start.upperBound..<readme.endIndex))
        let end = try #require(readme.range(of: "\n```", range: fence.upperBound..<readme.endIndex))
        let commands = readme[fence.upperBound..<end.lowerBound].split(separator: "\n").map(String.init)
        #expect(commands.count == 2 && commands.last == "swift test", "\(commands)")
        // .ci/run runs the first command (its line continuations joined) and `swift test` as such.
        let ci = String(decoding: try PackageFiles.data(".ci/run"), as: UTF8.self)
            .replacingOccurrences(of: "\\\n", with: " ")
            .split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        let smoke = try #require(commands.first)
        #expect(ci.contains { $0.contains(smoke) }, "CI does not run the README's first command: \(smoke)")
        #expect(ci.contains("swift test"), "CI does not run swift test")
    }
}

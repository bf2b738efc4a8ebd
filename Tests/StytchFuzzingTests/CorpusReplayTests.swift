import Foundation
import StytchFuzzing
import StytchJWT
import Testing

/// Every committed fuzz input, replayed through the same entry points libFuzzer drives: the seeds,
/// the minimized corpora of earlier fuzzing runs, and every crash ever found (each a regression
/// test). An input that breaks an invariant traps, failing the run.
@Suite("Fuzz corpus replay")
struct CorpusReplayTests {
    @Test("each target's committed corpus replays without a failure", arguments: FuzzTarget.allCases)
    func replay(target: FuzzTarget) throws {
        let files = FuzzReplay.inputFiles(at: FuzzReplay.corpusDirectory(for: target))
        #expect(files.count >= 5, "Tests/FuzzCorpus/\(target.rawValue) holds too few inputs")
        for file in files {
            let data = try #require(FileManager.default.contents(atPath: file.path), "\(file.lastPathComponent)")
            target.run([UInt8](data))
        }
    }

    @Test("the committed corpus stays small (under 1 MiB in all)")
    func corpusSize() {
        let root = FuzzReplay.corpusDirectory(for: .token).deletingLastPathComponent()
        let total = FuzzReplay.inputFiles(at: root).reduce(0) { sum, file in
            sum + ((try? file.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
        }
        #expect(total < 1 << 20, "Tests/FuzzCorpus holds \(total) bytes")
    }
}

public import Foundation

/// Replays inputs through a fuzz target in an ordinary (non-fuzzing) build: what each
/// `stytch-jwt-fuzz-*` executable does when built without `-D FUZZING`.
///
/// ```sh
/// swift run stytch-jwt-fuzz-token                      # the committed corpus, Tests/FuzzCorpus/token
/// swift run stytch-jwt-fuzz-token crash-1234 some/dir  # given files, and every file in given folders
/// ```
public enum FuzzReplay {
    /// The committed corpus folder of `target`: `Tests/FuzzCorpus/<target>`.
    public static func corpusDirectory(for target: FuzzTarget) -> URL {
        FuzzEnvironment.packageRoot.appendingPathComponent("Tests/FuzzCorpus").appendingPathComponent(target.rawValue)
    }

    /// The files under `path` (itself when it is a file), sorted by path; hidden files are skipped.
    public static func inputFiles(at path: URL) -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        guard let enumerator = FileManager.default.enumerator(at: path, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else {
            return []
        }
        var files: [URL] = []
        for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            files.append(url)
        }
        return files.sorted { $0.path < $1.path }
    }

    /// Replays `arguments` (files or folders; the committed corpus when empty) through `target`
    /// and returns the process exit status: 0 when every input ran, 2 for a usage error. An input
    /// that breaks an invariant traps, as under libFuzzer.
    public static func main(_ target: FuzzTarget, arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Int32 {
        if let flag = arguments.first(where: { $0.hasPrefix("-") }) {
            FileHandle.standardError.write(Data("""
                \(flag): this is the replay build of the \(target.rawValue) fuzz target; it takes files and folders only.
                libFuzzer flags need the fuzzing build: Tests/fuzz.sh (see CONTRIBUTING.md, "Hardening").

                """.utf8))
            return 2
        }
        let paths = arguments.isEmpty ? [corpusDirectory(for: target)] : arguments.map { URL(fileURLWithPath: $0) }
        var count = 0
        for path in paths {
            let files = inputFiles(at: path)
            if files.isEmpty {
                FileHandle.standardError.write(Data("\(path.path): no input files\n".utf8))
                return 2
            }
            for file in files {
                guard let data = FileManager.default.contents(atPath: file.path) else {
                    FileHandle.standardError.write(Data("\(file.path): unreadable\n".utf8))
                    return 2
                }
                target.run([UInt8](data))
                count += 1
            }
        }
        print("\(target.rawValue): replayed \(count) input\(count == 1 ? "" : "s") without a failure")
        return 0
    }
}

#if FUZZING
/// libFuzzer's documented C entry point (`FuzzerInterface.h`): runs the fuzzing engine with the
/// command line and `callback` as the target, and returns the process exit status.
///
/// Declared here rather than in a C module: it is only referenced in the fuzzing build, whose
/// `-sanitize=fuzzer` links libFuzzer. Its arguments (two pointers and a C function pointer) and
/// its `int` result are passed the same way under the Swift and C calling conventions on the
/// platforms this runs on (x86_64 and arm64 Linux).
@_silgen_name("LLVMFuzzerRunDriver")
private func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The glue between SwiftPM executables and libFuzzer in the fuzzing build.
///
/// SwiftPM links a Linux executable with `--defsym main=<module>_main`, so libFuzzer's own `main`
/// is never the entry point: each fuzz executable defines `<module>_main` with `@_cdecl`, which
/// calls ``runDriver(argc:argv:callback:)``, and `LLVMFuzzerTestOneInput`, which libFuzzer's
/// archive (linked whole) references.
public enum LibFuzzer {
    /// Hands control to libFuzzer; returns its exit status.
    public static func runDriver(
        argc: CInt,
        argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
        callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt {
        var argc = argc
        var argv = argv
        return llvmFuzzerRunDriver(&argc, &argv, callback)
    }

    /// Runs one libFuzzer input through `target`.
    public static func testOneInput(_ target: FuzzTarget, _ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        target.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}
#endif

public import Foundation
import StytchJWT

/// A built example server (`stytch-jwt-hummingbird-example`, `stytch-jwt-vapor-example`) run as a
/// child process for a live test.
///
/// ```swift
/// let statuses = try await withExampleServer("stytch-jwt-vapor-example", environment: env) { server in
///     … requests to server.baseURL …
/// }
/// ```
///
/// The child is started with `PORT=0`; its one line `listening on http://127.0.0.1:PORT` on standard
/// output gives the port. It is always stopped (SIGTERM, then SIGKILL after a grace period) when
/// `body` returns or throws, and every wait is bounded.
public struct ExampleServer: Sendable {
    /// `http://127.0.0.1:PORT`.
    public let baseURL: String
    /// The port the child listens on.
    public let port: Int
    let output: ChildOutput
    let pid: Int32

    /// Sends `signal` to the child and waits (at most 20 s) for it to end; returns how it ended:
    /// `"exit N"` or `"signal N"`, or `"still running"`.
    public func stop(with signal: Int32) async -> String {
        kill(pid, signal)
        _ = await poll(timeout: .seconds(20)) { output.hasExited }
        guard let termination = output.termination else { return "still running" }
        return termination.bySignal ? "signal \(termination.status)" : "exit \(termination.status)"
    }

    /// What the child has written so far to standard output and standard error (for diagnostics
    /// and for checking that no token was logged).
    public var outputSoFar: String { output.text }
}

/// The example executable was not found beside the test bundle.
public struct ExampleExecutableNotFound: Error, CustomStringConvertible {
    /// The paths tried, in order.
    public let tried: [String]
    /// Names the paths tried.
    public var description: String {
        "the example executable was not found next to the test bundle; tried:\n  " + tried.joined(separator: "\n  ")
    }
}

/// The example server did not report its port in time.
public struct ExampleServerDidNotStart: Error, CustomStringConvertible {
    /// Why, with the child's output so far.
    public let description: String
}

/// The built executable `name`, found beside the test bundle (SwiftPM puts every product of the
/// package in the same build directory).
public func exampleExecutable(named name: String) throws -> URL {
    var directories: [URL] = []
    let selfExe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    directories.append(selfExe.deletingLastPathComponent())
    directories.append(selfExe.deletingLastPathComponent().deletingLastPathComponent())
    directories.append(Bundle.main.bundleURL)
    directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
    if let executableURL = Bundle.main.executableURL {
        directories.append(executableURL.deletingLastPathComponent())
    }
    var tried: [String] = []
    for directory in directories {
        let candidate = directory.appendingPathComponent(name)
        guard !tried.contains(candidate.path) else { continue }
        tried.append(candidate.path)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw ExampleExecutableNotFound(tried: tried)
}

/// Starts the example executable `name` with `environment` (added to this process's, minus any
/// inherited `STYTCH_*` and `PORT`), waits (at
/// most `startTimeout`) for its `listening on http://127.0.0.1:PORT` line, runs `body`, and stops
/// the child whether `body` returns or throws.
public func withExampleServer<T>(
    _ name: String,
    environment: [String: String],
    startTimeout: Duration = .seconds(60),
    isolation: isolated (any Actor)? = #isolation,
    _ body: (ExampleServer) async throws -> T
) async throws -> T {
    let executable = try exampleExecutable(named: name)
    let output = ChildOutput()
    let stdout = Pipe()
    let stderr = Pipe()
    stdout.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData, stdout: true) }
    stderr.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData, stdout: false) }

    let process = Process()
    process.executableURL = executable
    // The child sees only the given settings of its own, never ones inherited from the test's shell.
    let inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("STYTCH_") && $0.key != "PORT" }
    process.environment = inherited.merging(environment) { _, new in new }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = stdout
    process.standardError = stderr
    process.terminationHandler = { process in
        output.markExited(status: process.terminationStatus, bySignal: process.terminationReason == .uncaughtSignal)
    }
    try process.run()
    let pid = process.processIdentifier

    func stop() async {
        if !output.hasExited { kill(pid, SIGTERM) }
        if !(await poll(timeout: .seconds(5)) { output.hasExited }) {
            kill(pid, SIGKILL)
            _ = await poll(timeout: .seconds(5)) { output.hasExited }
        }
        stdout.fileHandleForReading.readabilityHandler = nil
        stderr.fileHandleForReading.readabilityHandler = nil
    }

    let started = await poll(timeout: startTimeout) { output.listeningPort != nil || output.hasExited }
    guard started, let port = output.listeningPort else {
        await stop()
        throw ExampleServerDidNotStart(description: """
            \(executable.path) did not print "listening on http://127.0.0.1:PORT" within \(startTimeout) \
            (exited: \(output.hasExited)); output:
            \(output.text)
            """)
    }
    let server = ExampleServer(baseURL: "http://127.0.0.1:\(port)", port: port, output: output, pid: pid)
    let result: T
    do {
        result = try await body(server)
    } catch {
        await stop()
        throw error
    }
    await stop()
    return result
}

/// The child's output and exit, shared with the pipe and termination handlers.
final class ChildOutput: Sendable {
    private struct State {
        var stdout = Data()
        var combined = Data()
        var exited = false
        var status: Int32?
        var bySignal = false
    }

    private let state = Locked(State())
    private static let cap = 1 << 20

    func append(_ data: Data, stdout: Bool) {
        guard !data.isEmpty else { return }
        state.withLock {
            if stdout, $0.stdout.count < Self.cap { $0.stdout.append(data) }
            if $0.combined.count < Self.cap { $0.combined.append(data) }
        }
    }

    func markExited(status: Int32, bySignal: Bool) {
        state.withLock {
            $0.exited = true
            $0.status = status
            $0.bySignal = bySignal
        }
    }

    /// How the child ended: its exit status, or the signal that ended it.
    var termination: (status: Int32, bySignal: Bool)? {
        state.withLock { state in state.status.map { ($0, state.bySignal) } }
    }

    var hasExited: Bool { state.withLock { $0.exited } }

    var text: String { String(decoding: state.withLock { $0.combined }, as: UTF8.self) }

    /// The port from the first `listening on http://127.0.0.1:PORT` line, once it is complete.
    var listeningPort: Int? {
        let stdout = String(decoding: state.withLock { $0.stdout }, as: UTF8.self)
        let prefix = "listening on http://127.0.0.1:"
        for line in stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast() where line.hasPrefix(prefix) {
            if let port = Int(line.dropFirst(prefix.count)), port > 0 { return port }
        }
        return nil
    }
}

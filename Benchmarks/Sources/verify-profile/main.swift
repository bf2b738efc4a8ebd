// A tiny driver for profilers: the warm verifier (verified-token cache off) on the fixture token,
// in a loop, with nothing else in the process. From Benchmarks/:
//
//     swift build -c release --product verify-profile
//     perf record -g .build/release/verify-profile 200000
//     valgrind --tool=callgrind .build/release/verify-profile 2000
//
// Arguments: [iterations] [warm|hit|response]. Prints the mean time per verification.
import Foundation
import StytchJWT

let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
func fixture(_ path: String) -> Data {
    guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path) else {
        fatalError("cannot read \(path)")
    }
    return data
}

let arguments = CommandLine.arguments.dropFirst()
let iterations = arguments.first.flatMap(Int.init) ?? 100_000
let mode = arguments.dropFirst().first ?? "warm"

let token = String(decoding: fixture("Fixtures/session.jwt"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
let response = [UInt8](fixture("Fixtures/password-authenticate-response.json"))
let verifier = try StytchJWTVerifier(
    configuration: .init(
        projectID: "project-test-00000000-0000-4000-8000-000000000000",
        clock: { Date(timeIntervalSince1970: 1_767_225_660) },
        tokenCache: mode == "hit" ? .init() : nil
    ),
    keys: JWKSet(contentsOfFile: root.appendingPathComponent("Keys/demo-jwks.json").path)
)

var checksum = 0
let start = ContinuousClock.now
for _ in 0..<iterations {
    if mode == "response" {
        checksum &+= try verifier.verify(authenticateResponse: response).requireSession().session.roles.count
    } else {
        checksum &+= try verifier.verify(sessionJWT: token).roles.count
    }
}
let elapsed = ContinuousClock.now - start
let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
print("\(mode): \(iterations) verifications, \(String(format: "%.2f", nanoseconds / Double(iterations) / 1000)) µs each (checksum \(checksum))")

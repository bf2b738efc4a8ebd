public import Foundation

/// The one way tests find the package's files (fixtures, keys, vectors, corpora): by path from the
/// package root, found from this file. Nothing outside the checkout is read (a user's clone has
/// only the checkout), so the vectors the tests use are copied into `Tests/Vectors`.
public enum PackageFiles {
    /// The package root (this file is `Tests/StytchJWTTestSupport/PackageFiles.swift`).
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The file or folder at `relativePath` from the package root.
    public static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    /// The contents of the file at `relativePath`; a missing file throws (a test fails, never skips).
    public static func data(_ relativePath: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: url(relativePath).path) else {
            throw Missing(path: relativePath)
        }
        return data
    }

    /// A Project Wycheproof vector file from `Tests/Vectors/wycheproof/testvectors_v1`.
    public static func wycheproof(_ fileName: String) throws -> Data {
        try data("Tests/Vectors/wycheproof/testvectors_v1/\(fileName)")
    }

    /// A file the tests need is not in the checkout.
    public struct Missing: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "\(path) is missing from the package checkout" }
    }
}

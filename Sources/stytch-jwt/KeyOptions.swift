import ArgumentParser
import Foundation
import StytchJWT

/// Where the keys come from: a pinned file, a JWKS URL, or Stytch's endpoint for the project.
struct KeySelection {
    var jwksPath: String?
    var jwksURL: String?
    var projectID: String
    var baseURL: String?

    func validate() throws {
        if jwksPath != nil, jwksURL != nil { throw ValidationError("give at most one of --jwks and --jwks-url") }
        if let jwksURL {
            do { _ = try StytchJWKSFetcher(url: jwksURL) } catch { throw ValidationError("--jwks-url: \(error.message)") }
        }
        if let baseURL {
            do { _ = try StytchJWKSFetcher.normalizedBaseURL(baseURL) } catch { throw ValidationError("--base-url: \(error.message)") }
        }
        if jwksPath == nil, jwksURL == nil, baseURL == nil, StytchJWTVerifier.defaultBaseURL(forProjectID: projectID) == nil {
            throw ValidationError("--project-id is neither project-test-… nor project-live-…: give --base-url, --jwks-url or --jwks")
        }
    }

    /// The JWKS document and the keys it admits. One fetch at most: the tool runs once.
    func load() async throws -> (document: [UInt8], keys: JWKSet) {
        let document: [UInt8]
        if let jwksPath {
            do {
                return ([], try JWKSet(contentsOfFile: jwksPath))
            } catch {
                throw CommandFailure(status: .keysUnavailable, message: "keys unavailable: --jwks: \(error.message)")
            }
        }
        do {
            let fetcher = try jwksURL.map { url throws(StytchJWTError) in try StytchJWKSFetcher(url: url) }
                ?? StytchJWKSFetcher(projectID: projectID, baseURL: baseURL)
            document = try await fetcher.fetchJWKS().body
        } catch let error as StytchJWTError {
            throw CommandFailure(status: .keysUnavailable, message: "keys unavailable: \(error.message)")
        } catch {
            throw CommandFailure(status: .keysUnavailable, message: "keys unavailable: the JWKS could not be fetched")
        }
        do {
            return (document, try JWKSet(jwks: document))
        } catch {
            throw CommandFailure(status: .keysUnavailable, message: "keys unavailable: \(error.message)")
        }
    }
}

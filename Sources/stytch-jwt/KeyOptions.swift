import ArgumentParser
import Foundation
import StytchJWT

/// The project and its API base URL: the flags, or, for a flag not given, the environment
/// variables `STYTCH_PROJECT_ID` and `STYTCH_BASE_URL` (SPEC §6). An empty variable counts as
/// unset.
struct ProjectOptions: ParsableArguments {
    @Option(name: .customLong("project-id"), help: ArgumentHelp("The Stytch project ID (default: $STYTCH_PROJECT_ID).", valueName: "id"))
    var projectID: String?

    @Option(name: .customLong("base-url"), help: ArgumentHelp("The project's API base URL, a custom domain (default: $STYTCH_BASE_URL): keys are fetched from it, and verify accepts its form as an issuer.", valueName: "url"))
    var baseURL: String?

    /// The values in force, each with the flag or variable it came from (for messages).
    struct Resolved {
        var projectID: String
        var projectIDSource: String
        var baseURL: String?
        var baseURLSource: String
    }

    func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) throws(CommandFailure) -> Resolved {
        func variable(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let projectID: String, projectIDSource: String
        if let flag = self.projectID {
            (projectID, projectIDSource) = (flag, "--project-id")
        } else if let value = variable("STYTCH_PROJECT_ID") {
            (projectID, projectIDSource) = (value, "STYTCH_PROJECT_ID")
        } else {
            throw .usage("give --project-id or set STYTCH_PROJECT_ID")
        }
        if let flag = baseURL {
            return Resolved(projectID: projectID, projectIDSource: projectIDSource, baseURL: flag, baseURLSource: "--base-url")
        }
        return Resolved(projectID: projectID, projectIDSource: projectIDSource, baseURL: variable("STYTCH_BASE_URL"), baseURLSource: "STYTCH_BASE_URL")
    }
}

/// Where the keys come from: a pinned file, a JWKS URL, or Stytch's endpoint for the project.
struct KeySelection {
    var jwksPath: String?
    var jwksURL: String?
    var project: ProjectOptions.Resolved

    /// Argument combinations that cannot be meant.
    static func validate(jwksPath: String?, jwksURL: String?) throws {
        if jwksPath != nil, jwksURL != nil { throw ValidationError("give at most one of --jwks and --jwks-url") }
    }

    /// The fetcher for the keys (nil for a pinned file), made before any input is read or any
    /// request sent: a value the library refuses (`invalid_configuration`) is a usage error naming
    /// its flag or variable. The base URL is checked whenever given: it is also an issuer.
    func fetcher() throws(CommandFailure) -> StytchJWKSFetcher? {
        if let baseURL = project.baseURL {
            _ = try configured(project.baseURLSource) { () throws(StytchJWTError) in try StytchJWKSFetcher.normalizedBaseURL(baseURL) }
        }
        if jwksPath != nil { return nil }
        if let jwksURL {
            return try configured("--jwks-url") { () throws(StytchJWTError) in try StytchJWKSFetcher(url: jwksURL) }
        }
        return try configured(project.projectIDSource) { () throws(StytchJWTError) in
            try StytchJWKSFetcher(projectID: project.projectID, baseURL: project.baseURL)
        }
    }

    /// The JWKS document and the keys it admits. One fetch at most: the tool runs once.
    func load(with fetcher: StytchJWKSFetcher?) async throws(CommandFailure) -> (document: [UInt8], keys: JWKSet) {
        do {
            guard let fetcher else { return ([], try JWKSet(contentsOfFile: jwksPath ?? "")) }
            let document = try await fetcher.fetchJWKS().body
            return (document, try JWKSet(jwks: document))
        } catch let error as StytchJWTError {
            // About the keys, whatever went wrong: never a verdict on a token.
            let keysError = error.code == .invalidConfiguration ? error : StytchJWTError(.keysUnavailable, error.message)
            throw CommandFailure(keysError, about: fetcher == nil ? "--jwks" : nil)
        } catch {
            throw CommandFailure(StytchJWTError(.keysUnavailable, "the JWKS could not be fetched"))
        }
    }
}

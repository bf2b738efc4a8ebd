import Foundation

/// The rules that turn a project ID and an optional custom domain into Stytch's URLs and
/// issuers, in one place for the verifier, the JWKS fetcher and the API client.
public enum StytchProject {
    /// Stytch's API base URL for a project ID: `https://test.stytch.com` for `project-test-…`,
    /// `https://api.stytch.com` for `project-live-…`, nil otherwise.
    public static func defaultBaseURL(forProjectID projectID: String) -> String? {
        if projectID.utf8.starts(with: "project-test-".utf8) { return "https://test.stytch.com" }
        if projectID.utf8.starts(with: "project-live-".utf8) { return "https://api.stytch.com" }
        return nil
    }

    /// `projectID` after checking it is a plain identifier a URL path and an API credential can
    /// carry: ASCII letters, digits, `-` and `_`, at most 256 bytes.
    ///
    /// - Throws: `invalid_configuration` otherwise.
    public static func checkedProjectID(_ projectID: String) throws(StytchJWTError) -> String {
        guard isPlainIdentifier(projectID, allowingDots: false) else {
            throw StytchJWTError(.invalidConfiguration, "project ID is empty or has characters a URL path cannot carry")
        }
        return projectID
    }

    /// The API base URL for a project: `baseURL` normalized when given, else the default for the
    /// project ID's prefix.
    ///
    /// - Throws: `invalid_configuration` for a project ID a URL cannot carry, a base URL that is
    ///   not `https://host[:port]`, or a project ID of neither kind without a base URL.
    public static func baseURL(projectID: String, baseURL: String?) throws(StytchJWTError) -> String {
        _ = try checkedProjectID(projectID)
        if let baseURL { return try normalizedBaseURL(baseURL) }
        guard let base = defaultBaseURL(forProjectID: projectID) else {
            throw StytchJWTError(.invalidConfiguration, "project ID is neither project-test-… nor project-live-…: give a base URL")
        }
        return base
    }

    /// The B2B JWKS URL for a project: `{base}/v1/b2b/sessions/jwks/{projectID}` (not the
    /// consumer `/v1/sessions/jwks/…`).
    public static func jwksURL(projectID: String, baseURL: String? = nil) throws(StytchJWTError) -> String {
        "\(try self.baseURL(projectID: projectID, baseURL: baseURL))/v1/b2b/sessions/jwks/\(projectID)"
    }

    /// `url` without a trailing `/`, after checking it is `https://host[:port]` with no path,
    /// query, fragment or credentials; plain `http` only to a loopback host (tests, local development).
    public static func normalizedBaseURL(_ url: String) throws(StytchJWTError) -> String {
        var trimmed = url
        while trimmed.utf8.last == UInt8(ascii: "/") { trimmed.removeLast() }
        guard trimmed.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty, components.path.isEmpty,
              components.query == nil, components.fragment == nil, components.user == nil, components.password == nil,
              scheme == "https" || (scheme == "http" && isLoopback(host))
        else { throw StytchJWTError(.invalidConfiguration, "base URL must be https://host[:port] with no path (http only to a loopback host)") }
        return trimmed
    }

    /// `url` after checking it is an absolute https URL (plain `http` only to a loopback host)
    /// without credentials, as a JWKS URL must be.
    public static func checkedFetchURL(_ url: String) throws(StytchJWTError) -> String {
        guard url.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil
        else { throw StytchJWTError(.invalidConfiguration, "JWKS URL is not an absolute URL") }
        guard scheme == "https" || (scheme == "http" && isLoopback(host)) else {
            throw StytchJWTError(.invalidConfiguration, "JWKS URL must be https (plain http only to a loopback host)")
        }
        return url
    }

    /// Whether `identifier` is ASCII letters, digits, `-`, `_` (and `.` when allowed, but not `.`
    /// or `..` alone), 1 to 256 bytes: safe as one URL path segment.
    public static func isPlainIdentifier(_ identifier: String, allowingDots: Bool) -> Bool {
        let bytes = identifier.utf8
        guard !bytes.isEmpty, bytes.count <= 256 else { return false }
        let plain = bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"): true
            case UInt8(ascii: "."): allowingDots
            default: false
            }
        }
        return plain && !bytes.elementsEqual(".".utf8) && !bytes.elementsEqual("..".utf8)
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".")
        return octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}

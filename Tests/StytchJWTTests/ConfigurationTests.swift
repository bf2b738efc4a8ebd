import Configuration
import Foundation
import StytchJWT
import StytchJWTTestSupport
import Testing

/// `StytchConfiguration(config:)`: a project's settings from apple/swift-configuration, checked.
@Suite("Configuration through swift-configuration")
struct ConfigurationTests {
    static let projectID = "project-test-00000000-0000-4000-8000-000000000000"

    static func read(_ values: [AbsoluteConfigKey: ConfigValue]) throws(StytchJWTError) -> StytchConfiguration {
        try StytchConfiguration(config: ConfigReader(provider: InMemoryProvider(values: values)).scoped(to: "stytch"))
    }

    static func environment(_ variables: [String: String]) throws(StytchJWTError) -> StytchConfiguration {
        try StytchConfiguration(config: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: variables)).scoped(to: "stytch"))
    }

    @Test("the STYTCH_… environment variables, every one")
    func environmentVariables() throws {
        let stytch = try Self.environment([
            "STYTCH_PROJECT_ID": Self.projectID, "STYTCH_SECRET": "secret-test-abc", "STYTCH_BASE_URL": "https://login.example.com/",
            "STYTCH_JWKS_URL": "http://127.0.0.1:9/keys", "STYTCH_LEEWAY": "5", "STYTCH_MAX_TOKEN_AGE": "3600.5", "UNRELATED": "x",
        ])
        #expect(stytch.verifier.projectID == Self.projectID)
        #expect(stytch.verifier.baseURL == "https://login.example.com")
        #expect(stytch.verifier.leeway == 5)
        #expect(stytch.verifier.maximumTokenAge == 3600.5)
        #expect(stytch.jwksURL == "http://127.0.0.1:9/keys")
        #expect(stytch.secret == "secret-test-abc")
        #expect(!stytch.description.contains("secret-test-abc"))
        let client = try #require(try stytch.makeClient())
        #expect(client.baseURL == "https://login.example.com")
        let verifier = try stytch.makeVerifier()
        #expect(verifier.configuration.leeway == 5)
        #expect(verifier.acceptedIssuers.contains("https://login.example.com"))
    }

    @Test("defaults: keys from Stytch by the project's prefix, no leeway, no age limit, no secret")
    func defaults() throws {
        let stytch = try Self.environment(["STYTCH_PROJECT_ID": Self.projectID])
        #expect(stytch.verifier.baseURL == nil)
        #expect(stytch.verifier.leeway == 0)
        #expect(stytch.verifier.maximumTokenAge == nil)
        #expect(stytch.secret == nil)
        #expect(try stytch.makeClient() == nil)
        #expect(stytch.jwksURL == "https://test.stytch.com/v1/b2b/sessions/jwks/\(Self.projectID)")
    }

    @Test("typed values from an in-memory provider")
    func inMemory() throws {
        let stytch = try Self.read([
            "stytch.projectID": .init(.string(Self.projectID), isSecret: false),
            "stytch.leeway": .init(.int(2), isSecret: false),
            "stytch.maxTokenAge": .init(.double(60), isSecret: false),
            "stytch.secret": .init(.string("secret-test-abc"), isSecret: true),
        ])
        #expect(stytch.verifier.leeway == 2)
        #expect(stytch.verifier.maximumTokenAge == 60)
        #expect(stytch.secret == "secret-test-abc")
    }

    @Test("bad values are invalid_configuration naming the key, never echoing a secret", arguments: [
        (["STYTCH_SECRET": "s"], "projectID"),
        (["STYTCH_PROJECT_ID": ""], "projectID"),
        (["STYTCH_PROJECT_ID": "project-test-a/../b"], "projectID"),
        (["STYTCH_PROJECT_ID": "project-other-1"], "jwksURL"),
        (["STYTCH_PROJECT_ID": projectID, "STYTCH_BASE_URL": "http://login.example.com"], "baseURL"),
        (["STYTCH_PROJECT_ID": projectID, "STYTCH_BASE_URL": "https://login.example.com/path"], "baseURL"),
        (["STYTCH_PROJECT_ID": projectID, "STYTCH_JWKS_URL": "ftp://keys.example.com/jwks"], "jwksURL"),
        (["STYTCH_PROJECT_ID": projectID, "STYTCH_LEEWAY": "five"], "leeway"),
        (["STYTCH_PROJECT_ID": projectID, "STYTCH_LEEWAY": "-1"], "leeway"),
        (["STYTCH_PROJECT_ID": projectID, "STYTCH_LEEWAY": "nan"], "leeway"),
        (["STYTCH_PROJECT_ID": projectID, "STYTCH_MAX_TOKEN_AGE": "1h"], "maxTokenAge"),
        (["STYTCH_PROJECT_ID": projectID, "STYTCH_MAX_TOKEN_AGE": "inf"], "maxTokenAge"),
        (["STYTCH_PROJECT_ID": projectID, "STYTCH_SECRET": ""], "secret"),
    ])
    func badValues(_ variables: [String: String], key: String) throws {
        do throws(StytchJWTError) {
            _ = try Self.environment(variables)
            Issue.record("accepted \(variables)")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.hasPrefix(key), "\(error.message)")
        }
    }

    @Test("a value of the wrong type in a typed provider is invalid_configuration")
    func wrongType() throws {
        #expect { try Self.read(["stytch.projectID": .init(.string(Self.projectID), isSecret: false), "stytch.leeway": .init(.string("soon"), isSecret: false)]) }
            throws: { ($0 as? StytchJWTError)?.code == .invalidConfiguration }
        #expect { try Self.read(["stytch.leeway": .init(.int(1), isSecret: false)]) } throws: { ($0 as? StytchJWTError)?.code == .invalidConfiguration }
    }
}

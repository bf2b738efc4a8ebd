import Foundation
import StytchJWTCore
import StytchJWTTestSupport
import Testing

/// A session from the verified-token cache (its values in one box) and one verified with the
/// cache off (inline) are the same value to every observer.
@Suite("Verified session storage")
struct VerifiedSessionStorageTests {
    @Test("cached and uncached sessions are equal, hash alike and show the same values")
    func sameValue() throws {
        let token = TokenFactory.token()
        let cached = try TokenFactory.verifier()
        let uncached = try StytchJWTVerifier(
            configuration: .init(projectID: TokenFactory.projectID, clock: { Date(timeIntervalSince1970: TokenFactory.now) }, tokenCache: nil),
            keys: TokenFactory.keys
        )
        let first = try cached.verify(sessionJWT: token), hit = try cached.verify(sessionJWT: token)
        let inline = try uncached.verify(sessionJWT: token)
        #expect(cached.tokenCache?.statistics.hits == 1)
        #expect(first == hit && hit == inline && inline == first)
        #expect(Set([first, hit, inline]).count == 1)
        #expect(String(describing: hit) == String(describing: inline))
        var dumped = ""
        dump(hit, to: &dumped)
        for value in [TokenFactory.memberID, TokenFactory.organizationID, TokenFactory.sessionID] {
            #expect(String(describing: inline).contains(value))
            #expect(dumped.contains(value))
        }
        let other = try uncached.verify(sessionJWT: TokenFactory.token(payload: TokenFactory.payload(setting: "jti", to: .string("other"))))
        #expect(other != hit && other != inline)
    }
}

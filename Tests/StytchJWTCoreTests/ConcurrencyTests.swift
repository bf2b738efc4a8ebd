import Foundation
import StytchJWTTestSupport
import Testing
import StytchJWTCore

@Suite("Concurrent verification")
struct ConcurrencyTests {
    enum Outcome: Sendable, Equatable {
        case verified(memberID: String)
        case rejected(StytchJWTError.Code)
    }

    @Test("2,000 verifications of valid and tampered tokens share one verifier")
    func sharedVerifier() async throws {
        let verifier = try TokenFactory.verifier()
        let members = (0..<12).map { "member-test-concurrency-\($0)" }
        let valid = members.map { TokenFactory.token(payload: TokenFactory.payload(setting: "sub", to: .string($0))) }
        // Three kinds of tampering, all of which only the signature check can catch.
        let tampered: [String] = valid.enumerated().map { index, token in
            switch index % 3 {
            case 0:
                return TokenFactory.resigned(token) { var signature = $0; signature[index * 7] ^= 0x04; return signature }
            case 1:
                let parts = TokenFactory.segments(token)
                let altered = TokenFactory.payload(setting: "sub", to: .string("member-test-evil-\(index)"))
                return parts[0] + "." + Base64URL.encode(Array(TokenFactory.text(altered).utf8)) + "." + parts[2]
            default:
                return TokenFactory.token(payload: TokenFactory.payload(setting: "sub", to: .string(members[index])), key: TokenFactory.otherKey)
            }
        }

        let total = 2_000
        let results = await withTaskGroup(of: (Int, Outcome).self) { group in
            for index in 0..<total {
                let token = index.isMultiple(of: 2) ? valid[index / 2 % valid.count] : tampered[index / 2 % tampered.count]
                group.addTask {
                    do throws(StytchJWTError) {
                        return (index, .verified(memberID: try verifier.verify(sessionJWT: token).memberID))
                    } catch {
                        return (index, .rejected(error.code))
                    }
                }
            }
            var results: [(Int, Outcome)] = []
            for await result in group { results.append(result) }
            return results
        }

        #expect(results.count == total)
        var verified = 0, rejected = 0
        for (index, outcome) in results {
            if index.isMultiple(of: 2) {
                #expect(outcome == .verified(memberID: members[index / 2 % members.count]), "task \(index)")
                if case .verified = outcome { verified += 1 }
            } else {
                #expect(outcome == .rejected(.invalidSignature), "task \(index)")
                if case .rejected = outcome { rejected += 1 }
            }
        }
        #expect(verified == total / 2)
        #expect(rejected == total / 2)
    }
}

import Foundation
import InMemoryTracing
import StytchJWT
import StytchJWTTestSupport
import Testing
import Tracing

/// JWKS fetches and Stytch API calls are client spans (swift-distributed-tracing) that carry the
/// method, host, endpoint and status, and never a secret, a token or a query.
@Suite("Tracing")
struct TracingTests {
    @Test("a JWKS fetch and an API call each make one client span, with no secret in any attribute")
    func spans() async throws {
        let tracer = TracingBootstrap.tracer
        try await withStytchStandIn(kid: TestJWKS.randomKid(), signingKey: TestJWKS.keyA) { standIn in
            let marker = "trace-\(UInt64.random(in: 0 ... .max))"
            let client = try StytchB2BClient(projectID: standIn.projectID, secret: standIn.secret, baseURL: standIn.baseURL, timeout: 20)
            let token = TestTokens.token(kid: marker, key: TestJWKS.keyA, issuedAt: TestTokens.issuedAt - 3600)
            _ = try? await client.authenticateSession(B2BSessionAuthenticateRequest(.sessionJWT(token)))
            _ = try await client.rbacPolicy()
            let fetcher = try StytchJWKSFetcher(url: standIn.baseURL + "/v1/b2b/sessions/jwks/\(standIn.projectID)?marker=\(marker)")
            _ = try? await fetcher.fetchJWKS()

            let host = standIn.baseURL.replacingOccurrences(of: "http://", with: "")
            let spans = tracer.finishedSpans.filter { $0.attributes["server.address"]?.toSpanAttribute() == host.toSpanAttribute() }
            let names = Set(spans.map(\.operationName))
            #expect(names.isSuperset(of: ["stytch.api.sessions/authenticate", "stytch.api.rbac/policy", "stytch.jwks.fetch"]), "\(names)")
            for span in spans {
                #expect(span.kind == .client)
                var texts: [String] = []
                span.attributes.forEach { key, value in texts.append("\(key)=\(value)") }
                let all = texts.joined(separator: " ")
                #expect(!all.contains(standIn.secret), "a span attribute holds the project secret")
                #expect(!all.contains(TestTokens.signatureSegment(of: token)), "a span attribute holds a token")
                #expect(!all.contains(marker), "a span attribute holds the URL's query")
            }
            let policy = spans.first { $0.operationName == "stytch.api.rbac/policy" }
            #expect(policy?.attributes["http.response.status_code"]?.toSpanAttribute() == 200.toSpanAttribute())
            #expect(policy?.attributes["http.request.method"]?.toSpanAttribute() == "GET".toSpanAttribute())
        }
    }
}

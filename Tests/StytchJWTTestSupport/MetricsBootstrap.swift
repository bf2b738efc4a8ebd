import CoreMetrics
public import MetricsTestKit

/// `MetricsSystem.bootstrap` may run once per process (every test target shares one): every
/// metrics test reads this before building what it measures.
public enum MetricsBootstrap {
    public static let testMetrics: TestMetrics = {
        let metrics = TestMetrics()
        MetricsSystem.bootstrap(metrics)
        return metrics
    }()
}

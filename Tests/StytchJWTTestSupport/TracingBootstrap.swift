public import InMemoryTracing
import Instrumentation

/// `InstrumentationSystem.bootstrap` may run once per process: every tracing test reads this
/// before the work it traces.
public enum TracingBootstrap {
    public static let tracer: InMemoryTracer = {
        let tracer = InMemoryTracer()
        InstrumentationSystem.bootstrap(tracer)
        return tracer
    }()
}

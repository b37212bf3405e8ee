package io.github.springipc.benchmarks;

/** The id, description and kind every case carries; subclasses only say how to run. */
abstract class NamedCase implements BenchmarkCase {

    private final String id;

    private final String description;

    private final boolean baseline;

    NamedCase(String id, String description, boolean baseline) {
        this.id = id;
        this.description = description;
        this.baseline = baseline;
    }

    @Override
    public final String id() {
        return this.id;
    }

    @Override
    public final String description() {
        return this.description;
    }

    @Override
    public final boolean baseline() {
        return this.baseline;
    }
}

package dev.belay.cli;

import java.util.Optional;
import java.util.function.Supplier;

/** A value computed on first use and kept. */
final class Once<T> implements Supplier<T> {

    private final Supplier<T> compute;
    private T value; // guarded by this

    Once(Supplier<T> compute) {
        this.compute = compute;
    }

    @Override
    public synchronized T get() {
        if (value == null) {
            value = compute.get();
        }
        return value;
    }

    /** The value, if it was computed: what holds a resource is closed only when it was made. */
    synchronized Optional<T> made() {
        return Optional.ofNullable(value);
    }
}

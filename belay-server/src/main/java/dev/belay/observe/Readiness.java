package dev.belay.observe;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Whether Belay is ready for calls, asked of a check that costs something (starting a process in the runtime), so the
 * answer is kept a few seconds: a probe every second runs the check once in that time.
 */
public final class Readiness implements BooleanSupplier {

    private final BooleanSupplier check;
    private final long keepNanos;
    private boolean last;
    private long checkedAt;
    private boolean checked;

    public Readiness(BooleanSupplier check, Duration keep) {
        this.check = check;
        this.keepNanos = keep.toNanos();
    }

    @Override
    public synchronized boolean getAsBoolean() {
        long now = System.nanoTime();
        if (!checked || now - checkedAt >= keepNanos) {
            last = check.getAsBoolean();
            checkedAt = now;
            checked = true;
        }
        return last;
    }
}

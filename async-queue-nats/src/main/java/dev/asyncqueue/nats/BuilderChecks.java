package dev.asyncqueue.nats;

import java.time.Duration;
import java.util.Objects;

/** The checks the module's builders share, so a bad value fails where it is set, with the setting's name. */
final class BuilderChecks {
    private BuilderChecks() {
    }

    /** {@code value}, if above zero. */
    static Duration positive(Duration value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
        return value;
    }

    /** {@code value}, if at least 1, or -1 for no limit (as JetStream takes it). */
    static long positiveOrUnlimited(long value, String what) {
        if (value < 1 && value != -1) {
            throw new IllegalArgumentException(what + " must be at least 1, or -1 for no limit; got " + value);
        }
        return value;
    }
}

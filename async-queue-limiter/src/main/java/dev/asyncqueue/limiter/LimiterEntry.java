package dev.asyncqueue.limiter;

import dev.asyncqueue.ConcurrencyLimiter;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/** One function's limiter in a {@link LimiterRegistry}, the fixed limit it was chosen by, and when it was last used. */
final class LimiterEntry {
    final ConcurrencyLimiter limiter;
    /** The raw {@value LimiterRegistry#MAX_INFLIGHT_ANNOTATION} the limiter was chosen by, or null. */
    final String override;
    volatile long lastActivity;

    LimiterEntry(ConcurrencyLimiter limiter, String override) {
        this.limiter = limiter;
        this.override = override;
    }

    boolean matches(Map<String, String> annotations) {
        return Objects.equals(override, annotations.get(LimiterRegistry.MAX_INFLIGHT_ANNOTATION));
    }

    /** The value when it is a positive whole number. */
    static OptionalInt positiveInteger(String raw) {
        try {
            int value = Integer.parseInt(raw.trim());
            return value > 0 ? OptionalInt.of(value) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}

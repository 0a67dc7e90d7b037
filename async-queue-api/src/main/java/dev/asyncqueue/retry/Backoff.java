package dev.asyncqueue.retry;

import java.util.Locale;

/** How the wait between retries grows; the jittered forms spread retries of many calls apart. */
public enum Backoff {
    /** initial * 2^n, capped at the maximum. */
    EXPONENTIAL,
    /** A uniformly random wait between zero and the exponential wait ("full jitter"). */
    FULL,
    /** Half the exponential wait plus a random part of the other half ("equal jitter"). */
    EQUAL;

    /** Parses {@code exponential}, {@code full} or {@code equal}. */
    public static Backoff parse(String text) {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
    }
}

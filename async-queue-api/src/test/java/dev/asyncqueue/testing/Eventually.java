package dev.asyncqueue.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition with a deadline, for states that announce no change (threads ending, say). */
public final class Eventually {
    private static final long POLL_NANOS = Duration.ofMillis(10).toNanos();

    private Eventually() {
    }

    /** Returns once {@code condition} holds; fails after {@code timeout} with {@code what}. */
    public static void assertWithin(Duration timeout, String what, BooleanSupplier condition) {
        assertWithin(timeout, () -> what, condition);
    }

    /** Returns once {@code condition} holds; fails after {@code timeout} with the message {@code what} gives then. */
    public static void assertWithin(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("not within " + timeout + ": " + what.get());
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what.get());
            }
        }
    }
}
